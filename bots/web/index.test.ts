/**
 * `zhiyin serve`'s channel start-up and the web chat: on by default, left out with WEB_CHAT=off,
 * signing with WEB_CHAT_SECRET when it is set, and registering the `web` sender with the outbox.
 */
import { Hono } from 'hono';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assistant } from '../../src/assistant.ts';
import { loadConfig } from '../../src/config.ts';
import { ConversationCore } from '../../src/conversation/core.ts';
import { SqlConversationStore } from '../../src/conversation/conversation-store.ts';
import { Inbox } from '../../src/conversation/inbox.ts';
import { Outbox } from '../../src/escalation/outbox.ts';
import { createTestDatabase } from '../../src/store/testing.ts';
import { startChannels } from '../channels.ts';
import { identityCookie, StudentIdentities } from './identity.ts';

let assistant: Assistant;
const log = pino({ level: 'silent' });

beforeAll(async () => {
  assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db: await createTestDatabase(), skipInitialIngest: true });
}, 120_000);
afterAll(async () => assistant?.close());

async function start(environment: Record<string, string>) {
  const config = loadConfig({ LOG_LEVEL: 'silent', ...environment });
  const core = new ConversationCore(assistant, new SqlConversationStore(assistant.db));
  const outbox = new Outbox(assistant.db);
  const app = new Hono();
  const running = await startChannels({ config, core, outbox, inbox: new Inbox(assistant.db, { log }), app, log });
  return { running, outbox, app };
}

describe('the web chat among the channels', () => {
  it('starts with nothing configured: /chat is served and teachers’ replies to web students have a sender', async () => {
    const { running, outbox, app } = await start({});
    expect(running.map((channel) => channel.name)).toEqual(['web']);
    expect(running[0]!.status().state).toContain('/chat');
    expect(outbox.channels).toContain('web');
    expect((await app.request('/chat')).status).toBe(200);
  });

  it('is left out with WEB_CHAT=off', async () => {
    const { running, outbox, app } = await start({ WEB_CHAT: 'off' });
    expect(running).toEqual([]);
    expect(outbox.channels).not.toContain('web');
    expect((await app.request('/chat')).status).toBe(404);
  });

  it('signs students’ cookies with WEB_CHAT_SECRET when it is set', async () => {
    const secret = 'a-school-chosen-secret-of-40-characters!';
    const { app } = await start({ WEB_CHAT_SECRET: secret });
    const cookie = (await app.request('/chat')).headers.getSetCookie().find((line) => line.startsWith(`${identityCookie}=`))!;
    const value = cookie.split(';')[0]!.slice(identityCookie.length + 1);
    expect(new StudentIdentities(secret).verify(value)).toBe(value.split('.')[0]);
    expect(() => loadConfig({ WEB_CHAT_SECRET: 'short' })).toThrow(/WEB_CHAT_SECRET/u);
  });
});
