import type { Logger } from 'pino';
import type { BaseMessage } from '@langchain/core/messages';
import type { Config } from '../config.ts';
import type { Replies } from '../prompts.ts';
import type { RankedClause } from '../retrieval/hybrid-search.ts';
import { classifyModelError, OpenAIChatModel, type ChatModel, type ChatUsage } from './chat-client.ts';
import { composeGeneratedAnswer } from './compose.ts';
import { checkGrounding, normalizeMarkers, renumberMarkers, type GroundingResult } from './grounding-guard.ts';
import { buildGroundedPrompt, retryMessages, type GroundedPrompt } from './prompt.ts';
import { StudentRateLimiter } from './rate-limit.ts';
import { loadGenerationTemplates, type GenerationTemplates } from './templates.ts';
import { DailyTokenBudget } from './token-budget.ts';
import type {
  AnswerGenerator,
  FallbackReason,
  GenerationEvent,
  GenerationOutcome,
  GenerationRequest,
  GenerationStats,
} from './types.ts';

export interface GroundedGeneratorOptions {
  model: ChatModel;
  replies: Replies;
  templates?: GenerationTemplates;
  log?: Logger;
  budget?: DailyTokenBudget;
  limiter?: StudentRateLimiter;
  /** Clauses in the prompt: the extractive answer's, then the next best (default 5). */
  maxClauses?: number;
  /** Model failures in a row (timeouts, 5xx) after which the model is left alone for `cooldownMs` (default 5). */
  failuresBeforeCooldown?: number;
  /** Default 30 s; also the pause after a 429 that gave no retry-after. */
  cooldownMs?: number;
  /** The longest pause a 429's retry-after may impose (default 15 min). */
  maxCooldownMs?: number;
  now?: () => number;
}

/**
 * Grounded generation: writes the answer from the retrieved clauses with a chat model, checks it
 * with the grounding guard, asks once more with the complaint when it fails, and otherwise gives
 * up — the caller then sends the extractive answer. A per-student rate limit, a daily token
 * budget and a pause after 429s or repeated failures decide before any call whether to try.
 *
 * @example
 * const generator = GroundedGenerator.fromConfig(config, { replies, log });
 * const outcome = await generator.generate({ question, language: 'zh', cited, ranked, confidence: 0.6, studentKey: 'telegram:1' });
 */
export class GroundedGenerator implements AnswerGenerator {
  readonly model: ChatModel;
  readonly #replies: Replies;
  readonly #templates: GenerationTemplates;
  readonly #log: Logger | undefined;
  readonly #budget: DailyTokenBudget;
  readonly #limiter: StudentRateLimiter;
  readonly #maxClauses: number;
  readonly #failuresBeforeCooldown: number;
  readonly #cooldownMs: number;
  readonly #maxCooldownMs: number;
  readonly #now: () => number;
  #failuresInARow = 0;
  #pausedUntil = 0;
  readonly #counts = { generated: 0, regenerated: 0, fallback: {} as Partial<Record<FallbackReason, number>> };

  constructor(options: GroundedGeneratorOptions) {
    this.model = options.model;
    this.#replies = options.replies;
    this.#templates = options.templates ?? loadGenerationTemplates();
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    this.#budget = options.budget ?? new DailyTokenBudget(0, this.#now);
    this.#limiter = options.limiter ?? new StudentRateLimiter(0, this.#now);
    this.#maxClauses = options.maxClauses ?? 5;
    this.#failuresBeforeCooldown = options.failuresBeforeCooldown ?? 5;
    this.#cooldownMs = options.cooldownMs ?? 30_000;
    this.#maxCooldownMs = options.maxCooldownMs ?? 15 * 60_000;
  }

