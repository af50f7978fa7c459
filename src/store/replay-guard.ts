import type { Queryable } from './database.ts';

/** Remembers webhook request keys (nonces, update ids) until they expire: a key is claimed once. */
export interface ReplayClaims {
  /**
   * Claims `key` in `scope` until `expiresAt`: `true` the first time, `false` while an earlier
   * claim of it has not expired (a replay).
   */
  claim(scope: string, key: string, expiresAt: Date): Promise<boolean>;
  /** Gives a claim back (the request it stood for was not handled, so its retry must be). */
  release(scope: string, key: string): Promise<void>;
}

/**
 * Claims in the database (`webhook_replays`), shared by every instance on it. Expired rows are
 * deleted now and then as claims come in (at most once every `sweepEveryMs`).
 *
 * @example
 * const replays = new ReplayGuard(db);
 * if (!(await replays.claim('wechat-oa', nonce, new Date(Date.now() + 300_000)))) return refuse();
 */
export class ReplayGuard implements ReplayClaims {
  #lastSweep = 0;

  constructor(
    readonly db: Queryable,
    private readonly options: { sweepEveryMs?: number; now?: () => Date } = {},
  ) {}

  async claim(scope: string, key: string, expiresAt: Date): Promise<boolean> {
    const now = (this.options.now ?? (() => new Date()))();
    if (now.getTime() - this.#lastSweep >= (this.options.sweepEveryMs ?? 60_000)) {
      this.#lastSweep = now.getTime();
      await this.db.query('delete from webhook_replays where expires_at < $1', [now]);
    }
    // A row whose claim expired is taken over; a live one is a replay.
    const { rows } = await this.db.query(
      `insert into webhook_replays (scope, key, expires_at) values ($1, $2, $3)
       on conflict (scope, key) do update set expires_at = excluded.expires_at where webhook_replays.expires_at < $4
       returning 1`,
      [scope, key, expiresAt, now],
    );
    return rows.length === 1;
  }

  async release(scope: string, key: string): Promise<void> {
    await this.db.query('delete from webhook_replays where scope = $1 and key = $2', [scope, key]);
  }
}

/** Claims in this process only (tests, and a webhook mounted without a database). */
export class MemoryReplayGuard implements ReplayClaims {
  readonly #claims = new Map<string, number>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async claim(scope: string, key: string, expiresAt: Date): Promise<boolean> {
    const now = this.now().getTime();
    for (const [claimed, until] of this.#claims) if (until < now) this.#claims.delete(claimed);
    const id = `${scope}\u0000${key}`;
    if ((this.#claims.get(id) ?? -Infinity) >= now) return false;
    this.#claims.set(id, expiresAt.getTime());
    return true;
  }

  async release(scope: string, key: string): Promise<void> {
    this.#claims.delete(`${scope}\u0000${key}`);
  }
}
