import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Database } from '../../store/database.ts';

/**
 * How failures of one key turn into waits: the first `limit - 1` failures cost nothing, the
 * `limit`-th blocks the key for `baseMs`, each further one twice as long (at most `maxMs`). The
 * count starts again after `windowMs` without a failure (keep it longer than `maxMs`).
 */
export interface ThrottleRule {
  limit: number;
  baseMs: number;
  maxMs: number;
  windowMs: number;
}

/**
 * Per client address, over every account: stops password spraying (one guess at many accounts).
 * Generous, since a school's teachers may share one address behind NAT.
 */
export const IP_RULE: ThrottleRule = { limit: 8, baseMs: 60_000, maxMs: 30 * 60_000, windowMs: 60 * 60_000 };

/** Per (account, address): stops guessing one account's password, without locking out its owner elsewhere. */
export const ACCOUNT_RULE: ThrottleRule = { limit: 5, baseMs: 30_000, maxMs: 30 * 60_000, windowMs: 60 * 60_000 };

export interface LoginThrottleOptions {
  now?: () => Date;
  ip?: Partial<ThrottleRule>;
  account?: Partial<ThrottleRule>;
}

/** Whether a login attempt may go ahead; when not, how long to wait and which count refused it. */
export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterMs: number; scope: 'ip' | 'account' };

/** The wait after the `failures`-th failure under `rule` (0 below the limit). */
export function delayAfter(failures: number, rule: ThrottleRule): number {
  if (failures < rule.limit) return 0;
  return Math.min(rule.maxMs, rule.baseMs * 2 ** Math.min(failures - rule.limit, 30));
}

/** The username as the count keys it: trimmed, lower case, at most 64 characters (unknown names count too). */
function accountKey(username: string): string {
  return username.trim().toLowerCase().slice(0, 64);
}

/**
 * The address a count is kept for: IPv4 as is (an IPv4-mapped IPv6 address as its IPv4), IPv6 by
 * its /64 — one host usually holds a whole /64, so counting single IPv6 addresses would not hold it back.
 */
export function addressKey(address: string): string {
  const trimmed = address.trim().toLowerCase().replace(/^\[|\]$/gu, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/u.exec(trimmed);
  if (mapped) return mapped[1]!;
  if (!trimmed.includes(':')) return trimmed.slice(0, 64) || 'unknown';
  const [head = '', tail = ''] = trimmed.split('%')[0]!.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = trimmed.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/u, ''))
    .join(':')}::/64`;
}

/**
 * The client's address: the connection's peer, or — when `trustProxy` says a reverse proxy sits
 * in front — the last X-Forwarded-For entry (the one that proxy added; earlier ones are the
 * client's own say and could be forged).
 */
export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',').map((part) => part.trim()).filter(Boolean);
    const last = forwarded?.at(-1);
    if (last) return last;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // no Node connection (app.request in tests)
  }
}

/**
 * Login throttling kept in the database (`login_failures`), so that several instances share it:
 * failures are counted per client address across all accounts ({@link IP_RULE}) and per
 * (account, address) ({@link ACCOUNT_RULE}), and each count past its limit blocks further attempts
 * for a growing time. A success clears only its (account, address) count — a sprayer who owns one
 * account cannot reset the address count with it. A stranger's failures never stop the owner from
 * signing in from another address.
 *
 * @example
 * const decision = await throttle.check(username, ip);
 * if (!decision.allowed) return tooMany(decision.retryAfterMs);
 * if (ok) await throttle.recordSuccess(username, ip); else await throttle.recordFailure(username, ip);
 */
export class LoginThrottle {
  readonly #now: () => Date;
  readonly #rules: { ip: ThrottleRule; account: ThrottleRule };

  constructor(
    readonly db: Database,
    options: LoginThrottleOptions = {},
  ) {
    this.#now = options.now ?? (() => new Date());
    this.#rules = { ip: { ...IP_RULE, ...options.ip }, account: { ...ACCOUNT_RULE, ...options.account } };
  }

  /** Whether an attempt for `username` from `address` may be checked now (blocked attempts are not counted). */
  async check(username: string, address: string): Promise<ThrottleDecision> {
    const now = this.#now();
    const { rows } = await this.db.query<{ scope: 'ip' | 'account'; blocked_until: Date }>(
      `select scope, blocked_until from login_failures
        where ip = $1 and ((scope = 'ip' and username = '') or (scope = 'account' and username = $2)) and blocked_until > $3
        order by blocked_until desc limit 1`,
      [addressKey(address), accountKey(username), now],
    );
    const row = rows[0];
    if (!row) return { allowed: true };
    return { allowed: false, scope: row.scope, retryAfterMs: new Date(row.blocked_until).getTime() - now.getTime() };
  }

  /** Counts a failed attempt on both counts; resolves with the wait it imposes from now (0: none). */
  async recordFailure(username: string, address: string): Promise<number> {
    const now = this.#now();
    const ip = addressKey(address);
    const ipWait = await this.#count('ip', ip, '', now);
    const accountWait = await this.#count('account', ip, accountKey(username), now);
    // expired counts go (there are at most a few per failure, so this stays cheap)
    const horizon = Math.max(this.#rules.ip.windowMs, this.#rules.account.windowMs);
    await this.db.query(`delete from login_failures where last_failure_at < $1 and (blocked_until is null or blocked_until < $2)`, [
      new Date(now.getTime() - horizon),
      now,
    ]);
    return Math.max(ipWait, accountWait);
  }

  /** A successful login clears its (account, address) count; the address count runs out by itself. */
  async recordSuccess(username: string, address: string): Promise<void> {
    await this.db.query(`delete from login_failures where scope = 'account' and ip = $1 and username = $2`, [addressKey(address), accountKey(username)]);
  }

  async #count(scope: 'ip' | 'account', ip: string, username: string, now: Date): Promise<number> {
    const rule = this.#rules[scope];
    // one statement, so concurrent failures (from several instances too) all count
    const { rows } = await this.db.query<{ failures: number }>(
      `insert into login_failures (scope, ip, username, failures, last_failure_at) values ($1, $2, $3, 1, $4)
       on conflict (scope, ip, username) do update set
         failures = case when login_failures.last_failure_at < $5 then 1 else login_failures.failures + 1 end,
         last_failure_at = $4
       returning failures`,
      [scope, ip, username, now, new Date(now.getTime() - rule.windowMs)],
    );
    const wait = delayAfter(Number(rows[0]!.failures), rule);
    if (wait > 0) {
      await this.db.query(
        `update login_failures set blocked_until = greatest(coalesce(blocked_until, $4), $4) where scope = $1 and ip = $2 and username = $3`,
        [scope, ip, username, new Date(now.getTime() + wait)],
      );
    }
    return wait;
  }
}
