import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { Database, Queryable } from '../../store/database.ts';
import { recordAccountChange } from './account-audit.ts';
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
  /** When an administrator disabled the account (it cannot sign in and has no sessions); null while enabled. */
  disabledAt: Date | null;
  /** The password was set by an administrator (a reset): it must be changed before anything else. */
  mustChangePassword: boolean;
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
const passwordSchema = newUserSchema.shape.password;

export type NewUser = z.input<typeof newUserSchema>;

/** A user that cannot be added (invalid fields, a taken username); the message says why, in Chinese and English. */
export class UserError extends Error {
  override name = 'UserError';
}

/**
 * The outcome of a login attempt (throttling is the login route's, see `throttle.ts`): `disabled`
 * only when the password was right, so it tells nothing to someone who does not know it.
 */
export type VerifyResult = { ok: true; user: User } | { ok: false; reason: 'invalid' | 'disabled' };

export interface UserStoreOptions {
  now?: () => Date;
}

/** Who changes an account: the signed-in administrator's id (null: the command line). */
export interface AccountActor {
  actorId: number | null;
}

/** Letters and digits that cannot be mistaken for one another when read aloud or copied by hand. */
const temporaryAlphabet = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A temporary password: three groups of four (about 59 bits), e.g. `k7mq-2xpa-h9rt`. */
export function temporaryPassword(): string {
  const group = (): string => Array.from({ length: 4 }, () => temporaryAlphabet[randomInt(temporaryAlphabet.length)]).join('');
  return `${group()}-${group()}-${group()}`;
}

/** A `users` row as selected by `userColumns`. */
export interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: UserRole;
  created_at: Date;
  disabled_at: Date | null;
  must_change_password: boolean;
}

const userColumns = 'id, username, display_name, role, created_at, disabled_at, must_change_password';

/** A user as the dashboard sees it (no password hash). */
export function toUser(row: UserRow): User {
  return {
    id: Number(row.id),
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    createdAt: new Date(row.created_at),
    disabledAt: row.disabled_at ? new Date(row.disabled_at) : null,
    mustChangePassword: row.must_change_password === true,
  };
}

/**
 * The dashboard's users (`users` table): argon2id password hashes. An unknown account takes as
 * long to answer as a wrong password. There is no per-account lockout (anyone could use it to lock
 * a teacher out): the login route throttles per address and per (account, address) instead
 * (`LoginThrottle` in `throttle.ts`). Administrators add, disable, re-enable and reset accounts
 * on the web (`src/server/admin/accounts.ts`); each change is audited (`account-audit.ts`).
 *
 * @example
 * const users = new UserStore(db);
 * await users.add({ username: 'wang.li', displayName: '王老师', role: 'teacher', password: 'a long passphrase' });
 * const result = await users.verify('wang.li', 'a long passphrase'); // { ok: true, user }
 */
export class UserStore {
  readonly #now: () => Date;

