import { Hono } from 'hono';
import { loadSession, requireRole, requireUser, type DashboardEnv } from '../auth/middleware.ts';
import type { SessionStore } from '../auth/sessions.ts';

/**
 * A Hono app for read-only administrators' pages: never cached, signed in, admins only (a
 * teacher gets 403, no session goes to /login).
 *
 * @example const app = adminPages(sessions); app.get('/', (c) => c.html(…));
 */
export function adminPages(sessions: SessionStore): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();
  app.use('*', async (c, next) => {
    c.header('Cache-Control', 'no-store');
    await next();
  });
  app.use('*', loadSession(sessions));
  app.use('*', requireUser());
  app.use('*', requireRole('admin'));
  return app;
}
