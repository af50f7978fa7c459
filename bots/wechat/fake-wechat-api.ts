import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A customer-service message the fake API accepted. */
export interface FakeCustomerMessage {
  touser: string;
  msgtype: string;
  content: string;
}

/**
 * A stand-in for the WeChat API on 127.0.0.1 (tests only): `GET /cgi-bin/token` hands out
 * numbered tokens for one AppID and secret; `POST /cgi-bin/message/custom/send` accepts text for
 * the current token (errcode 40001 for a stale one, 45015 for OpenIDs in `outsideWindow`), kept
 * in `messages` and per follower (`messagesTo`). `FakeWechatPlatform` below is the other side:
 * WeChat's servers posting followers' messages to the account.
 *
 * @example
 * const api = await FakeWechatApi.start({ appId: 'wx1', appSecret: 's' });
 * customerServiceSender({ appId: 'wx1', appSecret: 's', baseUrl: api.url });
 */
export class FakeWechatApi {
  readonly messages: FakeCustomerMessage[] = [];
  readonly #byFollower = new Map<string, FakeCustomerMessage[]>();
  tokenRequests = 0;
  /** OpenIDs whose 48-hour window has closed. */
  readonly outsideWindow = new Set<string>();
  #current: string | null = null;
  #waiters: (() => void)[] = [];

  private constructor(
    readonly server: Server,
    readonly url: string,
    private readonly credentials: { appId: string; appSecret: string },
  ) {}

