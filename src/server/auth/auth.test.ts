import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { Assistant } from '../../assistant.ts';
import { loadConfig } from '../../config.ts';
import { SqlConversationStore } from '../../conversation/conversation-store.ts';
import { TicketDesk } from '../../escalation/tickets.ts';
import { createTestDatabase } from '../../store/testing.ts';
import type { Database } from '../../store/database.ts';
import { createApp } from '../app.ts';
import { cookiesOf, getAs, loginForm, postAs, postLogin, signIn } from '../dashboard/testing.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { SessionStore, sameSecret } from './sessions.ts';
import { addUser, UserError, UserStore } from './users.ts';

const password = 'correct horse battery';
let clock = new Date('2026-03-02T02:00:00Z');
const now = (): Date => clock;
const advance = (ms: number): void => {
  clock = new Date(clock.getTime() + ms);
};

let db: Database;
let assistant: Assistant;
let users: UserStore;
let sessions: SessionStore;
let desk: TicketDesk;
let app: Hono;
let ticketId: number;

beforeAll(async () => {
  db = await createTestDatabase();
  assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db, skipInitialIngest: true });
  users = new UserStore(db, { now });
  sessions = new SessionStore(db, { now });
  desk = new TicketDesk(db, now);
  app = createApp(assistant, { users, sessions, desk, now, livePollMs: 0 });
  await users.add({ username: 'teacher.a', displayName: '甲老师', role: 'teacher', password });
  await users.add({ username: 'lock.me', displayName: '乙老师', role: 'teacher', password });
  const conversation = await new SqlConversationStore(db).open('telegram', 'student-1');
  ticketId = (await desk.openOrJoin({ conversationId: conversation.id, channel: 'telegram', studentId: 'student-1', reason: 'person', summary: '我想找老师' })).ticket.id;
});
afterAll(async () => assistant?.close());

describe('passwords', () => {
  it('hashes with argon2id and a fresh salt each time, and verifies only the right password', async () => {
    const first = await hashPassword(password);
    const second = await hashPassword(password);
    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/u);
    expect(first).not.toBe(second);
    expect(first).not.toContain(password);
    expect(await verifyPassword(first, password)).toBe(true);
    expect(await verifyPassword(first, 'correct horse battery!')).toBe(false);
    expect(await verifyPassword('not a hash', password)).toBe(false);
  });
});

