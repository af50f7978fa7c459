import type { Database } from '../../store/database.ts';
import type { TicketDesk, TicketEvent } from '../../escalation/tickets.ts';

/**
 * Ticket changes for the dashboard's live view: the desk's own events, and — while anyone is
 * watching — a cheap poll of the tickets table every `pollMs`, which catches changes made by
 * another process on a shared Postgres (a channel worker with its own desk).
 *
 * @example
 * const live = new LiveTickets(desk, db);
 * const stop = live.subscribe((event) => stream.writeSSE({ event: 'ticket', data: JSON.stringify(event) }));
 */
export class LiveTickets {
  readonly #listeners = new Set<(event: TicketEvent) => void>();
  #offDesk: (() => void) | null = null;
  #timer: NodeJS.Timeout | null = null;
  #fingerprint: string | null = null;
  #sawDeskEvent = false;

  constructor(
    readonly desk: TicketDesk,
    readonly db: Database,
    readonly pollMs = 15_000,
  ) {}

  /** Listens until the returned function is called. */
  subscribe(listener: (event: TicketEvent) => void): () => void {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1) this.#start();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#stop();
    };
  }

  /** Watchers connected now. */
  get watchers(): number {
    return this.#listeners.size;
  }

  #emit(event: TicketEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  #start(): void {
    this.#offDesk = this.desk.onChange((event) => {
      this.#sawDeskEvent = true;
      this.#emit(event);
    });
    if (this.pollMs > 0) {
      // The baseline now: a change made elsewhere before the first tick must count as a change.
      void this.#poll();
      this.#timer = setInterval(() => void this.#poll(), this.pollMs);
      this.#timer.unref();
    }
  }

  #stop(): void {
    this.#offDesk?.();
    this.#offDesk = null;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#fingerprint = null;
  }

  async #poll(): Promise<void> {
    let fingerprint: string;
    try {
      const { rows } = await this.db.query<{ n: number; updated: Date | null; messages: number | null }>(
        `select count(*)::int as n, max(updated_at) as updated, (select max(id) from ticket_messages)::float8 as messages from tickets`,
      );
      const row = rows[0]!;
      fingerprint = `${row.n}|${row.updated ? new Date(row.updated).getTime() : 0}|${row.messages ?? 0}`;
    } catch {
      return; // the database is closing; the next poll (if any) tries again
    }
    const changed = this.#fingerprint !== null && fingerprint !== this.#fingerprint;
    this.#fingerprint = fingerprint;
    // Changes this process made were announced already; only unexplained ones are announced here.
    if (changed && !this.#sawDeskEvent) this.#emit({ type: 'ticket', ticketId: 0, action: 'changed' });
    this.#sawDeskEvent = false;
  }
}