  /** The generator the LLM_* settings describe (LLM_BASE_URL and LLM_MODEL must be set). */
  static fromConfig(config: Config, options: { replies: Replies; log?: Logger; now?: () => number }): GroundedGenerator {
    if (!config.LLM_BASE_URL || !config.LLM_MODEL) throw new Error('grounded generation needs LLM_BASE_URL and LLM_MODEL');
    const now = options.now ?? Date.now;
    return new GroundedGenerator({
      model: new OpenAIChatModel({
        baseURL: config.LLM_BASE_URL,
        model: config.LLM_MODEL,
        ...(config.LLM_API_KEY ? { apiKey: config.LLM_API_KEY } : {}),
        timeoutMs: config.LLM_TIMEOUT_MS,
        maxRetries: config.LLM_MAX_RETRIES,
      }),
      replies: options.replies,
      ...(options.log ? { log: options.log } : {}),
      budget: new DailyTokenBudget(config.LLM_DAILY_TOKEN_BUDGET, now),
      limiter: new StudentRateLimiter(config.LLM_RATE_PER_MINUTE, now),
      now,
    });
  }

  async generate(request: GenerationRequest): Promise<GenerationOutcome> {
    const started = this.#now();
    try {
      const blocked = this.#blocked(request);
      if (blocked) return this.#fallback(blocked, started);
      const prompt = await this.#prompt(request);
      let draft: string;
      try {
        draft = await this.#complete(prompt.messages);
      } catch (error) {
        return this.#failed(error, started);
      }
      return await this.#settle(request, prompt, draft, started);
    } catch (error) {
      return this.#internalError(error, started);
    }
  }

