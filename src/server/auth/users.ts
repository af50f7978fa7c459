import { z } from 'zod';
import type { Database } from '../../store/database.ts';
import { hashPassword, verifyDummy, verifyPassword } from './passwords.ts';

/** What a dashboard user may do: teachers work tickets; administrators also assign them. */
export type UserRole = 'teacher' | 'admin';

/** A dashboard user, without the password hash. */
export interface User {
  id: number;
  username: string;
  displayName: string;
  role: UserRole;
  lockedUntil: Date | null;
  createdAt: Date;
}

/** The fields of a new user: username 3–32 of [a-z0-9_.-], a display name, a password of at least 10 characters. */
export const newUserSchema = z.object({
  username: z
    .string()
    .trim()
    .regex(/^[a-z0-9_.-]{3,32}$/u, '用户名为 3–32 个小写字母、数字或 _ . - / username: 3–32 of a-z 0-9 _ . -'),
  displayName: z.string().trim().min(1, '请填写显示名 / a display name is required').max(64, '显示名最多 64 个字 / display name: at most 64 characters'),
  role: z.enum(['teacher', 'admin']),
  password: z
    .string()
    .refine((password) => [...password].length >= 10, '密码至少 10 个字符 / password: at least 10 characters')
    .refine((password) => password.length <= 1024, '密码太长 / password: at most 1024 characters'),
});

export type NewUser = z.input<typeof newUserSchema>;

/** A user that cannot be added (invalid fields, a taken username); the message says why, in Chinese and English. */
export class UserError extends Error {
  override name = 'UserError';
}

/** The outcome of a login attempt. */
export type VerifyResult = { ok: true; user: User } | { ok: false; reason: 'invalid' } | { ok: false; reason: 'locked'; lockedUntil: Date };

export interface UserStoreOptions {
  now?: () => Date;
  /** Consecutive failed logins that lock an account (default 5). */
  maxFailures?: number;
  /** How long a locked account stays locked (default 15 minutes). */
  lockMs?: number;
}

/** A `users` row as selected by `userColumns`. */
export interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: UserRole;
  locked_until: Date | null;
  created_at: Date;
}

const userColumns = 'id, username, display_name, role, locked_until, created_at';

/** A user as the dashboard sees it (no password hash). */
export function toUser(row: UserRow): User {
  return {
    id: Number(row.id),
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    lockedUntil: row.locked_until ? new Date(row.locked_until) : null,
    createdAt: new Date(row.created_at),
  };
}

/**
 * The dashboard's users (`users` table): argon2id password hashes, and a lockout after
 * `maxFailures` consecutive failed logins for `lockMs`. Unknown and locked accounts take as long
 * to answer as a wrong password.
 *
 * @example
 * const users = new UserStore(db);
 * await users.add({ username: 'wang.li', displayName: '王老师', role: 'teacher', password: 'a long passphrase' });
 * const result = await users.verify('wang.li', 'a long passphrase'); // { ok: true, user }
 */
export class UserStore {
  readonly #now: () => Date;
  readonly #maxFailures: number;
  readonly #lockMs: number;

  constructor(
    readonly db: Database,
    options: UserStoreOptions = {},
  ) {
    this.#now = options.now ?? (() => new Date());
    this.#maxFailures = options.maxFailures ?? 5;
    this.#lockMs = options.lockMs ?? 15 * 60_000;
  }

  /** Adds a user; throws {@link UserError} for invalid fields or a username already taken. */
  async add(input: NewUser): Promise<User> {
    const parsed = newUserSchema.safeParse(input);
    if (!parsed.success) throw new UserError(parsed.error.issues.map((issue) => issue.message).join('; '));
    const { username, displayName, role, password } = parsed.data;
    const passwordHash = await hashPassword(password);
    const { rows } = await this.db.query<UserRow>(
      `insert into users (username, display_name, password_hash, role) values ($1, $2, $3, $4)
       on conflict (username) do nothing returning ${userColumns}`,
      [username, displayName, passwordHash, role],
    );
    if (!rows[0]) throw new UserError(`用户名 ${username} 已存在 / username ${username} is taken`);
    return toUser(rows[0]);
  }

  /** Every user, by username. */
  async list(): Promise<User[]> {
    const { rows } = await this.db.query<UserRow>(`select ${userColumns} from users order by username`);
    return rows.map(toUser);
  }

  async get(id: number): Promise<User | null> {
    const { rows } = await this.db.query<UserRow>(`select ${userColumns} from users where id = $1`, [id]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  /**
   * Checks a login. A locked account is refused without checking its password; the failure that
   * reaches `maxFailures` locks the account and answers `locked`; a success clears the count.
   */
  async verify(username: string, password: string): Promise<VerifyResult> {
    const { rows } = await this.db.query<UserRow & { password_hash: string }>(`select ${userColumns}, password_hash from users where username = $1`, [
      username.trim(),
    ]);
    const row = rows[0];
    const now = this.#now();
    if (!row) {
      await verifyDummy(password);
      return { ok: false, reason: 'invalid' };
    }
    if (row.locked_until && new Date(row.locked_until).getTime() > now.getTime()) {
      await verifyDummy(password);
      return { ok: false, reason: 'locked', lockedUntil: new Date(row.locked_until) };
    }
    if (await verifyPassword(row.password_hash, password)) {
      const cleared = await this.db.query<UserRow>(`update users set failed_logins = 0, locked_until = null where id = $1 returning ${userColumns}`, [row.id]);
      return { ok: true, user: toUser(cleared.rows[0]!) };
    }
    // One statement, so concurrent failures all count; the count restarts once the lock is set.
    const failed = await this.db.query<{ locked: boolean; locked_until: Date | null }>(
      `update users set
         failed_logins = case when failed_logins + 1 >= $2 then 0 else failed_logins + 1 end,
         locked_until = case when failed_logins + 1 >= $2 then $3 else locked_until end
       where id = $1 returning failed_logins = 0 as locked, locked_until`,
      [row.id, this.#maxFailures, new Date(now.getTime() + this.#lockMs)],
    );
    const after = failed.rows[0];
    if (after?.locked && after.locked_until) return { ok: false, reason: 'locked', lockedUntil: new Date(after.locked_until) };
    return { ok: false, reason: 'invalid' };
  }
}

/**
 * Adds a dashboard user (for `zhiyin users add`); throws {@link UserError} with a message for the
 * terminal when a field is invalid or the username is taken.
 *
 * @example await addUser(db, { username: 'wang.li', displayName: '王老师', role: 'teacher', password: 'a long passphrase' });
 */
export function addUser(db: Database, input: NewUser): Promise<User> {
  return new UserStore(db).add(input);
}
