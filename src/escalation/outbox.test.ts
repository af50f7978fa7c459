import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../store/database.ts';
import { createTestDatabase } from '../store/testing.ts';
import { Outbox, type ChannelSender } from './outbox.ts';

/** A channel that records what it was asked to send, failing the first `failures` sends. */
function fakeChannel(failures = 0): ChannelSender & { sent: [string, string][]; calls: number } {
  const channel = {
    sent: [] as [string, string][],
    calls: 0,
    async send(recipient: string, text: string) {
      channel.calls += 1;
      if (channel.calls <= failures) throw new Error(`429 Too Many Requests (${channel.calls})`);
      channel.sent.push([recipient, text]);
    },
  };
  return channel;
}

describe('the outbox', () => {
  let db: Database;
  let clock: Date;
  const now = () => clock;
  const status = async () =>
    (await db.query<{ status: string; attempts: number; last_error: string | null }>('select status, attempts, last_error from outbox order by id')).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.close());
  beforeEach(async () => {
    clock = new Date('2026-11-27T02:00:00Z');
    await db.query('delete from outbox');
  });

  it('delivers a queued message once, however many rounds run', async () => {
    const outbox = new Outbox(db, { now });
    const channel = fakeChannel();
    outbox.register('telegram', channel);
    await outbox.enqueue('telegram', '42', '老师回复');
    expect(await outbox.deliverDue()).toEqual({ sent: 1, retried: 0, failed: 0 });
    await outbox.deliverDue();
    expect(channel.sent).toEqual([['42', '老师回复']]);
    expect((await status())[0]).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('retries with exponential backoff, then marks the delivery failed with the error', async () => {
    const outbox = new Outbox(db, { now, maxAttempts: 3, baseDelayMs: 1_000 });
    const channel = fakeChannel(10);
    outbox.register('wechat', channel);
    await outbox.enqueue('wechat', 'wxid_1', 'hello');
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 1, failed: 0 });
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 0 }); // not due yet
    clock = new Date(clock.getTime() + 1_000);
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 1, failed: 0 });
    clock = new Date(clock.getTime() + 1_999);
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 0 }); // second wait is 2 s
    clock = new Date(clock.getTime() + 1);
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 1 });
    expect((await status())[0]).toMatchObject({ status: 'failed', attempts: 3, last_error: '429 Too Many Requests (3)' });
    expect(outbox.backoffMs(1)).toBe(1_000);
    expect(outbox.backoffMs(4)).toBe(8_000);
  });

  it('sends a failed delivery again when a teacher retries it', async () => {
    const outbox = new Outbox(db, { now, maxAttempts: 1 });
    const channel = fakeChannel(1);
    outbox.register('telegram', channel);
    await outbox.enqueue('telegram', '7', 'again');
    await outbox.deliverDue();
    const [{ id }] = (await db.query<{ id: number }>('select id from outbox')).rows as [{ id: number }];
    await outbox.retry(Number(id));
    expect(await outbox.deliverDue()).toMatchObject({ sent: 1 });
    expect(channel.sent).toEqual([['7', 'again']]);
  });

  it('takes over a delivery whose sender stopped mid-send once its lease runs out', async () => {
    const crashed = new Outbox(db, { now, leaseMs: 30_000 });
    crashed.register('telegram', { send: () => new Promise(() => {}) }); // never returns: the process "dies" here
    await crashed.enqueue('telegram', '9', 'after restart');
    void crashed.deliverDue();
    await expect.poll(async () => (await status())[0]?.status).toBe('sending');

    const restarted = new Outbox(db, { now });
    const channel = fakeChannel();
    restarted.register('telegram', channel);
    expect(await restarted.deliverDue()).toMatchObject({ sent: 0 }); // still leased
    clock = new Date(clock.getTime() + 30_001);
    expect(await restarted.deliverDue()).toMatchObject({ sent: 1 });
    expect(channel.sent).toEqual([['9', 'after restart']]);
  });

  it('claims one delivery at a time: after a crash mid-send only the one in flight waits for its lease, the rest go out at once', async () => {
    const crashed = new Outbox(db, { now, leaseMs: 60_000 });
    crashed.register('telegram', { send: () => new Promise(() => {}) }); // the process "dies" while sending the first
    for (const text of ['一', '二', '三']) await crashed.enqueue('telegram', '9', text);
    void crashed.deliverDue();
    await expect.poll(async () => (await status())[0]?.status).toBe('sending');
    expect((await status()).map((row) => row.status)).toEqual(['sending', 'pending', 'pending']);

    const restarted = new Outbox(db, { now });
    const channel = fakeChannel();
    restarted.register('telegram', channel);
    expect(await restarted.deliverDue()).toEqual({ sent: 2, retried: 0, failed: 0 });
    expect(channel.sent).toEqual([
      ['9', '二'],
      ['9', '三'],
    ]);
  });

  it('renews the lease while a slow send goes on, so that another server does not send it too', async () => {
    // the real clock: the lease (1 s) runs out while the send takes longer, unless renewed
    let release: () => void = () => undefined;
    const slow = fakeChannel();
    const sending = new Outbox(db, { leaseMs: 1_000 });
    sending.register('telegram', {
      send: async (recipient, text) => {
        await new Promise<void>((resolve) => (release = resolve));
        await slow.send(recipient, text);
      },
    });
    await sending.enqueue('telegram', '9', '老师回复');
    const round = sending.deliverDue();
    await expect.poll(async () => (await status())[0]?.status).toBe('sending');
    const other = new Outbox(db, { leaseMs: 1_000 });
    const otherChannel = fakeChannel();
    other.register('telegram', otherChannel);
    for (let check = 0; check < 3; check += 1) {
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(await other.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 0 });
    }
    release();
    expect(await round).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(slow.sent).toEqual([['9', '老师回复']]);
    expect(otherChannel.sent).toEqual([]);
  });

  it('leaves messages of channels without a sender waiting', async () => {
    const outbox = new Outbox(db, { now });
    outbox.register('telegram', fakeChannel());
    await outbox.enqueue('wechat', 'x', 'waits');
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect((await status())[0]).toMatchObject({ status: 'pending', attempts: 0 });
  });
});
