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
 * the current token (errcode 40001 for a stale one, 45015 for OpenIDs in `outsideWindow`).
 *
 * @example
 * const api = await FakeWechatApi.start({ appId: 'wx1', appSecret: 's' });
 * customerServiceSender({ appId: 'wx1', appSecret: 's', baseUrl: api.url });
 */
export class FakeWechatApi {
  readonly messages: FakeCustomerMessage[] = [];
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
      this.messages.push({ touser: body.touser, msgtype: body.msgtype, content: body.text?.content ?? '' });
      for (const wake of this.#waiters.splice(0)) wake();
      return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
    }
    return { status: 404, body: { errcode: -1, errmsg: 'not found' } };
  }
}