describe('UserStore', () => {
  it('adds users with validated fields and stores only the hash', async () => {
    const user = await addUser(db, { username: 'admin_1', displayName: '管理员', role: 'admin', password: '十个字的中文密码很好记' });
    expect(user).toMatchObject({ username: 'admin_1', displayName: '管理员', role: 'admin', lockedUntil: null });
    const { rows } = await db.query<{ password_hash: string }>('select password_hash from users where id = $1', [user.id]);
    expect(rows[0]!.password_hash).toMatch(/^\$argon2id\$/u);
    expect((await users.list()).map((u) => u.username)).toEqual(['admin_1', 'lock.me', 'teacher.a']);
  });

  it.each([
    ['a username too short', { username: 'ab' }],
    ['a username with capitals', { username: 'Teacher' }],
    ['a username with spaces', { username: 'wang li' }],
    ['a username too long', { username: 'a'.repeat(33) }],
    ['a password of 9 characters', { password: '123456789' }],
    ['an unknown role', { role: 'student' }],
  ])('refuses %s', async (_name, change) => {
    const input = { username: 'valid.name', displayName: '老师', role: 'teacher', password, ...change } as Parameters<UserStore['add']>[0];
    await expect(users.add(input)).rejects.toThrow(UserError);
  });

  it('refuses a username that is taken', async () => {
    await expect(users.add({ username: 'teacher.a', displayName: '另一位', role: 'teacher', password })).rejects.toThrow(/taken/u);
  });

  it('verifies a password; an unknown user is refused like a wrong password', async () => {
    const ok = await users.verify('teacher.a', password);
    expect(ok.ok && ok.user.username).toBe('teacher.a');
    expect(await users.verify('teacher.a', 'wrong password!')).toEqual({ ok: false, reason: 'invalid' });
    expect(await users.verify('nobody', password)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('locks an account for 15 minutes after 5 consecutive failures, even for the right password, then lets it in', async () => {
    for (let attempt = 1; attempt <= 4; attempt += 1) expect(await users.verify('lock.me', `wrong-${attempt}-password`)).toEqual({ ok: false, reason: 'invalid' });
    const fifth = await users.verify('lock.me', 'wrong-5-password');
    expect(fifth).toEqual({ ok: false, reason: 'locked', lockedUntil: new Date(clock.getTime() + 15 * 60_000) });
    expect((await users.verify('lock.me', password)).ok).toBe(false);
    advance(14 * 60_000);
    expect(await users.verify('lock.me', password)).toMatchObject({ ok: false, reason: 'locked' });
    advance(60_000 + 1);
    expect(await users.verify('lock.me', password)).toMatchObject({ ok: true });
    // the count starts again: four more failures do not lock
    for (let attempt = 1; attempt <= 4; attempt += 1) expect((await users.verify('lock.me', 'wrong again!!')).ok).toBe(false);
    expect(await users.verify('lock.me', password)).toMatchObject({ ok: true });
  });

  it('a success clears the failure count', async () => {
    for (let attempt = 1; attempt <= 3; attempt += 1) await users.verify('teacher.a', 'wrong password!');
    expect((await users.verify('teacher.a', password)).ok).toBe(true);
    for (let attempt = 1; attempt <= 4; attempt += 1) expect(await users.verify('teacher.a', 'wrong password!')).toEqual({ ok: false, reason: 'invalid' });
    expect((await users.verify('teacher.a', password)).ok).toBe(true);
  });
});

describe('SessionStore', () => {
  it('stores only the token hash, finds the session until it expires after 12 hours, and forgets it on logout', async () => {
    const user = (await users.list()).find((u) => u.username === 'teacher.a')!;
    const { token, csrfToken, expiresAt } = await sessions.create(user.id);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(expiresAt).toEqual(new Date(clock.getTime() + 12 * 60 * 60_000));
    const stored = await db.query<{ token_hash: string }>('select token_hash from web_sessions where user_id = $1', [user.id]);
    expect(stored.rows.map((row) => row.token_hash)).toContain(createHash('sha256').update(token).digest('hex'));
    expect(stored.rows.map((row) => row.token_hash)).not.toContain(token);

    expect(await sessions.find(token)).toMatchObject({ csrfToken, user: { id: user.id, role: 'teacher' } });
    expect(await sessions.find('forged')).toBeNull();
    advance(12 * 60 * 60_000 - 1000);
    expect(await sessions.find(token)).not.toBeNull();
    advance(1000);
    expect(await sessions.find(token)).toBeNull();

    const second = await sessions.create(user.id);
    await sessions.destroy(second.token);
    expect(await sessions.find(second.token)).toBeNull();
  });

  it('compares secrets of any length without throwing', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(sameSecret('', 'abc')).toBe(false);
  });
});

describe('login, session cookie, CSRF and logout over HTTP', () => {
  it('sends a visitor to the login page', async () => {
    const response = await app.request('/');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/login?next=%2F');
    const ticket = await app.request(`/tickets/${ticketId}`);
    expect(ticket.headers.get('location')).toBe(`/login?next=%2Ftickets%2F${ticketId}`);
    expect((await app.request('/events')).status).toBe(401);
  });

  it('sets an HttpOnly, SameSite=Strict session cookie for the whole site, Secure only over https', async () => {
    const response = await postLogin(app, 'teacher.a', password);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/');
    const cookie = response.headers.getSetCookie().find((header) => header.startsWith('zhiyin_session='))!;
    expect(cookie).toMatch(/HttpOnly/u);
    expect(cookie).toMatch(/SameSite=Strict/u);
    expect(cookie).toMatch(/Path=\//u);
    expect(cookie).not.toMatch(/Secure/u);

    const https = await postLogin(app, 'teacher.a', password, { 'x-forwarded-proto': 'https' });
    expect(https.headers.getSetCookie().find((header) => header.startsWith('zhiyin_session='))).toMatch(/; Secure/u);
  });

  it('says when the password is wrong, and when the account is locked', async () => {
    const wrong = await postLogin(app, 'teacher.a', 'not the password');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('用户名或密码错误');
    expect(cookiesOf(wrong).has('zhiyin_session')).toBe(false);

    await users.add({ username: 'locked.web', displayName: '丙老师', role: 'teacher', password });
    for (let attempt = 1; attempt <= 4; attempt += 1) expect((await postLogin(app, 'locked.web', 'not the password')).status).toBe(401);
    const locked = await postLogin(app, 'locked.web', 'not the password');
    expect(locked.status).toBe(423);
    expect(await locked.text()).toContain('账号已锁定');
    const rightButLocked = await postLogin(app, 'locked.web', password);
    expect(rightButLocked.status).toBe(423);
  });

  it('refuses a login post without the login form token (403)', async () => {
    const response = await app.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'teacher.a', password }).toString(),
    });
    expect(response.status).toBe(403);
    const form = await loginForm(app);
    const forged = await app.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie },
      body: new URLSearchParams({ _csrf: 'x'.repeat(43), username: 'teacher.a', password }).toString(),
    });
    expect(forged.status).toBe(403);
  });

  it('rejects a POST without the CSRF token or with a wrong one (403), accepts the form field or the header', async () => {
    const teacher = await signIn(app, 'teacher.a', password);
    const count = async (): Promise<number> =>
      (await db.query<{ n: number }>(`select count(*)::int as n from ticket_messages where ticket_id = $1 and author = 'note'`, [ticketId])).rows[0]!.n;

    expect((await postAs(app, teacher, `/tickets/${ticketId}/note`, { text: '备注一' }, null)).status).toBe(403);
    expect((await postAs(app, teacher, `/tickets/${ticketId}/note`, { text: '备注一' }, 'wrong-token')).status).toBe(403);
    const other = await signIn(app, 'teacher.a', password);
    expect((await postAs(app, teacher, `/tickets/${ticketId}/note`, { text: '备注一' }, other.csrf)).status).toBe(403);
    expect(await count()).toBe(0);

    const accepted = await postAs(app, teacher, `/tickets/${ticketId}/note`, { text: '备注一' });
    expect(accepted.status).toBe(303);
    const byHeader = await app.request(`/tickets/${ticketId}/note`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: teacher.cookie, 'x-csrf-token': teacher.csrf },
      body: new URLSearchParams({ text: '备注二' }).toString(),
    });
    expect(byHeader.status).toBe(303);
    expect(await count()).toBe(2);
  });

  it('lets only administrators assign tickets and see the accounts page', async () => {
    const teacher = await signIn(app, 'teacher.a', password);
    expect((await getAs(app, teacher, '/users')).status).toBe(403);
    expect((await postAs(app, teacher, `/tickets/${ticketId}/assign`, { teacherId: '1' })).status).toBe(403);
    const admin = await signIn(app, 'admin_1', '十个字的中文密码很好记');
    const page = await getAs(app, admin, '/users');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('teacher.a');
  });

  it('ends the session after 12 hours', async () => {
    const teacher = await signIn(app, 'teacher.a', password);
    expect((await getAs(app, teacher, '/')).status).toBe(200);
    advance(12 * 60 * 60_000);
    const expired = await getAs(app, teacher, '/');
    expect(expired.status).toBe(303);
    expect(expired.headers.get('location')).toMatch(/^\/login/u);
    expect((await postAs(app, teacher, `/tickets/${ticketId}/note`, { text: '过期' })).status).toBe(403);
  });

  it('logs out (with the CSRF token only): the cookie is cleared and the session is gone', async () => {
    const teacher = await signIn(app, 'teacher.a', password);
    expect((await postAs(app, teacher, '/logout', {}, null)).status).toBe(403);
    expect((await getAs(app, teacher, '/')).status).toBe(200);
    const out = await postAs(app, teacher, '/logout');
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/login');
    expect(out.headers.getSetCookie().find((header) => header.startsWith('zhiyin_session='))).toMatch(/Max-Age=0/u);
    expect((await getAs(app, teacher, '/')).status).toBe(303);
  });
});