  constructor(
    readonly db: Database,
    options: UserStoreOptions = {},
  ) {
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * Adds a user; throws {@link UserError} for invalid fields or a username already taken. Audited
   * (`account-added`) with the actor, when one is given.
   */
  async add(input: NewUser, by: AccountActor = { actorId: null }): Promise<User> {
    const parsed = newUserSchema.safeParse(input);
    if (!parsed.success) throw new UserError(parsed.error.issues.map((issue) => issue.message).join('; '));
    const { username, displayName, role, password } = parsed.data;
    const passwordHash = await hashPassword(password);
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<UserRow>(
        `insert into users (username, display_name, password_hash, role) values ($1, $2, $3, $4)
         on conflict (username) do nothing returning ${userColumns}`,
        [username, displayName, passwordHash, role],
      );
      if (!rows[0]) throw new UserError(`用户名 ${username} 已存在 / username ${username} is taken`);
      const user = toUser(rows[0]);
      await recordAccountChange(tx, by.actorId, 'added', user);
      return user;
    });
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
    if (!(await verifyPassword(row.password_hash, password))) return { ok: false, reason: 'invalid' };
    if (row.disabled_at) return { ok: false, reason: 'disabled' };
    return { ok: true, user: toUser(row) };
  }

  /**
   * Disables an account: it can no longer sign in, and its sessions end at once. An administrator
   * cannot disable themself, and the last enabled administrator cannot be disabled.
   */
  async disable(targetId: number, by: { actorId: number }): Promise<User> {
    if (targetId === by.actorId) throw new UserError('不能停用自己的账号 / you cannot disable your own account');
    return this.db.transaction(async (tx) => {
      const target = await this.#lockTarget(tx, targetId);
      if (target.disabledAt) return target;
      if (target.role === 'admin') {
        // the enabled administrators, locked, so that two admins cannot disable each other at once
        const { rows } = await tx.query<{ id: number }>(`select id from users where role = 'admin' and disabled_at is null order by id for update`);
        if (rows.filter((row) => Number(row.id) !== targetId).length === 0) throw new UserError('不能停用最后一个管理员 / the last administrator cannot be disabled');
      }
      const { rows } = await tx.query<UserRow>(`update users set disabled_at = $2 where id = $1 returning ${userColumns}`, [targetId, this.#now()]);
      await tx.query('delete from web_sessions where user_id = $1', [targetId]);
      await recordAccountChange(tx, by.actorId, 'disabled', target);
      return toUser(rows[0]!);
    });
  }

  /** Enables a disabled account again (with its old password, or the one a reset gave it). */
  async enable(targetId: number, by: { actorId: number }): Promise<User> {
    return this.db.transaction(async (tx) => {
      const target = await this.#lockTarget(tx, targetId);
      if (!target.disabledAt) return target;
      const { rows } = await tx.query<UserRow>(`update users set disabled_at = null where id = $1 returning ${userColumns}`, [targetId]);
      await recordAccountChange(tx, by.actorId, 'enabled', target);
      return toUser(rows[0]!);
    });
  }

  /**
   * Gives an account a temporary password (returned once, stored only as its hash) that must be
   * changed at the next sign-in; the account's sessions end. Administrators change their own
   * password with {@link changePassword} instead.
   */
  async resetPassword(targetId: number, by: { actorId: number }): Promise<{ user: User; temporaryPassword: string }> {
    if (targetId === by.actorId) throw new UserError('请用“修改密码”修改自己的密码 / change your own password on the password page');
    const password = temporaryPassword();
    const passwordHash = await hashPassword(password);
    return this.db.transaction(async (tx) => {
      const target = await this.#lockTarget(tx, targetId);
      const { rows } = await tx.query<UserRow>(
        `update users set password_hash = $2, must_change_password = true, password_changed_at = $3 where id = $1 returning ${userColumns}`,
        [targetId, passwordHash, this.#now()],
      );
      await tx.query('delete from web_sessions where user_id = $1', [targetId]);
      await recordAccountChange(tx, by.actorId, 'password-reset', target);
      return { user: toUser(rows[0]!), temporaryPassword: password };
    });
  }

  /**
   * Changes a user's own password: the current one must be right, the new one valid and different.
   * Clears the must-change flag; every other session of the user ends (`keepSession`: the token
   * hash of the session that made the change).
   */
  async changePassword(userId: number, current: string, next: string, keepSession: string | null = null): Promise<User> {
    const { rows } = await this.db.query<{ password_hash: string }>('select password_hash from users where id = $1 and disabled_at is null', [userId]);
    if (!rows[0] || !(await verifyPassword(rows[0].password_hash, current))) throw new UserError('当前密码不对 / the current password is wrong');
    const checked = passwordSchema.safeParse(next);
    if (!checked.success) throw new UserError(checked.error.issues.map((issue) => issue.message).join('; '));
    if (next === current) throw new UserError('新密码不能与当前密码相同 / the new password must differ from the current one');
    const passwordHash = await hashPassword(next);
    return this.db.transaction(async (tx) => {
      const { rows: updated } = await tx.query<UserRow>(
        `update users set password_hash = $2, must_change_password = false, password_changed_at = $3 where id = $1 returning ${userColumns}`,
        [userId, passwordHash, this.#now()],
      );
      const user = toUser(updated[0]!);
      await tx.query('delete from web_sessions where user_id = $1 and token_hash is distinct from $2', [userId, keepSession]);
      await recordAccountChange(tx, userId, 'password-changed', user);
      return user;
    });
  }

  async #lockTarget(tx: Queryable, targetId: number): Promise<User> {
    const { rows } = await tx.query<UserRow>(`select ${userColumns} from users where id = $1 for update`, [targetId]);
    if (!rows[0]) throw new UserError('没有这个账号 / no such account');
    return toUser(rows[0]);
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
