/**
 * Accounts on the web over real parts (PGlite, the Hono app through `app.request`): an
 * administrator adds, disables, re-enables and resets accounts; a disabled account cannot sign in
 * and its sessions end; a reset password must be changed first; everyone changes their own
 * password with the current one; every change is audited; teachers get 403; every form needs the
 * CSRF token; an administrator cannot disable themself or the last administrator.
 */
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assistant } from '../../assistant.ts';
import { loadConfig } from '../../config.ts';
import type { Database } from '../../store/database.ts';
import { createTestDatabase } from '../../store/testing.ts';
import { createApp } from '../app.ts';
import { accountChanges } from '../auth/account-audit.ts';
import { UserStore } from '../auth/users.ts';
import { getAs, postAs, postLogin, signIn, type SignedIn } from '../dashboard/testing.ts';

const password = 'accounts-test-password';
let db: Database;
let assistant: Assistant;
let users: UserStore;
let app: Hono;
let asAdmin: SignedIn;
let adminId: number;

const idOf = async (username: string): Promise<number> => (await users.list()).find((user) => user.username === username)!.id;

beforeAll(async () => {
  db = await createTestDatabase();
  assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db, skipInitialIngest: true });
  users = new UserStore(db);
  adminId = (await users.add({ username: 'head.admin', displayName: '教务管理员', role: 'admin', password })).id;
  await users.add({ username: 'teacher.zhao', displayName: '赵老师', role: 'teacher', password });
  app = createApp(assistant, { users, livePollMs: 0 });
  asAdmin = await signIn(app, 'head.admin', password);
}, 120_000);
afterAll(async () => assistant?.close());

describe('who may administer accounts', () => {
  it('a teacher gets 403 on the accounts page and every account action; a stranger is sent to the login', async () => {
    const teacher = await signIn(app, 'teacher.zhao', password);
    expect((await getAs(app, teacher, '/users')).status).toBe(403);
    expect((await postAs(app, teacher, '/users', { username: 'sneaky.one', displayName: '某', role: 'admin', password: 'long enough password' })).status).toBe(403);
    expect((await postAs(app, teacher, `/users/${adminId}/disable`, { confirm: '1' })).status).toBe(403);
    expect((await postAs(app, teacher, `/users/${adminId}/reset-password`, { confirm: '1' })).status).toBe(403);
    expect((await users.list()).map((user) => user.username)).not.toContain('sneaky.one');
    expect((await users.get(adminId))!.disabledAt).toBeNull();
    const anonymous = await app.request('/users');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/login?next=%2Fusers');
  });

  it('every account form needs the CSRF token', async () => {
    const teacherId = await idOf('teacher.zhao');
    expect((await postAs(app, asAdmin, '/users', { username: 'no.token', displayName: '某', role: 'teacher', password: 'long enough password' }, null)).status).toBe(403);
    expect((await postAs(app, asAdmin, `/users/${teacherId}/disable`, { confirm: '1' }, 'forged')).status).toBe(403);
    expect((await postAs(app, asAdmin, `/users/${teacherId}/reset-password`, { confirm: '1' }, null)).status).toBe(403);
    expect((await postAs(app, asAdmin, '/account/password', { current: password, password: 'another long password', repeat: 'another long password' }, null)).status).toBe(403);
    expect((await users.get(teacherId))!.disabledAt).toBeNull();
    expect((await users.verify('head.admin', password)).ok).toBe(true);
  });

  it('the accounts page no longer sends administrators to the command line', async () => {
    const text = await (await getAs(app, asAdmin, '/users')).text();
    expect(text).not.toContain('zhiyin users add');
    expect(text).toContain('添加账号');
    expect(text).toContain('teacher.zhao');
  });
});

