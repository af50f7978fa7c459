import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from '../../store/database.ts';
import { toUser, type User, type UserRow } from './users.ts';

/** A signed-in browser: its user and the CSRF token its forms must send back. */
export interface Session {
  user: User;
  csrfToken: string;
  expiresAt: Date;
}

export interface SessionStoreOptions {
  now?: () => Date;
  /** How long a session lasts from login (default 12 hours; not extended by use). */
  ttlMs?: number;
}

/** A random token for a cookie or a form (32 bytes, base64url). */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** What the database keeps of a session token (hex SHA-256). */
export function sessionTokenHash(token: string): string {
  return sha256(token).toString('hex');
}

/**
 * Compares two secrets in time independent of where they differ (both are hashed first, so their
 * lengths do not show either).
 *
 * @example sameSecret(sentToken, session.csrfToken)
 */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/**
 * Dashboard sessions (`web_sessions`): the browser holds a random 32-byte token, the database
 * only its SHA-256, so a leaked table opens no session. Each session has its own CSRF token. A
 * disabled account's sessions are deleted when it is disabled, and never found.
 *
 * @example
 * const { token } = await sessions.create(user.id);
 * const session = await sessions.find(token); // null once expired or logged out
 */
export class SessionStore {
  readonly #now: () => Date;
  readonly #ttlMs: number;

  constructor(
    readonly db: Database,
    options: SessionStoreOptions = {},
  ) {
    this.#now = options.now ?? (() => new Date());
    this.#ttlMs = options.ttlMs ?? 12 * 60 * 60_000;
  }

  /** Starts a session for a user (and sweeps expired ones). */
  async create(userId: number): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
    const now = this.#now();
    const token = randomToken();
    const csrfToken = randomToken();
    const expiresAt = new Date(now.getTime() + this.#ttlMs);
    await this.db.query('delete from web_sessions where expires_at <= $1', [now]);
    await this.db.query('insert into web_sessions (token_hash, user_id, csrf_token, expires_at, created_at) values ($1, $2, $3, $4, $5)', [
      sessionTokenHash(token),
      userId,
      csrfToken,
      expiresAt,
      now,
    ]);
    return { token, csrfToken, expiresAt };
  }

  /** The live session of a token, or null (unknown, expired, logged out). */
  async find(token: string): Promise<Session | null> {
    if (token === '' || token.length > 200) return null;
    const { rows } = await this.db.query<UserRow & { csrf_token: string; expires_at: Date }>(
      `select s.csrf_token, s.expires_at, u.id, u.username, u.display_name, u.role, u.created_at, u.disabled_at, u.must_change_password
         from web_sessions s join users u on u.id = s.user_id
        where s.token_hash = $1 and s.expires_at > $2 and u.disabled_at is null`,
      [sessionTokenHash(token), this.#now()],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      csrfToken: row.csrf_token,
      expiresAt: new Date(row.expires_at),
      user: toUser(row),
    };
  }

  /** Ends a session (logout). */
  async destroy(token: string): Promise<void> {
    await this.db.query('delete from web_sessions where token_hash = $1', [sessionTokenHash(token)]);
  }
}
