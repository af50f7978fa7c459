import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Database } from '../store/database.ts';
import { createTestDatabase } from '../store/testing.ts';
import { Inbox, type InboxMessage } from './inbox.ts';

const later = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('Inbox', () => {
  let db: Database;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.close());
  beforeEach(async () => {
    await db.query('delete from inbound_messages');
  });

  it('stores a message once: a repeat is pending while it is handled, finished after, and handled once', async () => {
    const inbox = new Inbox(db);
    const handled: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await inbox.start<{ text: string }>('telegram', async ({ payload }) => {
      await gate;
      handled.push(payload.text);
    });
    expect(await inbox.receive('telegram', 'm1', 'chat-1', { text: '实习押金' })).toBe('new');
    expect(await inbox.receive('telegram', 'm1', 'chat-1', { text: '实习押金' })).toBe('pending');
    release();
    await inbox.idle('telegram');
    expect(await inbox.receive('telegram', 'm1', 'chat-1', { text: '实习押金' })).toBe('finished');
    await inbox.idle('telegram');
    expect(handled).toEqual(['实习押金']);
    // the text is not kept once the message is finished (it lives in the conversation's history)
    const { rows } = await db.query<{ payload: unknown; finished: boolean }>(
      `select payload, finished_at is not null as finished from inbound_messages where message_id = 'm1'`,
    );
    expect(rows).toEqual([{ payload: null, finished: true }]);
  });

  it('handles one conversation in order of arrival while others go on', async () => {
    const inbox = new Inbox(db);
    const order: string[] = [];
    await inbox.start<{ text: string }>('telegram', async ({ conversationKey, payload }) => {
      if (payload.text === '1') await later(80);
      order.push(`${conversationKey}:${payload.text}`);
    });
    for (const text of ['1', '2', '3']) await inbox.receive('telegram', `a-${text}`, 'a', { text });
    await inbox.receive('telegram', 'b-1', 'b', { text: 'x' });
    await inbox.idle('telegram');
    expect(order.filter((entry) => entry.startsWith('a:'))).toEqual(['a:1', 'a:2', 'a:3']);
    expect(order.indexOf('b:x')).toBeLessThan(order.indexOf('a:1'));
  });

  it('at start takes up what a stopped process left: stored rows, and a row cut short (its handled mark cleared, attempt 2)', async () => {
    const before = new Inbox(db);
    // received while no handler runs (the process died before handling)
    await before.receive('wechat-oa', 'late-1', 'o1', { text: '一' });
    await before.receive('wechat-oa', 'late-2', 'o1', { text: '二' });
    // a row whose first attempt got as far as the core's handled mark, then the process died
    await before.receive('wechat-oa', 'cut', 'o2', { text: '三' });
    await db.query(`update inbound_messages set attempts = 1, handled_at = now() where message_id = 'cut'`);

    const after = new Inbox(db);
    const seen: { id: string; attempt: number; handledMark: boolean }[] = [];
    await after.start('wechat-oa', async (message: InboxMessage) => {
      const { rows } = await db.query<{ marked: boolean }>(
        `select handled_at is not null as marked from inbound_messages where message_id = $1`,
        [message.externalId],
      );
      seen.push({ id: message.externalId, attempt: message.attempt, handledMark: rows[0]!.marked });
    });
    await after.idle('wechat-oa');
    expect(seen.filter((entry) => entry.id.startsWith('late')).map((entry) => entry.id)).toEqual(['late-1', 'late-2']);
    expect(seen.find((entry) => entry.id === 'cut')).toEqual({ id: 'cut', attempt: 2, handledMark: false });
    const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from inbound_messages where finished_at is null`);
    expect(rows[0]!.n).toBe(0);
  });

  it('remembers in the database that a message was answered in the response to its request, for any inbox on it, for a while; a new attempt clears the mark', async () => {
    const answering = new Inbox(db, { instance: 'a' });
    await answering.start<{ passive: boolean }>('wechat-oa', async ({ payload }) => ({ answeredInResponse: payload.passive }));
    await answering.receive('wechat-oa', 'passive', 'o1', { passive: true });
    await answering.receive('wechat-oa', 'sent-later', 'o1', { passive: false });
    await answering.idle('wechat-oa');
    await answering.stop('wechat-oa');
    // another server, or this one restarted: nothing in memory
    const other = new Inbox(db, { instance: 'b' });
    expect(await other.answeredInResponse('wechat-oa', 'passive', 60_000)).toBe(true);
    expect(await other.answeredInResponse('wechat-oa', 'sent-later', 60_000)).toBe(false);
    expect(await other.answeredInResponse('wechat-oa', 'never-seen', 60_000)).toBe(false);
    // a mark older than the window counts for nothing
    await db.query(`update inbound_messages set answered_in_response_at = now() - interval '2 minutes' where message_id = 'passive'`);
    expect(await other.answeredInResponse('wechat-oa', 'passive', 60_000)).toBe(false);
    // an attempt that is cut short (a crash) after a passive answer: the row is handled anew, and its mark is gone until that attempt marks it
    await other.receive('wechat-oa', 'cut', 'o2', { passive: true });
    await db.query(`update inbound_messages set attempts = 1, answered_in_response_at = now() where message_id = 'cut'`);
    let markSeen: boolean | undefined;
    await other.start('wechat-oa', async () => {
      markSeen = await other.answeredInResponse('wechat-oa', 'cut', 60_000);
      const { rows } = await db.query<{ marked: boolean }>(`select answered_in_response_at is not null as marked from inbound_messages where message_id = 'cut'`);
      markSeen = markSeen || rows[0]!.marked;
    });
    await other.idle('wechat-oa');
    await other.stop('wechat-oa');
    expect(markSeen).toBe(false);
    expect(await other.answeredInResponse('wechat-oa', 'cut', 60_000)).toBe(false);
  });

  it('retries a message whose handling fails, then parks it with a log line without its text; the conversation goes on', async () => {
    const lines: string[] = [];
    const log = pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString('utf8'));
          done();
        },
      }),
    );
    const inbox = new Inbox(db, { log, maxAttempts: 3, retryDelayMs: 5 });
    const attempts: string[] = [];
    await inbox.start<{ text: string }>('wechat', async ({ payload, attempt }) => {
      attempts.push(`${payload.text}#${attempt}`);
      if (payload.text === '坏消息') throw new Error(`cannot handle ${payload.text}`);
    });
    await inbox.receive('wechat', 'bad', 'w1', { text: '坏消息' });
    await inbox.receive('wechat', 'good', 'w1', { text: '好消息' });
    await inbox.idle('wechat');
    expect(attempts).toEqual(['坏消息#1', '坏消息#2', '坏消息#3', '好消息#1']);
    const { rows } = await db.query<{ message_id: string; parked: boolean; finished: boolean }>(
      `select message_id, parked_at is not null as parked, finished_at is not null as finished from inbound_messages order by seq`,
    );
    expect(rows).toEqual([
      { message_id: 'bad', parked: true, finished: false },
      { message_id: 'good', parked: false, finished: true },
    ]);
    expect(await inbox.receive('wechat', 'bad', 'w1', { text: '坏消息' })).toBe('finished');
    const logged = lines.join('');
    expect(logged).toContain('inbox: message parked after too many attempts');
    expect(logged).not.toMatch(/坏消息|好消息/u);
  });

  it('stops taking rows: one received after stop waits for the next start', async () => {
    const inbox = new Inbox(db);
    const handled: string[] = [];
    const handler = async ({ externalId }: InboxMessage): Promise<void> => {
      handled.push(externalId);
    };
    await inbox.start('telegram', handler);
    await inbox.stop('telegram');
    expect(await inbox.receive('telegram', 'after-stop', 'c', {})).toBe('new');
    await inbox.idle('telegram');
    expect(handled).toEqual([]);
    await inbox.start('telegram', handler);
    await inbox.idle('telegram');
    expect(handled).toEqual(['after-stop']);
  });

  it('several servers on one database: a row another live server is handling is left to it; one a dead server leased is taken up when its lease runs out; a restarted server takes its own rows at once', async () => {
    const handledBy: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const a = new Inbox(db, { instance: 'a', leaseMs: 60_000 });
    await a.start('telegram', async ({ externalId }) => {
      await gate;
      handledBy.push(`a:${externalId}`);
    });
    await a.receive('telegram', 'held', 'c1', {});
    await later(50); // a has leased it and is handling it
    const b = new Inbox(db, { instance: 'b', leaseMs: 60_000 });
    await b.start('telegram', async ({ externalId }) => void handledBy.push(`b:${externalId}`));
    await b.idle('telegram');
    expect(handledBy).toEqual([]); // b left a's row alone
    release();
    await a.idle('telegram');
    expect(handledBy).toEqual(['a:held']);
    await a.stop('telegram');
    await b.stop('telegram');

    // c leases a row and dies with it (its handler never returns, its database connection is gone: no lease renewed)
    let cDead = false;
    const cDb = Object.assign(Object.create(db) as Database, {
      query: ((...args: Parameters<Database['query']>) => (cDead ? new Promise(() => {}) : db.query(...args))) as Database['query'],
    });
    const c = new Inbox(cDb, { instance: 'c', leaseMs: 1_500 });
    await c.start('telegram', () => new Promise<void>(() => {}));
    await c.receive('telegram', 'orphan', 'c2', {});
    await later(50);
    cDead = true;
    const d = new Inbox(db, { instance: 'd', leaseMs: 1_500 });
    const taken = new Promise<string>((resolve) => void d.start('telegram', async ({ externalId, attempt }) => resolve(`${externalId}#${attempt}`)));
    expect(await taken).toBe('orphan#2'); // after c's lease ran out, by d's sweep
    await d.stop('telegram');

    // a server restarted under its name does not wait for its own lease
    const e1 = new Inbox(db, { instance: 'e', leaseMs: 60_000 });
    await e1.start('telegram', () => new Promise<void>(() => {}));
    await e1.receive('telegram', 'mine', 'c3', {});
    await later(50);
    const e2 = new Inbox(db, { instance: 'e', leaseMs: 60_000 });
    const again = new Promise<string>((resolve) => void e2.start('telegram', async ({ externalId }) => resolve(externalId)));
    expect(await again).toBe('mine');
    await e2.stop('telegram');
  });

  it('renews the lease while a slow handler runs: another server does not take the row up as if its server had died', async () => {
    const handledBy: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = new Inbox(db, { instance: 'slow', leaseMs: 1_000 });
    await slow.start('telegram', async ({ externalId }) => {
      await gate;
      handledBy.push(`slow:${externalId}`);
    });
    await slow.receive('telegram', 'long-turn', 'c4', {});
    await later(50);
    // the other server sweeps every second for rows whose lease ran out
    const other = new Inbox(db, { instance: 'other', leaseMs: 1_000 });
    await other.start('telegram', async ({ externalId }) => void handledBy.push(`other:${externalId}`));
    await later(2_500);
    await other.idle('telegram');
    expect(handledBy).toEqual([]);
    release();
    await slow.idle('telegram');
    await other.stop('telegram');
    await slow.stop('telegram');
    expect(handledBy).toEqual(['slow:long-turn']);
  });
});