describe('adding an account', () => {
  it('adds a teacher who can then sign in; the change is audited with who did it', async () => {
    const added = await postAs(app, asAdmin, '/users', { username: 'teacher.qian', displayName: '钱老师', role: 'teacher', password: '钱老师的初始密码123' });
    expect(added.status).toBe(303);
    expect(added.headers.get('location')).toBe('/users?msg=added');
    expect((await postLogin(app, 'teacher.qian', '钱老师的初始密码123')).status).toBe(303);
    const [latest] = await accountChanges(db, 1);
    expect(latest).toMatchObject({ change: 'added', username: 'teacher.qian', actorName: '教务管理员' });
    const page = await (await getAs(app, asAdmin, '/users?msg=added')).text();
    expect(page).toContain('账号已添加');
    expect(page).toMatch(/<tr><td>[^<]+<\/td><td>添加账号<\/td><td>teacher\.qian<\/td><td>教务管理员<\/td><\/tr>/u);
  });

  it('refuses a taken username or a short password with the reason, and keeps what was typed except the password', async () => {
    const taken = await postAs(app, asAdmin, '/users', { username: 'teacher.zhao', displayName: '另一位赵老师', role: 'teacher', password: 'long enough password' });
    expect(taken.status).toBe(422);
    const text = await taken.text();
    expect(text).toContain('用户名 teacher.zhao 已存在');
    expect(text).toContain('value="另一位赵老师"');
    expect(text).not.toContain('long enough password');
    const short = await postAs(app, asAdmin, '/users', { username: 'teacher.sun', displayName: '孙老师', role: 'admin', password: 'short' });
    expect(short.status).toBe(422);
    expect(await short.text()).toContain('密码至少 10 个字符');
    expect((await users.list()).map((user) => user.username)).not.toContain('teacher.sun');
  });
});

describe('disabling and re-enabling', () => {
  it('asks first (a page, no script needed), then disables: the account cannot sign in and its open sessions end', async () => {
    await users.add({ username: 'teacher.li', displayName: '李老师', role: 'teacher', password });
    const teacher = await signIn(app, 'teacher.li', password);
    const id = await idOf('teacher.li');
    const ask = await postAs(app, asAdmin, `/users/${id}/disable`);
    expect(ask.status).toBe(200);
    const askText = await ask.text();
    expect(askText).toContain('确认停用账号');
    expect(askText).toContain('name="confirm" value="1"');
    expect((await users.get(id))!.disabledAt).toBeNull();
    expect((await getAs(app, teacher, '/')).status).toBe(200);

    const done = await postAs(app, asAdmin, `/users/${id}/disable`, { confirm: '1' });
    expect(done.headers.get('location')).toBe('/users?msg=disabled');
    const cut = await getAs(app, teacher, '/');
    expect(cut.status).toBe(303);
    expect(cut.headers.get('location')).toMatch(/^\/login/u);
    const { rows } = await db.query<{ n: number }>('select count(*)::int as n from web_sessions where user_id = $1', [id]);
    expect(rows[0]!.n).toBe(0);
    const refused = await postLogin(app, 'teacher.li', password);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('这个账号已停用');
    // a wrong password on a disabled account says no more than on any account
    expect(await (await postLogin(app, 'teacher.li', 'not the password at all')).text()).toContain('用户名或密码错误');

    expect((await postAs(app, asAdmin, `/users/${id}/enable`)).headers.get('location')).toBe('/users?msg=enabled');
    expect((await postLogin(app, 'teacher.li', password)).status).toBe(303);
    expect((await accountChanges(db, 2)).map((change) => [change.change, change.username])).toEqual([
      ['enabled', 'teacher.li'],
      ['disabled', 'teacher.li'],
    ]);
  });

  it('an administrator cannot disable themself, nor the last administrator', async () => {
    const self = await postAs(app, asAdmin, `/users/${adminId}/disable`, { confirm: '1' });
    expect(self.status).toBe(422);
    expect(await self.text()).toContain('不能停用自己的账号');
    expect((await users.get(adminId))!.disabledAt).toBeNull();

    // a second administrator may disable the first while both are enabled, but not the last one left
    const second = await users.add({ username: 'second.admin', displayName: '副管理员', role: 'admin', password });
    await users.disable(second.id, { actorId: adminId });
    await expect(users.disable(adminId, { actorId: second.id })).rejects.toThrow(/最后一个管理员/u);
    expect((await users.get(adminId))!.disabledAt).toBeNull();
    await users.enable(second.id, { actorId: adminId });
    const asSecond = await signIn(app, 'second.admin', password);
    expect((await postAs(app, asSecond, `/users/${adminId}/disable`, { confirm: '1' })).status).toBe(303);
    // head.admin is disabled now: second.admin is the last administrator
    await expect(users.disable(second.id, { actorId: adminId })).rejects.toThrow(/最后一个管理员/u);
    expect((await users.get(second.id))!.disabledAt).toBeNull();
    await users.enable(adminId, { actorId: second.id });
    asAdmin = await signIn(app, 'head.admin', password);
  });
});

