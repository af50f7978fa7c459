import pino, { type Logger } from 'pino';
import type { Queryable } from '../store/database.ts';
import { KeyedQueue } from './keyed-queue.ts';
import { whileLeased } from '../store/lease.ts';

/** A stored channel message, as the inbox hands it to its channel's handler. */
export interface InboxMessage<T = unknown> {
  channel: string;
  /** The channel's id for the message, the key it is stored under (the core's message id too). */
  externalId: string;
  /** Whose messages it stays in order with (a chat, an OpenID…). */
  conversationKey: string;
  payload: T;
  /** 1 the first time; more when an earlier attempt failed or was cut short by a crash. */
  attempt: number;
}

/**
 * How a handled message was answered. `answeredInResponse`: in the response to the channel's own
 * request (the Official Account's passive reply), so a retry of that request means the answer
 * was lost on the way — `answeredInResponse()` then tells any server on the database so.
 */
export interface Handled {
  answeredInResponse?: boolean;
}

/**
 * Handles one stored message: the core's turn and sending its replies. Throwing retries it later.
 * The row is finished when it returns.
 */
export type InboxHandler<T = unknown> = (message: InboxMessage<T>) => Promise<void | Handled>;

/**
 * How a received message stands: `new` (stored now, handling queued), `pending` (stored before
 * and not finished: it is or will be handled, not again), `finished` (handled, or parked).
 */
export type Receipt = 'new' | 'pending' | 'finished';

export interface InboxOptions {
  log?: Logger;
  /** Attempts at a message before it is parked (default 5); a crash mid-attempt counts. */
  maxAttempts?: number;
  /** Wait before retrying a message whose handler threw, times the attempt number (default 1,000 ms). */
  retryDelayMs?: number;
  /**
   * Who this server is, among several on one database (default `local`). A row being handled is
   * leased to it for `leaseMs`; a restarted server with the same name takes its own rows up at
   * once, another one only after the lease ran out. `zhiyin serve` uses `<host>:<PORT>`.
   */
  instance?: string;
  /** How long a row stays leased to the server handling it (default 5 minutes). */
  leaseMs?: number;
}

const errorName = (error: unknown): string => (error instanceof Error ? error.name : typeof error);

/**
 * Channel messages stored before the channel is told they arrived, and handled from the store:
 * a crash loses nothing that was acknowledged. Rows live in `inbound_messages`, the table the
 * core de-duplicates on, one per (channel, message id).
 *
 * - `receive` stores a message once (a repeat of it is reported, not stored again) and resolves
 *   when the row is committed: only then may the channel confirm it (Telegram's next offset, a
 *   webhook's 200).
 * - `start(channel, handler)` handles the channel's unfinished rows (a crash's leftovers) and from
 *   then on each one received: one conversation's rows in order of arrival, conversations
 *   concurrently. A row is finished right after its handler returns (its replies are out), and
 *   marked when its answer went out in the response to the channel's request (a passive reply):
 *   `answeredInResponse` tells every server on the database, and a restarted one, for a while.
 * - A row taken up again after a crash mid-handling has the core's handled mark cleared, so the
 *   core answers it again (without recording the student's message twice): at least once; a
 *   reply sent just before the crash is sent again.
 * - A row's lease is renewed while its handler runs, so a slow turn (under load, or a channel
 *   waiting on its API) is not taken up by another server as if this one had died.
 * - A handler that throws is retried after a growing delay; after `maxAttempts` attempts the row
 *   is parked (payload kept, logged without text) and the conversation's next rows go on.
 *
 * @example
 * const inbox = new Inbox(db, { log });
 * await inbox.start('telegram', async ({ payload }) => bot.handleUpdate(payload as Update));
 * if ((await inbox.receive('telegram', key, chatId, update)) !== 'new') log.info('a repeat');
 */
export class Inbox {
  readonly #log: Logger;
  readonly #maxAttempts: number;
  readonly #retryDelayMs: number;
  readonly #instance: string;
  readonly #leaseMs: number;
  readonly #sweeps = new Map<string, NodeJS.Timeout>();
  readonly #queue = new KeyedQueue();
  readonly #handlers = new Map<string, InboxHandler>();
  /** Conversations whose drain is queued and not yet begun (a new row needs no second one). */
  readonly #queued = new Set<string>();
  readonly #running = new Map<string, Set<Promise<unknown>>>();
  /** Wakes a channel's retry waits when it stops. */
  readonly #wake = new Map<string, Set<() => void>>();

