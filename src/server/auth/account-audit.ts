import type { Queryable } from '../../store/database.ts';

/** What was done to an account; each is a row of `audit_log` with the action `account-<kind>`. */
export type AccountChange = 'added' | 'disabled' | 'enabled' | 'password-reset' | 'password-changed';

/** One account change as the accounts page lists it. */
export interface AccountChangeRecord {
  change: AccountChange;
  /** Who did it (null: the command line, or an account since removed). */
  actorName: string | null;
  /** The account it was done to. */
  username: string;
  createdAt: Date;
}

/**
 * Writes an account change into the audit log (`audit_log`, beside the ticket and archive reads),
 * in the caller's transaction. Never a password, only who did what to which account.
 *
 * @example await recordAccountChange(tx, admin.id, 'disabled', { id: 7, username: 'wang.li' });
 */
export async function recordAccountChange(tx: Queryable, actorId: number | null, change: AccountChange, target: { id: number; username: string }): Promise<void> {
  await tx.query(`insert into audit_log (user_id, action, detail) values ($1, $2, $3::jsonb)`, [
    actorId,
    `account-${change}`,
    JSON.stringify({ userId: target.id, username: target.username }),
  ]);
}

/** The latest account changes, newest first. */
export async function accountChanges(db: Queryable, limit = 50): Promise<AccountChangeRecord[]> {
  const { rows } = await db.query<{ action: string; display_name: string | null; detail: { username?: string }; created_at: Date }>(
    `select a.action, u.display_name, a.detail, a.created_at from audit_log a left join users u on u.id = a.user_id
      where a.action like 'account-%' order by a.created_at desc, a.id desc limit $1`,
    [limit],
  );
  return rows.map((row) => ({
    change: row.action.slice('account-'.length) as AccountChange,
    actorName: row.display_name,
    username: row.detail?.username ?? '',
    createdAt: new Date(row.created_at),
  }));
}
