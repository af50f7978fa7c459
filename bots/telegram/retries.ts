import { setTimeout as sleep } from 'node:timers/promises';
import { HttpError, type Transformer } from 'grammy';
import { autoRetry } from '@grammyjs/auto-retry';

/**
 * A message send whose request may have reached Telegram before the connection failed (a
 * timeout, a connection reset): Telegram may have delivered it, and sending it again could
 * deliver it twice. Thrown instead of retrying; the caller decides (the rest of an answer goes to
 * the outbox without this part).
 */
export class PossiblyDeliveredError extends Error {
  override readonly name = 'PossiblyDeliveredError';

  constructor(
    readonly method: string,
    readonly httpError: HttpError,
  ) {
    super(`telegram ${method}: the connection failed after the request was sent; it may have been delivered`);
  }
}

/** Connection errors raised before a request was written: nothing reached Telegram. */
const neverSentCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/** Whether a network failure happened before the request left (safe to send again). */
export function neverReachedTelegram(error: HttpError): boolean {
  const code = (error.error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && neverSentCodes.has(code);
}

/** Bot API methods that put a message in a chat: sending one twice shows it twice. */
export function sendsMessage(method: string): boolean {
  return (method.startsWith('send') && method !== 'sendChatAction') || method === 'copyMessage' || method === 'forwardMessage' || method === 'copyMessages' || method === 'forwardMessages';
}

export interface TelegramRetryOptions {
  /** Retries of a network failure (other than a send that may have gone through), with a doubling pause; default 5. */
  networkRetries?: number;
  /** First pause after a network failure, seconds (default 3); it doubles, up to 120. */
  firstPauseSeconds?: number;
}

/**
 * Which failed Bot API calls are tried again, as a grammY transformer (install it last: it is the
 * outer one).
 *
 * - Telegram's own refusals: 429 after its `retry_after` (up to 120 s) and 5xx, up to 5 times
 *   (`@grammyjs/auto-retry`).
 * - A network failure: tried again (a pause of 3 s, doubling) — except a message send that may
 *   have reached Telegram (the connection failed after the request was written: a timeout, a
 *   reset), which is not sent blindly again but rejected with `PossiblyDeliveredError`. A send
 *   whose connection was never made (refused, no DNS, no route) is tried again.
 * - "typing" (`sendChatAction`) never: it is worth nothing late.
 *
 * @example bot.api.config.use(telegramRetries());
 */
export function telegramRetries(options: TelegramRetryOptions = {}): Transformer {
  const networkRetries = options.networkRetries ?? 5;
  const firstPauseSeconds = options.firstPauseSeconds ?? 3;
  const onTelegramRefusal = autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 120, rethrowHttpErrors: true });
  return async (previous, method, payload, signal) => {
    if (method === 'sendChatAction') return previous(method, payload, signal);
    let pauseSeconds = firstPauseSeconds;
    for (let retry = 0; ; retry += 1) {
      try {
        return await onTelegramRefusal(previous, method, payload, signal);
      } catch (error) {
        if (!(error instanceof HttpError) || signal?.aborted) throw error;
        if (sendsMessage(method) && !neverReachedTelegram(error)) throw new PossiblyDeliveredError(method, error);
        if (retry >= networkRetries) throw error;
        // rejects (AbortError) when the request is aborted during the pause
        await sleep(pauseSeconds * 1000, undefined, { signal: signal as AbortSignal | undefined });
        pauseSeconds = Math.min(120, pauseSeconds * 2);
      }
    }
  };
}