  constructor(
    readonly db: Queryable,
    options: InboxOptions = {},
  ) {
    this.#log = options.log ?? pino({ level: 'silent' });
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#retryDelayMs = options.retryDelayMs ?? 1_000;
    this.#instance = options.instance ?? 'local';
    this.#leaseMs = options.leaseMs ?? 5 * 60_000;
  }

  /** Stores a message unless it was stored before; resolves once the row is committed. */
  async receive(channel: string, externalId: string, conversationKey: string, payload: unknown): Promise<Receipt> {
    const { rows } = await this.db.query(
      `insert into inbound_messages (channel, message_id, conversation_key, payload) values ($1, $2, $3, $4::jsonb)
       on conflict (channel, message_id) do nothing returning 1`,
      [channel, externalId, conversationKey, JSON.stringify(payload)],
    );
    if (rows.length === 1) {
      this.#schedule(channel, conversationKey);
      return 'new';
    }
    const stored = await this.db.query<{ finished: boolean }>(
      `select (payload is null or finished_at is not null or parked_at is not null) as finished
       from inbound_messages where channel = $1 and message_id = $2`,
      [channel, externalId],
    );
    return stored.rows[0]?.finished === false ? 'pending' : 'finished';
  }

  /**
   * Whether the message was finished with its answer given in the response to the channel's
   * request (its handler returned `{ answeredInResponse: true }`) less than `withinMs` ago — on
   * any server on this database, before a restart too. An older mark counts for nothing: a repeat
   * long after is not the channel's retry.
   */
  async answeredInResponse(channel: string, externalId: string, withinMs: number): Promise<boolean> {
    const { rows } = await this.db.query(
      `select 1 from inbound_messages
       where channel = $1 and message_id = $2 and finished_at is not null
         and answered_in_response_at > now() - make_interval(secs => $3)`,
      [channel, externalId, withinMs / 1000],
    );
    return rows.length === 1;
  }