describe('passwords', () => {
  it('a reset gives a temporary password shown once; the old one stops working; the sessions end; it must be changed before anything else', async () => {
    await users.add({ username: 'teacher.zhou', displayName: '周老师', role: 'teacher', password });
    const before = await signIn(app, 'teacher.zhou', password);
    const id = await idOf('teacher.zhou');
    expect((await postAs(app, asAdmin, `/users/${id}/reset-password`)).status).toBe(200); // the confirm step
    expect((await users.verify('teacher.zhou', password)).ok).toBe(true);

    const reset = await postAs(app, asAdmin, `/users/${id}/reset-password`, { confirm: '1' });
    expect(reset.status).toBe(200);
    expect(reset.headers.get('cache-control')).toBe('no-store');
    const temporary = /id="temporary-password" class="secret">([a-z0-9-]+)</u.exec(await reset.text())?.[1];
    expect(temporary).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/u);
    expect((await getAs(app, before, '/')).status).toBe(303);
    expect((await users.verify('teacher.zhou', password)).ok).toBe(false);
    const { rows } = await db.query<{ password_hash: string }>('select password_hash from users where id = $1', [id]);
    expect(rows[0]!.password_hash).not.toContain(temporary!);
    expect((await accountChanges(db, 1))[0]).toMatchObject({ change: 'password-reset', username: 'teacher.zhou', actorName: '教务管理员' });

    const teacher = await signIn(app, 'teacher.zhou', temporary!).catch(() => null);
    expect(teacher).toBeNull(); // signIn reads the queue page, which sends this user to change the password first
    const login = await postLogin(app, 'teacher.zhou', temporary!);
    const cookie = login.headers.getSetCookie().find((header) => header.startsWith('zhiyin_session='))!.split(';')[0]!;
    const queue = await app.request('/', { headers: { cookie } });
    expect(queue.status).toBe(303);
    expect(queue.headers.get('location')).toBe('/account/password');
    expect((await app.request('/tickets/1', { headers: { cookie } })).headers.get('location')).toBe('/account/password');
    const form = await (await app.request('/account/password', { headers: { cookie } })).text();
    expect(form).toContain('管理员为你重置了密码');
    const csrf = /name="_csrf" value="([^"]+)"/u.exec(form)![1]!;
    const who: SignedIn = { cookie, csrf };
    expect((await postAs(app, who, `/tickets/1/note`, { text: '还没改密码' })).status).toBe(403);

    const mismatch = await postAs(app, who, '/account/password', { current: temporary!, password: '周老师自己的新密码够长了', repeat: '周老师自己的新密码太短了' });
    expect(mismatch.status).toBe(422);
    expect(await mismatch.text()).toContain('两次输入的新密码不一样');
    const changed = await postAs(app, who, '/account/password', { current: temporary!, password: '周老师自己的新密码够长了', repeat: '周老师自己的新密码够长了' });
    expect(changed.headers.get('location')).toBe('/account/password?msg=changed');
    expect((await app.request('/', { headers: { cookie } })).status).toBe(200);
    expect((await users.verify('teacher.zhou', '周老师自己的新密码够长了')).ok).toBe(true);
    expect((await users.get(id))!.mustChangePassword).toBe(false);
  });

  it('changing one\'s own password needs the current one, and ends the other sessions but not this one', async () => {
    await users.add({ username: 'teacher.wu', displayName: '吴老师', role: 'teacher', password });
    const here = await signIn(app, 'teacher.wu', password);
    const elsewhere = await signIn(app, 'teacher.wu', password);
    const wrong = await postAs(app, here, '/account/password', { current: 'not my password', password: '吴老师的新密码足够长', repeat: '吴老师的新密码足够长' });
    expect(wrong.status).toBe(422);
    expect(await wrong.text()).toContain('当前密码不对');
    const same = await postAs(app, here, '/account/password', { current: password, password, repeat: password });
    expect(await same.text()).toContain('新密码不能与当前密码相同');
    expect((await users.verify('teacher.wu', password)).ok).toBe(true);

    const changed = await postAs(app, here, '/account/password', { current: password, password: '吴老师的新密码足够长', repeat: '吴老师的新密码足够长' });
    expect(changed.status).toBe(303);
    expect((await getAs(app, here, '/')).status).toBe(200);
    expect((await getAs(app, elsewhere, '/')).status).toBe(303);
    expect((await users.verify('teacher.wu', password)).ok).toBe(false);
    expect((await accountChanges(db, 1))[0]).toMatchObject({ change: 'password-changed', username: 'teacher.wu', actorName: '吴老师' });
  });

  it('an administrator resets others, not themself (their own goes through the password page)', async () => {
    const self = await postAs(app, asAdmin, `/users/${adminId}/reset-password`, { confirm: '1' });
    expect(self.status).toBe(422);
    expect(await self.text()).toContain('请用“修改密码”修改自己的密码');
  });
});
