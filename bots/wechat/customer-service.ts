import pino, { type Logger } from 'pino';
import { z } from 'zod';
import type { ChannelSender } from '../../src/escalation/outbox.ts';
import { officialAccountTextBytes, splitWechatText, utf8Bytes } from './format.ts';

/** The WeChat API server (the Official Account's `cgi-bin` endpoints). */
export const wechatApiBaseUrl = 'https://api.weixin.qq.com';

/** An error answer of the WeChat API (`{ errcode, errmsg }`); the message carries no message text. */
export class WechatApiError extends Error {
  override readonly name = 'WechatApiError';

  constructor(
    readonly api: string,
    readonly errcode: number,
    errmsg: string,
  ) {
    super(`wechat ${api}: errcode ${errcode} ${errmsg}`.trim());
  }
}

/** Error codes that mean the access token is no longer good: fetch a new one and try again once. */
const staleTokenCodes = new Set([40001, 40014, 42001]);

export interface WechatApiOptions {
  appId: string;
  /** The Official Account's AppSecret. */
  appSecret: string;
  /** API root without a trailing slash (default `https://api.weixin.qq.com`; tests point it at a local fake). */
  baseUrl?: string;
  fetch?: typeof fetch;
  now?: () => number;
  /** Per request (default 10 s). */
  timeoutMs?: number;
}

const tokenAnswer = z.union([
  z.object({ access_token: z.string().min(1), expires_in: z.number().positive() }),
  z.object({ errcode: z.number(), errmsg: z.string().default('') }),
]);
const plainAnswer = z.object({ errcode: z.number().default(0), errmsg: z.string().default('') });

/**
 * The access token of an Official Account (`GET cgi-bin/token`), fetched when first needed and
 * kept until five minutes before it expires; concurrent callers share one fetch.
 *
 * The server's IP address must be on the account's IP whitelist. Every fetch of
 * `cgi-bin/token` makes the previous token expire within five minutes: one process per account
 * should hold it.
 */
export class AccessTokenCache {
  readonly #options: Required<Pick<WechatApiOptions, 'appId' | 'appSecret' | 'baseUrl' | 'now' | 'timeoutMs'>> & { fetch: typeof fetch };
  #token: { value: string; until: number } | null = null;
  #fetching: Promise<string> | null = null;

  constructor(options: WechatApiOptions) {
    this.#options = {
      appId: options.appId,
      appSecret: options.appSecret,
      baseUrl: (options.baseUrl ?? wechatApiBaseUrl).replace(/\/+$/u, ''),
      fetch: options.fetch ?? fetch,
      now: options.now ?? Date.now,
      timeoutMs: options.timeoutMs ?? 10_000,
    };
  }

  /** A token good for at least a few minutes. */
  async get(): Promise<string> {
    if (this.#token && this.#token.until > this.#options.now()) return this.#token.value;
    this.#fetching ??= this.#fetch().finally(() => {
      this.#fetching = null;
    });
    return this.#fetching;
  }

  /** Forgets `token` (the API said it is stale), unless a newer one was fetched meanwhile. */
  invalidate(token: string): void {
    if (this.#token?.value === token) this.#token = null;
  }

  async #fetch(): Promise<string> {
    const { appId, appSecret, baseUrl, timeoutMs } = this.#options;
    const url = `${baseUrl}/cgi-bin/token?${new URLSearchParams({ grant_type: 'client_credential', appid: appId, secret: appSecret })}`;
    const response = await this.#options.fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new WechatApiError('cgi-bin/token', response.status, 'http error');
    const answer = tokenAnswer.parse(await response.json());
    if ('errcode' in answer) throw new WechatApiError('cgi-bin/token', answer.errcode, answer.errmsg);
    const keepMs = Math.max(60, answer.expires_in - 300) * 1000;
    this.#token = { value: answer.access_token, until: this.#options.now() + keepMs };
    return answer.access_token;
  }

  /**
   * POSTs JSON to a `cgi-bin` API with the access token, fetching a new token once when the API
   * says the token is stale. Rejects with `WechatApiError` on an error answer.
   */
  async post(api: string, body: unknown): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const token = await this.get();
      const response = await this.#options.fetch(`${this.#options.baseUrl}/${api}?access_token=${encodeURIComponent(token)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
      if (!response.ok) throw new WechatApiError(api, response.status, 'http error');
      const answer = plainAnswer.parse(await response.json());
      if (answer.errcode === 0) return;
      if (staleTokenCodes.has(answer.errcode) && attempt === 1) {
        this.invalidate(token);
        continue;
      }
      throw new WechatApiError(api, answer.errcode, answer.errmsg);
    }
  }
}

export interface CustomerServiceOptions extends WechatApiOptions {
  log?: Logger;
  /** Longest text message, UTF-8 bytes (default 2,048); longer text goes as several messages. */
  textBytes?: number;
}

/**
 * Sends text to an Official Account follower through the customer-service message API
 * (`POST cgi-bin/message/custom/send`): a teacher's reply from the outbox, or an answer that
 * missed the 5-second passive-reply window. The recipient is the follower's OpenID. WeChat
 * allows this within 48 hours of the follower's last message (errcode 45015 after that) and
 * only a few messages per follower message. Rejects with `WechatApiError` when WeChat refuses.
 *
 * @example outbox.register('wechat-oa', customerServiceSender({ appId, appSecret }));
 */
export function customerServiceSender(options: CustomerServiceOptions): ChannelSender & { tokens: AccessTokenCache } {
  const tokens = new AccessTokenCache(options);
  const log = options.log ?? pino({ level: 'silent' });
  const limit = options.textBytes ?? officialAccountTextBytes;
  return {
    tokens,
    async send(openId: string, text: string): Promise<void> {
      const parts = splitWechatText(text, limit, utf8Bytes);
      for (const [index, content] of parts.entries()) {
        try {
          await tokens.post('cgi-bin/message/custom/send', { touser: openId, msgtype: 'text', text: { content } });
        } catch (error) {
          log.warn({ part: index + 1, parts: parts.length, errcode: error instanceof WechatApiError ? error.errcode : undefined }, 'wechat customer-service message not sent');
          throw error;
        }
      }
    },
  };
}