  static async start(credentials: { appId: string; appSecret: string }): Promise<FakeWechatApi> {
    let api: FakeWechatApi | undefined;
    const server = createServer((request, response) => {
      void api!.#handle(request).then(({ status, body }) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    api = new FakeWechatApi(server, `http://127.0.0.1:${port}`, credentials);
    return api;
  }

  /** Makes the token handed out last stale (as WeChat does when another process fetched a new one). */
  expireToken(): void {
    this.#current = null;
  }

  /** The messages accepted for one follower (OpenID), in order. */
  messagesTo(openId: string): readonly FakeCustomerMessage[] {
    return this.#byFollower.get(openId) ?? [];
  }

  /** Resolves once `count` messages have been accepted. */
  async received(count: number, timeoutMs = 30_000): Promise<FakeCustomerMessage[]> {
    const until = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      if (Date.now() > until) throw new Error(`the fake WeChat API got ${this.messages.length} of ${count} messages`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.messages;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async #handle(request: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const url = new URL(request.url ?? '/', this.url);
    let raw = '';
    for await (const chunk of request) raw += String(chunk);
    if (request.method === 'GET' && url.pathname === '/cgi-bin/token') {
      this.tokenRequests += 1;
      const { appId, appSecret } = this.credentials;
      if (url.searchParams.get('grant_type') !== 'client_credential' || url.searchParams.get('appid') !== appId || url.searchParams.get('secret') !== appSecret) {
        return { status: 200, body: { errcode: 40125, errmsg: 'invalid appsecret' } };
      }
      this.#current = `TOKEN-${this.tokenRequests}`;
      return { status: 200, body: { access_token: this.#current, expires_in: 7200 } };
    }
    if (request.method === 'POST' && url.pathname === '/cgi-bin/message/custom/send') {
      if (!this.#current || url.searchParams.get('access_token') !== this.#current) return { status: 200, body: { errcode: 40001, errmsg: 'invalid credential' } };
      const body = JSON.parse(raw) as { touser: string; msgtype: string; text?: { content: string } };
      if (this.outsideWindow.has(body.touser)) return { status: 200, body: { errcode: 45015, errmsg: 'response out of time limit' } };
      const message = { touser: body.touser, msgtype: body.msgtype, content: body.text?.content ?? '' };
      this.messages.push(message);
      const ofFollower = this.#byFollower.get(body.touser) ?? [];
      ofFollower.push(message);
      this.#byFollower.set(body.touser, ofFollower);
      for (const wake of this.#waiters.splice(0)) wake();
      return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
    }
    return { status: 404, body: { errcode: -1, errmsg: 'not found' } };
  }
}

/** What one delivery of a message to the account's server came to. */
export interface PlatformDelivery {
  /** HTTP requests made: 1, or up to 4 with WeChat's three retries. */
  attempts: number;
  /** Whether an attempt got an HTTP 200 (the message is then the server's: WeChat stops retrying). */
  acknowledged: boolean;
  /** The passive reply's text (`null` for "success", an empty body or no acknowledgement). */
  reply: string | null;
  /** The status of the last attempt that got an answer. */
  status?: number;
}

/**
 * The other side of the Official Account (tests and the chaos run only): WeChat's servers
 * POSTing followers' messages to the account's server URL in plain mode, signed with the
 * account's token, the way WeChat does it — an attempt waits 5 s for the answer, and a message
 * without one (no connection, a reset, a 5xx, a timeout) is sent again, three retries in all,
 * each a new request (fresh timestamp and nonce) with the same XML (same MsgId).
 *
 * @example
 * const platform = new FakeWechatPlatform({ url: `${server}/wechat`, token, account: 'gh_0123456789ab' });
 * const { reply } = await platform.deliver(platform.textXml('o-student-1', '实习押金'));
 */
export class FakeWechatPlatform {
  static #createTime = Math.floor(Date.now() / 1000);
  static #msgId = 25_000_000_000_000_000n;

  constructor(private readonly account: { url: string; token: string; account: string; attemptTimeoutMs?: number; retries?: number }) {}

  /** A follower's text message as WeChat sends it, with a fresh MsgId. */
  textXml(openId: string, text: string): string {
    return this.#xml(openId, 'text', `<Content><![CDATA[${text}]]></Content>`);
  }

  /** A follower's picture (an emoji sticker arrives as one), with a fresh MsgId. */
  imageXml(openId: string): string {
    const id = String(FakeWechatPlatform.#msgId + 1n);
    return this.#xml(openId, 'image', `<PicUrl><![CDATA[http://mmbiz.qpic.cn/fake/${id}]]></PicUrl><MediaId><![CDATA[media-${id}]]></MediaId>`);
  }

  /** POSTs `xml` to the account's server with WeChat's retries; never rejects. */
  async deliver(xml: string): Promise<PlatformDelivery> {
    const timeoutMs = this.account.attemptTimeoutMs ?? 5_000;
    const retries = this.account.retries ?? 3;
    const delivery: PlatformDelivery = { attempts: 0, acknowledged: false, reply: null };
    for (let attempt = 0; attempt <= retries; attempt += 1) {
      const started = performance.now();
      delivery.attempts += 1;
      try {
        const response = await fetch(`${this.account.url}?${this.#signedQuery()}`, {
          method: 'POST',
          headers: { 'content-type': 'text/xml' },
          body: xml,
          signal: AbortSignal.timeout(timeoutMs),
        });
        const body = await response.text();
        delivery.status = response.status;
        if (response.status === 200) {
          delivery.acknowledged = true;
          delivery.reply = passiveReplyText(body);
          return delivery;
        }
        // A 4xx is final for WeChat too (a wrong signature will not get better).
        if (response.status < 500) return delivery;
      } catch {
        // no connection, reset or timeout: WeChat tries again
      }
      // WeChat's retries come about 5 s apart, whatever made the attempt fail.
      const wait = timeoutMs - (performance.now() - started);
      if (attempt < retries && wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    return delivery;
  }

  #xml(openId: string, type: string, fields: string): string {
    const createTime = (FakeWechatPlatform.#createTime += 1);
    const msgId = (FakeWechatPlatform.#msgId += 1n);
    return `<xml><ToUserName><![CDATA[${this.account.account}]]></ToUserName><FromUserName><![CDATA[${openId}]]></FromUserName><CreateTime>${createTime}</CreateTime><MsgType><![CDATA[${type}]]></MsgType>${fields}<MsgId>${msgId}</MsgId></xml>`;
  }

  #signedQuery(): URLSearchParams {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = String(100_000_000 + Math.floor(Math.random() * 1_900_000_000));
    const signature = createHash('sha1').update([this.account.token, timestamp, nonce].sort().join('')).digest('hex');
    return new URLSearchParams({ signature, timestamp, nonce });
  }
}

/** The text of a plain-mode passive reply, or `null` for "success" and an empty body. */
export function passiveReplyText(body: string): string | null {
  if (body === '' || body === 'success') return null;
  const content = /<Content><!\[CDATA\[([\s\S]*?)\]\]><\/Content>/u.exec(body);
  return content ? content[1]! : null;
}
