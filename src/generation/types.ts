import type { Citation } from '../answering/types.ts';
import type { Language } from '../prompts.ts';
import type { RankedClause } from '../retrieval/hybrid-search.ts';

/** The previous question and answer, which a follow-up ("那高职呢？") is read against. */
export interface ConversationSummary {
  question: string;
  answer: string;
}

/** Why an answer stayed extractive. */
export type FallbackReason =
  /** The student asked more than LLM_RATE_PER_MINUTE answers this minute. */
  | 'rate-limited'
  /** LLM_DAILY_TOKEN_BUDGET is spent for today. */
  | 'budget-exhausted'
  /** The endpoint said to wait (429 retry-after) or kept failing; no call until the pause ends. */
  | 'cooling-down'
  | 'timeout'
  /** 429 after the SDK's retries. */
  | 'upstream-rate-limited'
  /** 5xx, connection refused, a malformed response … */
  | 'model-error'
  /** Two drafts in a row failed the grounding guard. */
  | 'guard-rejected'
  /** A bug on our side; logged by error name. */
  | 'internal-error';

/** What the generator needs to write an answer: the question, the clauses, and whom it is for. */
export interface GenerationRequest {
  question: string;
  language: Language;
  /** The clauses the extractive answer cites, best first; they lead the prompt. */
  cited: readonly RankedClause[];
  /** Everything retrieval ranked, best first; the next best fill the prompt up. */
  ranked: readonly RankedClause[];
  /** Retrieval confidence, as the router's decision in the prompt. */
  confidence: number | null;
  /** The previous turn, passed in by the caller. */
  summary?: ConversationSummary;
  /** Who is asking, for the per-student rate limit; without it no per-student limit applies. */
  studentKey?: string;
}

/** A generated answer that passed the grounding guard, or why there is none. */
export type GenerationOutcome =
  | {
      kind: 'generated';
      /** The text with [n] markers, the sources as 《title》locator｜issuer｜region｜date lines, and the caveats. */
      answer: string;
      /** The clauses the text cites, in [n] order. */
      citations: Citation[];
      cited: RankedClause[];
      /** True when the first draft was rejected and the second passed. */
      regenerated: boolean;
      promptVersion: number;
    }
  | { kind: 'fallback'; reason: FallbackReason };

/** What `PolicyAnswerer` calls, when one is configured, to turn an extractive answer into a generated one. */
export interface AnswerGenerator {
  /** Never throws: every failure is a `fallback`. */
  generate(request: GenerationRequest): Promise<GenerationOutcome>;
  /** For channels that show text as it comes: provisional deltas, then the checked outcome. */
  generateStream?(request: GenerationRequest): AsyncIterable<GenerationEvent>;
}

/** An event of a streamed generation: provisional text, then the checked outcome. */
export type GenerationEvent = { type: 'delta'; text: string } | { type: 'done'; outcome: GenerationOutcome };

/** Counts since start, for logs and the eval; no text, no student. */
export interface GenerationStats {
  model: string;
  promptVersion: { zh: number; en: number };
  /** Passed the guard at the first draft. */
  generated: number;
  /** Passed at the second draft. */
  regenerated: number;
  fallback: Partial<Record<FallbackReason, number>>;
  tokensToday: number;
}