  /**
   * The same, streamed for channels that can show text as it comes: `delta` events carry the
   * first draft as the model writes it (provisional — shown, it must be replaced), and the `done`
   * event the checked outcome, which is what is finally sent; a fallback means the extractive answer.
   */
  async *generateStream(request: GenerationRequest): AsyncGenerator<GenerationEvent> {
    const started = this.#now();
    const blocked = this.#blocked(request);
    if (blocked) {
      yield { type: 'done', outcome: this.#fallback(blocked, started) };
      return;
    }
    let prompt: GroundedPrompt;
    try {
      prompt = await this.#prompt(request);
    } catch (error) {
      yield { type: 'done', outcome: this.#internalError(error, started) };
      return;
    }
    const stream = this.model.stream(prompt.messages);
    let draft = '';
    try {
      for await (const delta of stream.deltas) {
        draft += delta;
        yield { type: 'delta', text: delta };
      }
    } catch (error) {
      this.#spend(prompt.messages, draft, stream.usage());
      yield { type: 'done', outcome: this.#failed(error, started) };
      return;
    }
    this.#spend(prompt.messages, draft, stream.usage());
    this.#failuresInARow = 0;
    try {
      yield { type: 'done', outcome: await this.#settle(request, prompt, draft, started) };
    } catch (error) {
      yield { type: 'done', outcome: this.#internalError(error, started) };
    }
  }

  /** Counts since start: generated, regenerated, fallbacks by reason, and tokens used today. */
  stats(): GenerationStats {
    return {
      model: this.model.name,
      promptVersion: { zh: this.#templates.zh.version, en: this.#templates.en.version },
      generated: this.#counts.generated,
      regenerated: this.#counts.regenerated,
      fallback: { ...this.#counts.fallback },
      tokensToday: this.#budget.used(),
    };
  }

  /** Why not to call the model at all: paused, out of budget, or the student is over the rate. */
  #blocked(request: GenerationRequest): FallbackReason | null {
    if (this.#now() < this.#pausedUntil) return 'cooling-down';
    if (this.#budget.exhausted()) return 'budget-exhausted';
    if (request.studentKey !== undefined && !this.#limiter.tryTake(request.studentKey)) return 'rate-limited';
    return null;
  }

  /** The extractive answer's clauses first, then the next best, at most `maxClauses`. */
  #clauses(request: GenerationRequest): RankedClause[] {
    const chosen: RankedClause[] = [];
    for (const ranked of [...request.cited, ...request.ranked]) {
      if (chosen.length >= Math.max(this.#maxClauses, request.cited.length)) break;
      if (!chosen.some((other) => other.clause.id === ranked.clause.id)) chosen.push(ranked);
    }
    return chosen;
  }

  #prompt(request: GenerationRequest): Promise<GroundedPrompt> {
    return buildGroundedPrompt({
      question: request.question,
      language: request.language,
      clauses: this.#clauses(request),
      confidence: request.confidence,
      ...(request.summary ? { summary: request.summary } : {}),
      template: this.#templates[request.language],
      replies: this.#replies,
    });
  }

  async #complete(messages: readonly BaseMessage[]): Promise<string> {
    const { text, usage } = await this.model.complete(messages);
    this.#spend(messages, text, usage);
    this.#failuresInARow = 0;
    return text;
  }

  /** Counts the tokens a call used: as reported, or about a token a character when the endpoint does not say. */
  #spend(messages: readonly BaseMessage[], output: string, usage: ChatUsage | null): void {
    this.#budget.record(usage?.totalTokens ?? messages.reduce((sum, message) => sum + message.text.length, output.length));
  }

  /** Checks a draft; on failure asks once more with the complaint; the second failure falls back. */
  async #settle(request: GenerationRequest, prompt: GroundedPrompt, draft: string, started: number): Promise<GenerationOutcome> {
    const first = cleanDraft(draft);
    const firstCheck = checkGrounding(first, prompt.sources);
    if (firstCheck.ok) return this.#generated(request, prompt, first, firstCheck, false, started);
    if (this.#budget.exhausted()) return this.#fallback('budget-exhausted', started, { rejected: firstCheck });
    let second: string;
    try {
      second = cleanDraft(await this.#complete(retryMessages(prompt, first, firstCheck.problems, this.#templates[request.language])));
    } catch (error) {
      return this.#failed(error, started);
    }
    const secondCheck = checkGrounding(second, prompt.sources);
    if (secondCheck.ok) return this.#generated(request, prompt, second, secondCheck, true, started);
    return this.#fallback('guard-rejected', started, { rejected: secondCheck });
  }

  #generated(
    request: GenerationRequest,
    prompt: GroundedPrompt,
    text: string,
    check: GroundingResult,
    regenerated: boolean,
    started: number,
  ): GenerationOutcome {
    const clauses = check.cited.map((n) => prompt.clauses[n - 1]!);
    const composed = composeGeneratedAnswer({
      text: renumberMarkers(text, check.cited),
      clauses,
      question: request.question,
      language: request.language,
      replies: this.#replies,
      template: this.#templates[request.language],
    });
    this.#counts[regenerated ? 'regenerated' : 'generated'] += 1;
    this.#log?.info(
      { generation: regenerated ? 'regenerated' : 'generated', promptVersion: prompt.version, clauses: prompt.clauses.length, cites: clauses.length, ms: this.#now() - started },
      'grounded generation',
    );
    return { kind: 'generated', answer: composed.answer, citations: composed.citations, cited: clauses, regenerated, promptVersion: prompt.version };
  }

  /** A failed call: classified, counted toward a pause, and a fallback. */
  #failed(error: unknown, started: number): GenerationOutcome {
    const failure = classifyModelError(error);
    if (failure.failure === 'upstream-rate-limited') {
      this.#pausedUntil = this.#now() + Math.min(failure.retryAfterMs ?? this.#cooldownMs, this.#maxCooldownMs);
    } else if ((this.#failuresInARow += 1) >= this.#failuresBeforeCooldown) {
      this.#failuresInARow = 0;
      this.#pausedUntil = this.#now() + this.#cooldownMs;
    }
    return this.#fallback(failure.failure, started);
  }

  #internalError(error: unknown, started: number): GenerationOutcome {
    this.#log?.error({ err: { name: error instanceof Error ? error.name : typeof error } }, 'grounded generation failed');
    return this.#fallback('internal-error', started);
  }

  #fallback(reason: FallbackReason, started: number, details: { rejected?: GroundingResult } = {}): GenerationOutcome {
    this.#counts.fallback[reason] = (this.#counts.fallback[reason] ?? 0) + 1;
    const problems = details.rejected?.problems.map((problem) => problem.kind);
    this.#log?.info({ generation: 'fallback', reason, ...(problems ? { problems } : {}), ms: this.#now() - started }, 'grounded generation');
    return { kind: 'fallback', reason };
  }
}

/** The answer without a reasoning model's <think> block, with markers in one form. */
function cleanDraft(draft: string): string {
  return normalizeMarkers(draft.replace(/<think>[\s\S]*?<\/think>/gu, '').replace(/^[\s\S]*<\/think>/u, '')).trim();
}
