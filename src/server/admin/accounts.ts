import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Database } from '../../store/database.ts';
import { accountChanges } from '../auth/account-audit.ts';
import { passwordChangePath, requireRole, requireUser, type DashboardEnv } from '../auth/middleware.ts';
import { sessionTokenHash, type Session } from '../auth/sessions.ts';
import { UserError, type User, type UserStore } from '../auth/users.ts';
import { layout, type Html } from '../dashboard/view.ts';
import { accountFlashes, accountsBody, confirmAccountBody, passwordBody, temporaryPasswordBody, type AccountFlash, type AddFormValues } from './accounts-pages.ts';

/** What the account pages work with. */
export interface AccountsDeps {
  db: Database;
  users: UserStore;
  log: Logger;
}

const idParam = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** A form field as text: anything else (missing, a file, too long) reads as empty and is refused by the store's checks. */
const field = (max: number) => z.string().max(max).catch('');
const addForm = z.object({ username: field(64), displayName: field(200), role: z.enum(['teacher', 'admin']).catch('teacher'), password: field(1024) });
const passwordForm = z.object({ current: field(1024), password: field(1024), repeat: field(1024) });

/**
 * Accounts on the web. Administrators (`/users`): add a teacher or an administrator, disable and
 * re-enable an account (its sessions end at once), and reset a password to a temporary one shown
 * once, which must be changed at the next sign-in; disable and reset go through a confirm step
 * that needs no script. Everyone (`/account/password`): change their own password, the current
 * one required. Every change is audited (`audit_log`, `account-*`). Mount inside the dashboard,
 * after its session and CSRF middleware.
 *
 * @example app.route('/', accounts({ db, users, log }));
 */
export function accounts(deps: AccountsDeps): Hono<DashboardEnv> {
  const { users, log } = deps;
  const app = new Hono<DashboardEnv>();
  const sessionOf = (c: Context<DashboardEnv>): Session => c.get('session')!;
  const page = (c: Context<DashboardEnv>, title: string, body: Html, status: 200 | 404 | 422 = 200): Response | Promise<Response> =>
    c.html(layout({ title, nonce: c.get('secureHeadersNonce'), session: c.get('session'), body }), status);
  const flashOf = (c: Context<DashboardEnv>): AccountFlash | undefined => {
    const code = c.req.query('msg');
    return code && code in accountFlashes ? (code as AccountFlash) : undefined;
  };
  const listPage = async (c: Context<DashboardEnv>, extra: { error?: string; values?: AddFormValues; status?: 200 | 422 } = {}): Promise<Response> =>
    page(
      c,
      '账号',
      accountsBody({ session: sessionOf(c), users: await users.list(), changes: await accountChanges(deps.db, 30), flash: flashOf(c), error: extra.error, values: extra.values }),
      extra.status ?? 200,
    );
  const targetOf = async (c: Context<DashboardEnv>): Promise<User | null> => {
    const id = idParam.safeParse(c.req.param('id'));
    return id.success ? users.get(id.data) : null;
  };
  const noAccount = (c: Context<DashboardEnv>): Response | Promise<Response> => page(c, '找不到', html`<h1>找不到</h1><p>没有这个账号。</p><p><a href="/users">← 返回账号</a></p>`, 404);

  const admin = [requireUser(), requireRole('admin')] as const;

  app.get('/users', ...admin, (c) => listPage(c));

  app.post('/users', ...admin, async (c) => {
    const form = addForm.parse(await c.req.parseBody());
    const values: AddFormValues = { username: form.username, displayName: form.displayName, role: form.role };
    try {
      const user = await users.add({ username: form.username, displayName: form.displayName, role: form.role, password: form.password }, { actorId: sessionOf(c).user.id });
      log.info({ userId: sessionOf(c).user.id, target: user.id, action: 'account-added' }, 'account changed');
    } catch (error) {
      if (error instanceof UserError) return listPage(c, { error: error.message, values, status: 422 });
      throw error;
    }
    return c.redirect('/users?msg=added', 303);
  });

  app.post('/users/:id/disable', ...admin, async (c) => {
    const target = await targetOf(c);
    if (!target) return noAccount(c);
    if ((await c.req.parseBody()).confirm !== '1') return page(c, '确认停用账号', confirmAccountBody({ session: sessionOf(c), user: target, kind: 'disable' }));
    try {
      await users.disable(target.id, { actorId: sessionOf(c).user.id });
    } catch (error) {
      if (error instanceof UserError) return listPage(c, { error: error.message, status: 422 });
      throw error;
    }
    log.info({ userId: sessionOf(c).user.id, target: target.id, action: 'account-disabled' }, 'account changed');
    return c.redirect('/users?msg=disabled', 303);
  });

  app.post('/users/:id/enable', ...admin, async (c) => {
    const target = await targetOf(c);
    if (!target) return noAccount(c);
    await users.enable(target.id, { actorId: sessionOf(c).user.id });
    log.info({ userId: sessionOf(c).user.id, target: target.id, action: 'account-enabled' }, 'account changed');
    return c.redirect('/users?msg=enabled', 303);
  });

  app.post('/users/:id/reset-password', ...admin, async (c) => {
    const target = await targetOf(c);
    if (!target) return noAccount(c);
    if ((await c.req.parseBody()).confirm !== '1') return page(c, '确认重置密码', confirmAccountBody({ session: sessionOf(c), user: target, kind: 'reset-password' }));
    try {
      const { user, temporaryPassword } = await users.resetPassword(target.id, { actorId: sessionOf(c).user.id });
      log.info({ userId: sessionOf(c).user.id, target: target.id, action: 'account-password-reset' }, 'account changed');
      return page(c, '临时密码', temporaryPasswordBody({ user, password: temporaryPassword }));
    } catch (error) {
      if (error instanceof UserError) return listPage(c, { error: error.message, status: 422 });
      throw error;
    }
  });

  app.get(passwordChangePath, requireUser(), (c) => page(c, '修改密码', passwordBody({ session: sessionOf(c), flash: flashOf(c) })));

  app.post(passwordChangePath, requireUser(), async (c) => {
    const form = passwordForm.parse(await c.req.parseBody());
    const session = sessionOf(c);
    const refuse = (error: string): Response | Promise<Response> => page(c, '修改密码', passwordBody({ session, error }), 422);
    if (form.password !== form.repeat) return refuse('两次输入的新密码不一样。');
    const token = c.get('sessionToken');
    try {
      await users.changePassword(session.user.id, form.current, form.password, token ? sessionTokenHash(token) : null);
    } catch (error) {
      if (error instanceof UserError) return refuse(error.message);
      throw error;
    }
    log.info({ userId: session.user.id, action: 'account-password-changed' }, 'account changed');
    return c.redirect(`${passwordChangePath}?msg=changed`, 303);
  });

  return app;
}
