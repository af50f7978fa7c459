import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './database.ts';
import { MemoryReplayGuard, ReplayGuard } from './replay-guard.ts';
import { createTestDatabase } from './testing.ts';

describe('remembered webhook requests', () => {
  let db: Database;
  beforeAll(async () => {
    db = await createTestDatabase();
  }, 120_000);
  afterAll(async () => db?.close());

  it('claims a key once until it expires, shared by guards on one database; a released claim can be made again; expired rows are swept', async () => {
    let clock = new Date('2026-12-01T08:00:00Z');
    const now = () => clock;
    const one = new ReplayGuard(db, { now, sweepEveryMs: 0 });
    const other = new ReplayGuard(db, { now, sweepEveryMs: 0 });
    const in5min = () => new Date(clock.getTime() + 300_000);
    expect(await one.claim('wechat-oa-nonce', '123', in5min())).toBe(true);
    expect(await one.claim('wechat-oa-nonce', '123', in5min())).toBe(false);
    expect(await other.claim('wechat-oa-nonce', '123', in5min())).toBe(false);
    expect(await other.claim('telegram-update', '123', in5min())).toBe(true);
    await other.release('telegram-update', '123');
    expect(await one.claim('telegram-update', '123', in5min())).toBe(true);
    clock = new Date(clock.getTime() + 301_000);
    expect(await other.claim('wechat-oa-nonce', '456', in5min())).toBe(true);
    const { rows } = await db.query<{ key: string }>(`select key from webhook_replays order by key`);
    expect(rows.map((row) => row.key)).toEqual(['456']);
    expect(await one.claim('wechat-oa-nonce', '123', in5min())).toBe(true);
  });

  it('does the same in memory', async () => {
    let clock = new Date('2026-12-01T08:00:00Z');
    const guard = new MemoryReplayGuard(() => clock);
    const until = new Date(clock.getTime() + 1000);
    expect(await guard.claim('s', 'k', until)).toBe(true);
    expect(await guard.claim('s', 'k', until)).toBe(false);
    clock = new Date(clock.getTime() + 2000);
    expect(await guard.claim('s', 'k', new Date(clock.getTime() + 1000))).toBe(true);
  });
});
