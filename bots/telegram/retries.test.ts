import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { Api, HttpError } from 'grammy';
import { Outbox } from '../../src/escalation/outbox.ts';
import type { Database } from '../../src/store/database.ts';
import { createTestDatabase } from '../../src/store/testing.ts';
import { FakeBotApi } from './fake-bot-api.ts';
import { telegramSender } from './index.ts';
import { PossiblyDeliveredError, telegramRetries } from './retries.ts';
import { UnsentRepliesError, sendReplies } from './telegram-bot.ts';

/** Three paragraphs too long for one Telegram message: three parts. */
const longAnswer = ['一'.repeat(3_000), '二'.repeat(3_000), '三'.repeat(3_000)].join('\n\n');

const statuses = (fake: FakeBotApi, method: string): number[] => fake.calls.filter((call) => call.method === method).map((call) => call.status);

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('which failed Bot API calls are tried again', () => {
  let fake: FakeBotApi;
  let api: Api;

  beforeEach(async () => {
    fake = await FakeBotApi.start();
    api = new Api(fake.token, { apiRoot: fake.url });
    api.config.use(telegramRetries({ firstPauseSeconds: 0.01 }));
  });
  afterEach(async () => fake.close());

  it('does not send a message again when the connection dropped after Telegram took it: it arrives once, and the caller is told it may have', async () => {
    fake.failNext('sendMessage', { status: 'answer-lost' });
    await expect(api.sendMessage(42, '押金可以要求退还。')).rejects.toBeInstanceOf(PossiblyDeliveredError);
    expect(fake.sent(42).map((sent) => sent.text)).toEqual(['押金可以要求退还。']);
    expect(statuses(fake, 'sendMessage')).toEqual([0]);
  });

  it('tries again a call that is safe to repeat, and a send whose connection was never made', async () => {
    fake.failNext('getMe', { status: 'answer-lost' });
    await expect(api.getMe()).resolves.toMatchObject({ id: fake.bot.id });
    expect(statuses(fake, 'getMe')).toEqual([0, 200]);

    const unreachable = new Api(fake.token, { apiRoot: `http://127.0.0.1:${await closedPort()}` });
    unreachable.config.use(telegramRetries({ firstPauseSeconds: 0.01, networkRetries: 1 }));
    const refused = await unreachable.sendMessage(42, '你好').catch((error: unknown) => error);
    // nothing reached Telegram: retried, then the network failure itself (the outbox may send it later)
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused).not.toBeInstanceOf(PossiblyDeliveredError);
  });

  it('sends an answer’s parts until one may have gone through; the parts after it are what is left for the outbox', async () => {
    fake.failNext('sendMessage', { status: 'answer-lost' });
    const failure = await sendReplies(api, 42, [{ text: longAnswer }, { text: '这个回答有帮助吗？' }]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UnsentRepliesError);
    const unsent = failure as UnsentRepliesError;
    expect(unsent.possiblyDelivered).toBe(true);
    expect(unsent.unsentMessages).toBe(3);
    expect(unsent.rest).toBe(['二'.repeat(3_000), '三'.repeat(3_000), '这个回答有帮助吗？'].join('\n\n'));
    expect(fake.sent(42).map((sent) => sent.text)).toEqual(['一'.repeat(3_000)]);

    // a refusal (nothing delivered) keeps the refused part in what is left
    fake.failNext('sendMessage', { status: 400, description: 'chat not found' });
    const refused = (await sendReplies(api, 43, [{ text: '一' }, { text: '二' }]).catch((error: unknown) => error)) as UnsentRepliesError;
    expect(refused).toMatchObject({ possiblyDelivered: false, unsentMessages: 2, rest: '一\n\n二' });
  });
});

describe('a teacher’s reply through the outbox when the connection drops after Telegram took a part', () => {
  let db: Database;
  let fake: FakeBotApi;
  let outbox: Outbox;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.close());
  beforeEach(async () => {
    await db.query('delete from outbox');
    fake = await FakeBotApi.start();
    const api = new Api(fake.token, { apiRoot: fake.url });
    api.config.use(telegramRetries({ firstPauseSeconds: 0.01 }));
    outbox = new Outbox(db, { baseDelayMs: 0 });
    outbox.register('telegram', telegramSender(api));
  });
  afterEach(async () => fake.close());

  it('sends the parts after it and never that part again', async () => {
    fake.failNext('sendMessage', { status: 'answer-lost' });
    await outbox.enqueue('telegram', '42', longAnswer);
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 1, failed: 0 });
    expect(await outbox.deliverDue()).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(fake.sent(42).map((sent) => sent.text)).toEqual(['一'.repeat(3_000), '二'.repeat(3_000), '三'.repeat(3_000)]);
  });

  it('counts a one-part reply that may have gone through as sent, saying so, and does not send it again', async () => {
    fake.failNext('sendMessage', { status: 'answer-lost' });
    await outbox.enqueue('telegram', '42', '老师回复：押金可以要求退还。');
    expect(await outbox.deliverDue()).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(fake.sent(42).map((sent) => sent.text)).toEqual(['老师回复：押金可以要求退还。']);
    const { rows } = await db.query<{ status: string; last_error: string | null }>('select status, last_error from outbox');
    expect(rows).toEqual([{ status: 'sent', last_error: expect.stringContaining('may have been delivered') }]);
  });
});
