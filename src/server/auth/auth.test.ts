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
import { addressKey, delayAfter, IP_RULE, LoginThrottle } from './throttle.ts';
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
    expect(user).toMatchObject({ username: 'admin_1', displayName: '管理员', role: 'admin' });
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

  it('has no per-account lockout: after many failures the right password still works (throttling is per address, below)', async () => {
    for (let attempt = 1; attempt <= 8; attempt += 1) expect(await users.verify('lock.me', `wrong-${attempt}-password`)).toEqual({ ok: false, reason: 'invalid' });
    expect(await users.verify('lock.me', password)).toMatchObject({ ok: true });
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

  it('says when the password is wrong', async () => {
    const wrong = await postLogin(app, 'teacher.a', 'not the password');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('用户名或密码错误');
    expect(cookiesOf(wrong).has('zhiyin_session')).toBe(false);
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

describe('login throttling (per address, and per account and address), over HTTP', () => {
  // behind a proxy that sets X-Forwarded-For, so each test can speak from its own address
  let proxied: Hono;
  const from = (ip: string): Record<string, string> => ({ 'x-forwarded-for': `10.0.0.1, ${ip}` });
  const retryAfter = (response: Response): number => Number(response.headers.get('retry-after'));
  beforeAll(() => {
    proxied = createApp(assistant, { users, sessions, desk, now, livePollMs: 0, trustProxy: true });
  });

  it('grows the wait exponentially past each limit, up to a ceiling', () => {
    expect([1, 7, 8, 9, 10].map((n) => delayAfter(n, IP_RULE))).toEqual([0, 0, 60_000, 120_000, 240_000]);
    expect(delayAfter(40, IP_RULE)).toBe(IP_RULE.maxMs);
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:0db8:0001:0002:ffff:1:2:3'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
  });

  it('throttles one address spraying a password over 10 accounts (429, Chinese message, Retry-After), not other addresses', async () => {
    const sprayed: string[] = [];
    for (let n = 1; n <= 10; n += 1) {
      const username = `spray.${String(n).padStart(2, '0')}`;
      await users.add({ username, displayName: `老师${n}`, role: 'teacher', password });
      sprayed.push(username);
    }
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (const username of sprayed) {
      const response = await postLogin(proxied, username, 'Spring2026!!', from('203.0.113.7'));
      statuses.push(response.status);
      if (response.status === 429) refused ??= response;
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 401, 429, 429, 429]);
    expect(retryAfter(refused!)).toBe(60);
    expect(await refused!.text()).toContain('登录失败次数过多，请 1 分钟后再试。');
    expect(cookiesOf(refused!).has('zhiyin_session')).toBe(false);

    // while the address waits, even a right password from it is refused unchecked
    expect((await postLogin(proxied, 'spray.01', password, from('203.0.113.7'))).status).toBe(429);
    // a teacher elsewhere is not affected
    expect((await postLogin(proxied, 'spray.01', password, from('203.0.113.8'))).status).toBe(303);
    // the counts are in the database: another instance refuses the address as well
    expect(await new LoginThrottle(db, { now }).check('spray.09', '203.0.113.7')).toMatchObject({ allowed: false, scope: 'ip' });

    // after the wait, the next failure costs twice as long
    advance(60_000);
    const next = await postLogin(proxied, 'spray.10', 'Summer2026!!', from('203.0.113.7'));
    expect(next.status).toBe(429);
    expect(retryAfter(next)).toBe(120);
  });

  it("a stranger's failures on a teacher's account do not stop the teacher signing in from another address", async () => {
    await users.add({ username: 'target.t', displayName: '丁老师', role: 'teacher', password });
    const statuses: number[] = [];
    for (let attempt = 1; attempt <= 7; attempt += 1) statuses.push((await postLogin(proxied, 'target.t', `guess-${attempt}-password`, from('198.51.100.9'))).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429, 429]);
    // the attacker's address is held back on this account, even with the right password…
    expect((await postLogin(proxied, 'target.t', password, from('198.51.100.9'))).status).toBe(429);
    // …but the teacher, from their own address, signs in at once
    const teacher = await postLogin(proxied, 'target.t', password, from('192.0.2.10'));
    expect(teacher.status).toBe(303);
    expect(cookiesOf(teacher).has('zhiyin_session')).toBe(true);
  });

  it('delays grow with each further failure, and a success clears only the account count', async () => {
    await users.add({ username: 'typo.t', displayName: '戊老师', role: 'teacher', password });
    const ip = from('192.0.2.44');
    for (let attempt = 1; attempt <= 4; attempt += 1) expect((await postLogin(proxied, 'typo.t', 'typo typo typo', ip)).status).toBe(401);
    const waits: number[] = [];
    for (let attempt = 5; attempt <= 8; attempt += 1) {
      const response = await postLogin(proxied, 'typo.t', 'typo typo typo', ip);
      expect(response.status).toBe(429);
      waits.push(retryAfter(response));
      // too early: refused with what is left of the wait, and not counted
      advance(waits.at(-1)! * 1000 - 1000);
      const early = await postLogin(proxied, 'typo.t', password, ip);
      expect(early.status).toBe(429);
      expect(retryAfter(early)).toBe(1);
      advance(1000);
    }
    expect(waits).toEqual([30, 60, 120, 240]); // the 8th failure also reached the address limit (60 s)
    expect((await postLogin(proxied, 'typo.t', password, ip)).status).toBe(303);
    const { rows } = await db.query<{ scope: string }>(`select scope from login_failures where ip = '192.0.2.44' order by scope`);
    expect(rows.map((row) => row.scope)).toEqual(['ip']);
    // the address count is not cleared by a success: the next failure from it waits again
    const after = await postLogin(proxied, 'someone.else', 'typo typo typo', ip);
    expect(after.status).toBe(429);
    expect(retryAfter(after)).toBe(120);
  });

  it('forgets an address after an hour without failures', async () => {
    const ip = from('192.0.2.99');
    for (let attempt = 1; attempt <= 7; attempt += 1) expect((await postLogin(proxied, `nobody.${attempt}`, 'whatever whatever', ip)).status).toBe(401);
    advance(60 * 60_000 + 1);
    for (let attempt = 1; attempt <= 7; attempt += 1) expect((await postLogin(proxied, `nobody.${attempt}`, 'whatever whatever', ip)).status).toBe(401);
  });
});
