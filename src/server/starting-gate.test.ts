import { describe, expect, it } from 'vitest';
import { startingGate, type FetchHandler } from './starting-gate.ts';

/** An app whose start the test finishes by hand. */
function pendingApp(): { app: Promise<FetchHandler>; start: () => void } {
  let start = (): void => {};
  const app = new Promise<FetchHandler>((resolve) => {
    start = () => resolve(async (request) => new Response(`app: ${new URL(request.url).pathname}`));
  });
  return { app, start };
}

const get = (path: string): Request => new Request(`http://127.0.0.1${path}`);

describe('startingGate', () => {
  it('answers /healthz and /readyz while the app starts, and hands every other request to the app once it is up', async () => {
    const { app, start } = pendingApp();
    const gate = startingGate(app);
    const health = await gate(get('/healthz'));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'starting' });
    expect((await gate(get('/readyz'))).status).toBe(503);

    // asked before the app is up: waits, and the app answers it
    const question = gate(new Request('http://127.0.0.1/api/ask', { method: 'POST', body: '{}' }));
    start();
    expect(await (await question).text()).toBe('app: /api/ask');
    expect(await (await gate(get('/healthz'))).text()).toBe('app: /healthz');
    const ready = await gate(get('/readyz'));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('tells a request still waiting when its time is up to come back (稍候), without answering it from a half-started app', async () => {
    const { app } = pendingApp();
    const response = await startingGate(app, { waitMs: 0 })(get('/chat'));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.text()).toContain('请稍候');
  });

  it('refuses requests when the start failed', async () => {
    const failed = Promise.reject(new Error('the data directory is held by another process'));
    const gate = startingGate(failed);
    expect((await gate(get('/api/ask'))).status).toBe(503);
    expect((await gate(get('/readyz'))).status).toBe(503);
  });
});
