import type { Hono } from 'hono';
import type { Assistant } from '../../assistant.ts';
import type { Database } from '../../store/database.ts';
import { createApp } from '../app.ts';
import { UserStore } from '../auth/users.ts';

/** A signed-in browser for `app.request` tests: its cookie header and the session's CSRF token. */
export interface SignedIn {
  cookie: string;
  csrf: string;
}

/** The `name=value` pairs of a response's Set-Cookie headers. */
export function cookiesOf(response: Response): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(';');
    const at = pair!.indexOf('=');
    cookies.set(pair!.slice(0, at).trim(), pair!.slice(at + 1).trim());
  }
  return cookies;
}

/** The login form's token and cookie, as a browser gets them from GET /login. */
export async function loginForm(app: Hono): Promise<{ cookie: string; token: string }> {
  const response = await app.request('/login');
  const token = /name="_csrf" value="([^"]+)"/u.exec(await response.text())?.[1];
  const cookie = cookiesOf(response).get('zhiyin_login');
  if (!token || !cookie) throw new Error('GET /login gave no login token');
  return { cookie: `zhiyin_login=${cookie}`, token };
}

/** Posts the login form; resolves with the raw response. */
export async function postLogin(app: Hono, username: string, password: string, headers: Record<string, string> = {}): Promise<Response> {
  const form = await loginForm(app);
  return app.request('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie, ...headers },
    body: new URLSearchParams({ _csrf: form.token, username, password, next: '/' }).toString(),
  });
}

/**
 * Signs in through the login form and reads the CSRF token from the queue page.
 *
 * @example const teacher = await signIn(app, 'wang.li', 'a long passphrase');
 */
export async function signIn(app: Hono, username: string, password: string): Promise<SignedIn> {
  const response = await postLogin(app, username, password);
  const session = cookiesOf(response).get('zhiyin_session');
  if (response.status !== 303 || !session) throw new Error(`sign-in of ${username} failed: ${response.status}`);
  const cookie = `zhiyin_session=${session}`;
  const page = await (await app.request('/', { headers: { cookie } })).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)">/u.exec(page)?.[1];
  if (!csrf) throw new Error('the queue page has no CSRF token');
  return { cookie, csrf };
}

/** GET as a signed-in user. */
export async function getAs(app: Hono, who: SignedIn, path: string): Promise<Response> {
  return app.request(path, { headers: { cookie: who.cookie } });
}

/** POSTs a form as a signed-in user, with the session's CSRF token unless `csrf` says otherwise. */
export async function postAs(app: Hono, who: SignedIn, path: string, fields: Record<string, string> = {}, csrf: string | null = who.csrf): Promise<Response> {
  return app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: who.cookie },
    body: new URLSearchParams({ ...fields, ...(csrf === null ? {} : { _csrf: csrf }) }).toString(),
  });
}

/**
 * The admin pages' test rig: the app over `assistant` with an admin (kb.admin) and a teacher
 * (teacher.li), both signed in with `password`.
 *
 * @example const { app, asAdmin } = await adminAndTeacher(assistant, db, 'a long passphrase');
 */
export async function adminAndTeacher(
  assistant: Assistant,
  db: Database,
  password: string,
): Promise<{ app: Hono; asAdmin: SignedIn; asTeacher: SignedIn }> {
  const users = new UserStore(db);
  await users.add({ username: 'kb.admin', displayName: '管理员', role: 'admin', password });
  await users.add({ username: 'teacher.li', displayName: '李老师', role: 'teacher', password });
  const app = createApp(assistant, { users, livePollMs: 0 });
  return { app, asAdmin: await signIn(app, 'kb.admin', password), asTeacher: await signIn(app, 'teacher.li', password) };
}
