import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { SecureHeadersVariables } from 'hono/secure-headers';
import { sameSecret, type Session, type SessionStore } from './sessions.ts';
import type { UserRole } from './users.ts';

/** The session cookie: HttpOnly, SameSite=Strict, Path=/, Secure on https. */
export const SESSION_COOKIE = 'zhiyin_session';

/** What the dashboard's middleware puts on the context. */
export type DashboardEnv = {
  Variables: SecureHeadersVariables & {
    session: Session | null;
    /** The raw session token from the cookie, when it names a live session (for logout). */
    sessionToken: string | null;
  };
};

/** Whether the browser reached us over https (directly, or through a proxy that says so). */
export function isHttps(c: Context): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  return c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https';
}

/** Sets the session cookie on the response. */
export function setSessionCookie(c: Context, token: string, expiresAt: Date): void {
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/', secure: isHttps(c), expires: expiresAt });
}

/** Clears the session cookie. */
export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { httpOnly: true, sameSite: 'Strict', path: '/', secure: isHttps(c) });
}

/** Reads the session cookie and puts the live session (or null) on the context. */
export function loadSession(sessions: SessionStore): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE);
    const session = token ? await sessions.find(token) : null;
    c.set('session', session);
    c.set('sessionToken', session && token ? token : null);
    await next();
  };
}

/** Where a user whose password was reset must go first (and may go: signing out too). */
export const passwordChangePath = '/account/password';

/**
 * Lets signed-in users through. Others get a redirect to `/login?next=…` (a page), or 401 (`api`
 * mode: the live-update stream and list fragments, which a script fetches). A user whose
 * password an administrator reset reaches only {@link passwordChangePath} until they change it.
 */
export function requireUser(mode: 'page' | 'api' = 'page'): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    const session = c.get('session');
    if (session?.user.mustChangePassword && c.req.path !== passwordChangePath) {
      if (mode === 'page' && c.req.method === 'GET') return c.redirect(passwordChangePath, 303);
      return c.text('请先修改密码 / change your password first', 403);
    }
    if (session) return next();
    if (mode === 'api' || c.req.method !== 'GET') return c.text('请先登录 / sign in first', 401);
    const url = new URL(c.req.url);
    return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
  };
}

/** Lets only users of `role` through (403 otherwise); use after {@link requireUser}. */
export function requireRole(role: UserRole): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    const session = c.get('session');
    if (!session) return c.text('请先登录 / sign in first', 401);
    if (session.user.role !== role) return c.text('没有权限 / forbidden', 403);
    return next();
  };
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A form field of a urlencoded or multipart body (the body is parsed once and cached by Hono). */
export async function formField(c: Context, name: string): Promise<string | undefined> {
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) return undefined;
  const value = (await c.req.parseBody())[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Every request that is not GET/HEAD/OPTIONS must carry the session's CSRF token, as the form
 * field `_csrf` or the header `x-csrf-token` (compared in constant time); otherwise 403. Paths
 * for which `exempt` is true (the login form, which has its own token) pass.
 */
export function csrfProtection(exempt: (path: string) => boolean = () => false): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    if (safeMethods.has(c.req.method) || exempt(c.req.path)) return next();
    const session = c.get('session');
    const sent = c.req.header('x-csrf-token') ?? (await formField(c, '_csrf'));
    if (!session || !sent || !sameSecret(sent, session.csrfToken)) return c.text('CSRF 校验失败，请刷新页面后重试 / CSRF check failed', 403);
    return next();
  };
}