  /** Handles `channel`'s rows with `handler`: the unfinished ones now, then each one received. */
  async start<T>(channel: string, handler: InboxHandler<T>): Promise<void> {
    this.#handlers.set(channel, handler as InboxHandler);
    await this.#takeUp(channel);
    // Rows another server leased and then left (it died) come free when the lease runs out.
    clearInterval(this.#sweeps.get(channel));
    const sweep = setInterval(() => void this.#takeUp(channel).catch(() => undefined), Math.max(1_000, this.#leaseMs / 2));
    sweep.unref();
    this.#sweeps.set(channel, sweep);
  }

  /** Schedules every conversation with unfinished rows that no other live server holds. */
  async #takeUp(channel: string): Promise<void> {
    if (!this.#handlers.has(channel)) return;
    const { rows } = await this.db.query<{ conversation_key: string }>(
      `select conversation_key from inbound_messages
       where channel = $1 and payload is not null and finished_at is null and parked_at is null
         and (leased_until is null or leased_until < now() or leased_by = $2)
       group by conversation_key order by min(seq)`,
      [channel, this.#instance],
    );
    const waiting = rows.filter((row) => !this.#queued.has(`${channel}\u0000${row.conversation_key}`));
    if (waiting.length > 0) this.#log.info({ channel, conversations: waiting.length }, 'inbox: unfinished messages taken up again');
    for (const row of waiting) this.#schedule(channel, row.conversation_key);
  }

  /** Takes no further rows of `channel`; resolves when the ones being handled are finished. */
  async stop(channel: string): Promise<void> {
    this.#handlers.delete(channel);
    clearInterval(this.#sweeps.get(channel));
    this.#sweeps.delete(channel);
    for (const wake of this.#wake.get(channel) ?? []) wake();
    const running = this.#running.get(channel);
    while (running && running.size > 0) await Promise.allSettled([...running]);
  }

  /** Resolves when no row of `channel` is queued or being handled (tests, benches). */
  async idle(channel: string): Promise<void> {
    const running = this.#running.get(channel);
    while (running && running.size > 0) await Promise.allSettled([...running]);
  }

  #schedule(channel: string, conversationKey: string): void {
    if (!this.#handlers.has(channel)) return; // taken up by start()
    const id = `${channel}\u0000${conversationKey}`;
    if (this.#queued.has(id)) return;
    this.#queued.add(id);
    const running = this.#running.get(channel) ?? new Set<Promise<unknown>>();
    this.#running.set(channel, running);
    const drain = this.#queue.run(id, async () => {
      this.#queued.delete(id);
      await this.#drain(channel, conversationKey);
    });
    const tracked = drain.catch((error: unknown) => this.#log.error({ channel, errorName: errorName(error) }, 'inbox: a conversation stopped being handled'));
    running.add(tracked);
    void tracked.then(() => running.delete(tracked));
  }

  /** Handles the conversation's unfinished rows, oldest first, until none is left. */
  async #drain(channel: string, conversationKey: string): Promise<void> {
    for (;;) {
      const handler = this.#handlers.get(channel);
      if (!handler) return;
      // Claims the oldest unfinished row, unless another live server holds it (then that server
      // goes on with this conversation): leases it, counts the attempt and clears the core's
      // handled mark (an attempt cut short may have left it set with replies unsent) and the mark
      // of an answer in the response (this attempt answers anew).
      const { rows } = await this.db.query<{ message_id: string; payload: unknown; attempts: number; seq: number }>(
        `update inbound_messages set attempts = attempts + 1, handled_at = null, answered_in_response_at = null,
                leased_by = $3, leased_until = now() + make_interval(secs => $4)
         where channel = $1 and message_id = (
           select message_id from inbound_messages
           where channel = $1 and conversation_key = $2 and payload is not null and finished_at is null and parked_at is null
           order by seq limit 1)
           and (leased_until is null or leased_until < now() or leased_by = $3)
         returning message_id, payload, attempts, seq`,
        [channel, conversationKey, this.#instance, this.#leaseMs / 1000],
      );
      const row = rows[0];
      if (!row) return;
      const seq = Number(row.seq);
      if (row.attempts > this.#maxAttempts) {
        await this.#park(channel, row.message_id, seq, row.attempts);
        continue;
      }
      let handled: void | Handled;
      try {
        handled = await whileLeased(
          this.#leaseMs,
          () => this.#renewLease(channel, row.message_id),
          () => handler({ channel, externalId: row.message_id, conversationKey, payload: row.payload, attempt: row.attempts }),
          (error) => this.#log.warn({ channel, errorName: errorName(error) }, 'inbox: lease not renewed'),
        );
      } catch (error) {
        this.#log.warn({ channel, seq, attempt: row.attempts, errorName: errorName(error) }, 'inbox: handling failed');
        if (row.attempts >= this.#maxAttempts) await this.#park(channel, row.message_id, seq, row.attempts);
        else await this.#pause(channel, this.#retryDelayMs * row.attempts);
        continue;
      }
      await this.db.query(
        `update inbound_messages set finished_at = now(), handled_at = coalesce(handled_at, now()), payload = null, leased_until = null,
                answered_in_response_at = case when $3 then now() end
         where channel = $1 and message_id = $2`,
        [channel, row.message_id, handled?.answeredInResponse === true],
      );
    }
  }

  /** Renews the lease on a row while its handler runs (see `whileLeased`). */
  #renewLease(channel: string, messageId: string): Promise<unknown> {
    return this.db.query(
      `update inbound_messages set leased_until = now() + make_interval(secs => $4)
       where channel = $1 and message_id = $2 and leased_by = $3 and finished_at is null`,
      [channel, messageId, this.#instance, this.#leaseMs / 1000],
    );
  }

  async #park(channel: string, messageId: string, seq: number, attempts: number): Promise<void> {
    await this.db.query('update inbound_messages set parked_at = now() where channel = $1 and message_id = $2', [channel, messageId]);
    this.#log.error({ channel, seq, attempts }, 'inbox: message parked after too many attempts (not handled again by itself)');
  }

  /** Waits `ms`, or less when the channel stops. */
  async #pause(channel: string, ms: number): Promise<void> {
    const wakers = this.#wake.get(channel) ?? new Set<() => void>();
    this.#wake.set(channel, wakers);
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakers.add(done);
    });
  }
}
