/** A fetch handler, as `@hono/node-server` calls it. */
export type FetchHandler = (request: Request, env?: unknown) => Response | Promise<Response>;

export interface StartingGateOptions {
  /** How long a request waits for the app before it is told to come back (default 30 s). */
  waitMs?: number;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });

/**
 * The server's front while it warms up: it listens at once, so that `/healthz` (liveness) answers
 * `{"status":"starting"}` while the store, the knowledge base and the indexes load; `/readyz`
 * answers 503 until the app is ready, then 200. Every other request waits for the app and is then
 * handled by it — nothing is answered from a half-loaded index; one still waiting after `waitMs`
 * gets 503 with Retry-After and 稍候 (a webhook's sender retries).
 *
 * @example
 * const gate = startingGate(warmUp().then((running) => running.app.fetch));
 * serveHttp({ fetch: gate, port });
 */
export function startingGate(app: Promise<FetchHandler>, options: StartingGateOptions = {}): FetchHandler {
  const waitMs = options.waitMs ?? 30_000;
  let ready: FetchHandler | null = null;
  // a failed start is its caller's to report; requests meanwhile get the 503
  app.then((handler) => (ready = handler)).catch(() => undefined);
  return async (request, env) => {
    const { pathname } = new URL(request.url);
    if (pathname === '/readyz') return ready ? json(200, { status: 'ready' }) : json(503, { status: 'starting' }, { 'retry-after': '2' });
    if (ready) return ready(request, env);
    if (pathname === '/healthz') return json(200, { status: 'starting' });
    let timer: NodeJS.Timeout | undefined;
    const handler = await Promise.race([
      app.catch(() => null),
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), waitMs);
      }),
    ]);
    clearTimeout(timer);
    if (handler) return handler(request, env);
    return new Response('职引正在启动，请稍候再试。\nzhiyin is starting; please try again shortly.\n', {
      status: 503,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5' },
    });
  };
}
