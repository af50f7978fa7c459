import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { Assistant } from '../assistant.ts';
import { toAskLine } from '../cli/ask-lines.ts';
import { homePage } from './home-page.ts';

const askSchema = z.object({ question: z.string() });

/**
 * The HTTP app: health, a question endpoint, and the home page.
 *
 * @example
 * const app = createApp(assistant);
 * const response = await app.request('/healthz');
 */
export function createApp(assistant: Assistant): Hono {
  const app = new Hono();

  app.get('/healthz', async (c) => {
    const version = await assistant.knowledge.version();
    return c.json({ status: 'ok', knowledgeVersion: version });
  });

  app.post('/api/ask', bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.json({ error: 'request body too large' }, 413) }), async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'send JSON: {"question": "…"}' }, 400);
    }
    const parsed = askSchema.safeParse(body);
    if (!parsed.success) return c.json({ error: 'send JSON: {"question": "…"}' }, 400);
    const result = await assistant.ask(parsed.data.question);
    return c.json(toAskLine(null, result));
  });

  app.get('/', async (c) => c.html(homePage(await assistant.knowledge.list())));

  app.onError((error, c) => {
    assistant.log.error({ err: { message: error.message, stack: error.stack } }, 'request failed');
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
