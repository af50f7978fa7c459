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

/** The outcome of a login attempt (throttling is the login route's, see `throttle.ts`). */
export type VerifyResult = { ok: true; user: User } | { ok: false; reason: 'invalid' };

export interface UserStoreOptions {
  /** Accepted for symmetry with the other stores; the user store keeps no times of its own. */
  now?: () => Date;
}

/** A `users` row as selected by `userColumns`. */
export interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: UserRole;
  created_at: Date;
}

const userColumns = 'id, username, display_name, role, created_at';

/** A user as the dashboard sees it (no password hash). */
export function toUser(row: UserRow): User {
  return {
    id: Number(row.id),
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    createdAt: new Date(row.created_at),
  };
}

/**
 * The dashboard's users (`users` table): argon2id password hashes. An unknown account takes as
 * long to answer as a wrong password. There is no per-account lockout (anyone could use it to lock
 * a teacher out): the login route throttles per address and per (account, address) instead
 * (`LoginThrottle` in `throttle.ts`).
 *
 * @example
 * const users = new UserStore(db);
 * await users.add({ username: 'wang.li', displayName: '王老师', role: 'teacher', password: 'a long passphrase' });
 * const result = await users.verify('wang.li', 'a long passphrase'); // { ok: true, user }
 */
export class UserStore {
  constructor(
    readonly db: Database,
    _options: UserStoreOptions = {},
  ) {}

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

  /** Checks a login; the password is checked (or a dummy hash, for an unknown user) every time. */
  async verify(username: string, password: string): Promise<VerifyResult> {
    const { rows } = await this.db.query<UserRow & { password_hash: string }>(`select ${userColumns}, password_hash from users where username = $1`, [
      username.trim(),
    ]);
    const row = rows[0];
    if (!row) {
      await verifyDummy(password);
      return { ok: false, reason: 'invalid' };
    }
    if (await verifyPassword(row.password_hash, password)) return { ok: true, user: toUser(row) };
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
