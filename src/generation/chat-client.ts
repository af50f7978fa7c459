import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { BaseMessage } from '@langchain/core/messages';
import { toOpenAIMessages } from './prompt.ts';

/** Tokens one call used, as the endpoint reported them. */
export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface ChatCompletion {
  text: string;
  /** Null when the endpoint reported no usage. */
  usage: ChatUsage | null;
}

/** A streamed answer: the text deltas as they arrive, and the usage once the stream has ended. */
export interface ChatStream {
  deltas: AsyncIterable<string>;
  usage(): ChatUsage | null;
}

/** A chat model zhiyin can generate with; `OpenAIChatModel` is the one in production. */
export interface ChatModel {
  /** For logs: `openai-compatible:<model>`. */
  readonly name: string;
  complete(messages: readonly BaseMessage[]): Promise<ChatCompletion>;
  stream(messages: readonly BaseMessage[]): ChatStream;
}

/** Why a model call failed, as generation falls back on it. */
export type ModelFailure = 'timeout' | 'upstream-rate-limited' | 'model-error';

/** A failed model call, classified; `retryAfterMs` is what a 429 asked for, if anything. */
export class ModelCallError extends Error {
  constructor(
    readonly failure: ModelFailure,
    readonly retryAfterMs: number | null,
    options?: { cause?: unknown },
  ) {
    super(`model call failed: ${failure}`, options);
    this.name = 'ModelCallError';
  }
}

/**
 * How long a response asks the client to wait: `retry-after-ms`, or `retry-after` in seconds or
 * as an HTTP date. Null when it does not say.
 *
 * @example retryAfterMs(new Headers({ 'retry-after': '2' })) // 2000
 */
export function retryAfterMs(headers: Headers | undefined | null, now = Date.now()): number | null {
  const milliseconds = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds)) return Math.max(0, milliseconds);
  const value = headers?.get('retry-after');
  if (!value) return null;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : null;
}

/**
 * Classifies an error from a model call: a timeout, a 429 (with its retry-after), or anything else.
 *
 * @example classifyModelError(error).failure // 'upstream-rate-limited'
 */
export function classifyModelError(error: unknown, timedOut = false): ModelCallError {
  if (error instanceof ModelCallError) return error;
  if (error instanceof APIConnectionTimeoutError || (timedOut && error instanceof APIUserAbortError)) {
    return new ModelCallError('timeout', null, { cause: error });
  }
  if (timedOut) return new ModelCallError('timeout', null, { cause: error });
  if (error instanceof APIError && error.status === 429) {
    return new ModelCallError('upstream-rate-limited', retryAfterMs(error.headers ?? null), { cause: error });
  }
  return new ModelCallError('model-error', null, { cause: error });
}

/**
 * A fetch for the SDK that stops it from sleeping through a long `retry-after`: the SDK obeys any
 * retry-after it is given, so a 429 asking for more than `maxWaitMs` is marked not retryable
 * (`x-should-retry: false`) and generation falls back at once, cooling down for that long instead.
 */
export function fetchWithRetryAfterCap(maxWaitMs: number, base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const response = await base(input, init);
    if (response.status !== 429) return response;
    const wait = retryAfterMs(response.headers);
    if (wait === null || wait <= maxWaitMs) return response;
    const headers = new Headers(response.headers);
    headers.set('x-should-retry', 'false');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}

export interface OpenAIChatModelOptions {
  baseURL: string;
  apiKey?: string;
  model: string;
  /** Per attempt; a streamed answer must also finish within it. */
  timeoutMs: number;
  /** Retries of the SDK (429, 5xx, timeouts), with its exponential backoff. */
  maxRetries: number;
  /** A 429 asking to wait longer than this is not retried (see `fetchWithRetryAfterCap`). Default 5 s. */
  maxRetryWaitMs?: number;
  temperature?: number;
}

/**
 * Chat completions from any OpenAI-compatible `/v1` endpoint (OpenAI, DeepSeek, Qwen/DashScope,
 * Ollama, vLLM …) through the `openai` SDK, configured apart from the embeddings endpoint.
 *
 * @example const model = new OpenAIChatModel({ baseURL, model: 'qwen2.5:7b', timeoutMs: 30_000, maxRetries: 2 });
 */
export class OpenAIChatModel implements ChatModel {
  readonly #client: OpenAI;
  readonly #options: OpenAIChatModelOptions;

  constructor(options: OpenAIChatModelOptions) {
    this.#options = options;
    this.#client = new OpenAI({
      baseURL: options.baseURL,
      apiKey: options.apiKey ?? 'not-needed',
      timeout: options.timeoutMs,
      maxRetries: options.maxRetries,
      fetch: fetchWithRetryAfterCap(options.maxRetryWaitMs ?? 5_000),
    });
  }

  get name(): string {
    return `openai-compatible:${this.#options.model}`;
  }

  async complete(messages: readonly BaseMessage[]): Promise<ChatCompletion> {
    try {
      const response = await this.#client.chat.completions.create({
        model: this.#options.model,
        messages: toOpenAIMessages(messages),
        temperature: this.#options.temperature ?? 0.2,
      });
      return { text: response.choices[0]?.message.content ?? '', usage: usageOf(response.usage) };
    } catch (error) {
      throw classifyModelError(error);
    }
  }

  stream(messages: readonly BaseMessage[]): ChatStream {
    let usage: ChatUsage | null = null;
    const client = this.#client;
    const options = this.#options;
    async function* deltas(): AsyncGenerator<string> {
      const deadline = AbortSignal.timeout(options.timeoutMs);
      try {
        const stream = await client.chat.completions.create(
          {
            model: options.model,
            messages: toOpenAIMessages(messages),
            temperature: options.temperature ?? 0.2,
            stream: true,
            stream_options: { include_usage: true },
          },
          { signal: deadline },
        );
        for await (const chunk of stream) {
          const delta = chunk.choices[0]?.delta?.content;
          if (delta) yield delta;
          if (chunk.usage) usage = usageOf(chunk.usage);
        }
      } catch (error) {
        throw classifyModelError(error, deadline.aborted);
      }
    }
    return { deltas: deltas(), usage: () => usage };
  }
}

function usageOf(usage: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | null | undefined): ChatUsage | null {
  if (!usage) return null;
  const promptTokens = usage.prompt_tokens ?? 0;
  const completionTokens = usage.completion_tokens ?? 0;
  return { promptTokens, completionTokens, totalTokens: usage.total_tokens ?? promptTokens + completionTokens };
}
