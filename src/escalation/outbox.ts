import type { Database } from '../store/database.ts';
import type { Logger } from 'pino';
import { whileLeased } from '../store/lease.ts';

/** What a channel adapter offers the outbox: send one text message to one recipient. */
export interface ChannelSender {
  /**
   * Rejects when the message was not delivered (the outbox retries it later); with
   * `PartlyDeliveredError` when its first parts were (or may have been), so that only the rest is retried.
   */
  send(recipient: string, text: string): Promise<void>;
}

/**
 * What a sender rejects with when a message went out in part: the first parts were delivered (or
 * may have been: the connection failed after one was sent), and only `rest` is to be sent again —
 * nothing, when `rest` is empty (the delivery then counts as sent, with `reason` kept beside it).
 */
export class PartlyDeliveredError extends Error {
  override readonly name = 'PartlyDeliveredError';

  constructor(
    readonly rest: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export interface OutboxOptions {
  now?: () => Date;
  /** Attempts before a delivery is marked failed (shown on the ticket). */
  maxAttempts?: number;
  /** First retry delay; each further retry doubles it, up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How long a claimed delivery is held before another worker may take it over (a crashed sender). */
  leaseMs?: number;
  log?: Logger;
}

export interface DeliveryRound {
  sent: number;
  retried: number;
  failed: number;
}

interface DueRow {
  id: number;
  channel: string;
  recipient: string;
  text: string;
  attempts: number;
}

/**
 * The transactional outbox's worker: replies are written to `outbox` in the same transaction as
 * the ticket change; this delivers them through the channel's sender, retrying with exponential
 * backoff, and marks each one sent or, after `maxAttempts`, failed. Deliveries are claimed one at
 * a time and the lease is renewed while the sender works: a delivery claimed by a process that
 * stopped is taken over when its lease runs out, so a reply saved before a crash is delivered
 * after the restart — and only the one in flight at the crash can arrive twice.
 *
 * @example
 * const outbox = new Outbox(db);
 * outbox.register('telegram', { send: (chatId, text) => bot.api.sendMessage(chatId, text).then(() => {}) });
 * outbox.start();
 */
export class Outbox {
  readonly #senders = new Map<string, ChannelSender>();
  readonly #now: () => Date;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #leaseMs: number;
  readonly #log: Logger | undefined;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<DeliveryRound> | null = null;

  constructor(
    readonly db: Database,
    options: OutboxOptions = {},
  ) {
    this.#now = options.now ?? (() => new Date());
    this.#maxAttempts = options.maxAttempts ?? 8;
    this.#baseDelayMs = options.baseDelayMs ?? 5_000;
    this.#maxDelayMs = options.maxDelayMs ?? 30 * 60_000;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#log = options.log;
  }

  /** Routes deliveries of `channel` to `sender`; channels without a sender wait in the outbox. */
  register(channel: string, sender: ChannelSender): void {
    this.#senders.set(channel, sender);
  }

  /** Channels that have a sender. */
  get channels(): string[] {
    return [...this.#senders.keys()];
  }

  /** Queues a message outside a ticket (e.g. a notice to a student). */
  async enqueue(channel: string, recipient: string, text: string, ticketId: number | null = null): Promise<void> {
    await this.db.query('insert into outbox (ticket_id, channel, recipient, text, next_attempt_at) values ($1, $2, $3, $4, $5)', [
      ticketId,
      channel,
      recipient,
      text,
      this.#now(),
    ]);
    this.poke();
  }

  /** The delay before the attempt after `attempts` failed ones. */
  backoffMs(attempts: number): number {
    return Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** Math.max(0, attempts - 1));
  }

  /** Sends due deliveries one at a time, up to `limit` (one round; rounds never overlap). */
  deliverDue(limit = 50): Promise<DeliveryRound> {
    if (this.#running) return this.#running.then(() => this.deliverDue(limit));
    this.#running = this.#deliver(limit).finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  /**
   * Claims the oldest due delivery not `tried` in this round (pending and due, or left `sending`
   * by a sender whose lease ran out), leased to this process. One at a time: at a crash only the delivery in flight is held
   * until its lease runs out (and may arrive twice); the others are still pending, for the next start.
   */
  async #claim(channels: string[], tried: number[]): Promise<DueRow | undefined> {
    const now = this.#now();
    const { rows } = await this.db.query<DueRow>(
      `update outbox set status = 'sending', attempts = attempts + 1, lease_until = $1
        where id = (
          select id from outbox
           where channel = any($2::text[])
             and ((status = 'pending' and next_attempt_at <= $3) or (status = 'sending' and lease_until < $3))
             and id <> all($4::bigint[])
           order by id limit 1 for update skip locked)
        returning id, channel, recipient, text, attempts`,
      [new Date(now.getTime() + this.#leaseMs), channels, now, tried],
    );
    return rows[0];
  }

  /** Sends one claimed delivery, renewing its lease while the sender works (a slow send is not taken over). */
  async #send(row: DueRow): Promise<void> {
    const sender = this.#senders.get(row.channel)!;
    await whileLeased(
      this.#leaseMs,
      () => this.db.query(`update outbox set lease_until = $2 where id = $1 and status = 'sending'`, [row.id, new Date(this.#now().getTime() + this.#leaseMs)]),
      () => sender.send(row.recipient, row.text),
    );
  }

  async #deliver(limit: number): Promise<DeliveryRound> {
    const round: DeliveryRound = { sent: 0, retried: 0, failed: 0 };
    const channels = this.channels;
    if (channels.length === 0) return round;
    // each delivery once a round (one that failed waits for its next attempt, even if due at once)
    const tried: number[] = [];
    while (tried.length < limit) {
      const row = await this.#claim(channels, tried);
      if (!row) break;
      tried.push(Number(row.id));
      try {
        await this.#send(row);
        await this.db.query(`update outbox set status = 'sent', sent_at = $2, lease_until = null, last_error = null where id = $1`, [row.id, this.#now()]);
        round.sent += 1;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (error instanceof PartlyDeliveredError) {
          if (error.rest.trim() === '') {
            // the last part may have gone through: not sent again (it could arrive twice)
            await this.db.query(`update outbox set status = 'sent', sent_at = $2, lease_until = null, last_error = $3 where id = $1`, [row.id, this.#now(), message.slice(0, 500)]);
            round.sent += 1;
            this.#log?.warn({ outboxId: Number(row.id), channel: row.channel, attempts: row.attempts }, 'delivery possibly complete: not sent again');
            continue;
          }
          // what went out is not sent again
          await this.db.query('update outbox set text = $2 where id = $1', [row.id, error.rest]);
        }
        const giveUp = row.attempts >= this.#maxAttempts;
        await this.db.query(
          `update outbox set status = $2, next_attempt_at = $3, lease_until = null, last_error = $4 where id = $1`,
          [row.id, giveUp ? 'failed' : 'pending', new Date(this.#now().getTime() + this.backoffMs(row.attempts)), message.slice(0, 500)],
        );
        if (giveUp) round.failed += 1;
        else round.retried += 1;
        this.#log?.warn({ outboxId: Number(row.id), channel: row.channel, attempts: row.attempts, giveUp }, 'delivery failed');
      }
    }
    return round;
  }

  /** Puts a failed delivery back in the queue (a teacher's "retry" on the ticket). */
  async retry(outboxId: number): Promise<void> {
    await this.db.query(`update outbox set status = 'pending', next_attempt_at = $2, attempts = 0 where id = $1 and status = 'failed'`, [outboxId, this.#now()]);
    this.poke();
  }

  /** Delivers every `intervalMs` until `stop()`. */
  start(intervalMs = 2_000): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.poke(), intervalMs);
    this.#timer.unref();
    this.poke();
  }

  /** Runs a delivery round soon (after a new reply), without waiting for it. */
  poke(): void {
    if (!this.#timer) return;
    this.deliverDue().catch((error: unknown) => this.#log?.error({ err: { message: (error as Error).message } }, 'outbox round failed'));
  }

  /** Stops the timer and waits for the round in progress. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running?.catch(() => undefined);
  }
}
