import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { NONCE, secureHeaders } from 'hono/secure-headers';
import { z } from 'zod';
import type { Assistant } from '../assistant.ts';
import { toAskLine } from '../cli/ask-lines.ts';
import { SqlConversationStore, type ConversationStore } from '../conversation/conversation-store.ts';
import { noTicketReply } from '../conversation/dry-run.ts';
import { Outbox } from '../escalation/outbox.ts';
import { TicketDesk } from '../escalation/tickets.ts';
import { SessionStore } from './auth/sessions.ts';
import { LoginThrottle } from './auth/throttle.ts';
import { UserStore } from './auth/users.ts';
import { dashboard } from './dashboard/routes.ts';
import { knowledgeAdmin } from './admin/routes.ts'; // issue 7
import { gapsAdmin, gapsBase } from './admin/gaps.ts'; // issue 15
import { reportAdmin, reportBase } from './admin/report.ts';
import type { ChannelStatus } from './dashboard/channel-status.ts';

const askSchema = z.object({ question: z.string() });

/** What the web app works with; anything left out is built on `assistant.db`. */
export interface AppDeps {
  desk?: TicketDesk;
  /** Where replies are queued; `serve` passes the started one (a default one here never sends). */
  outbox?: Outbox;
  users?: UserStore;
  /** Channel webhooks (Telegram, the WeChat Official Account): routed before the dashboard's sign-in and CSRF checks, which do not apply to them (each checks its platform's signature). */
  webhooks?: Hono;
  /** How the channels serve started are doing (shown to admins at /channels). */
  channelStatus?: () => ChannelStatus[];
  sessions?: SessionStore;
  /** Failed-login counts (per address, per account and address); default: in `assistant.db`. */
  loginThrottle?: LoginThrottle;
  /** Whether a reverse proxy in front sets X-Forwarded-For (`TRUST_PROXY`); the login throttle then counts its last entry. */
  trustProxy?: boolean;
  conversations?: ConversationStore;
  now?: () => Date;
  /** How often the live queue polls for changes made by other processes (default 15 s; 0: never). */
  livePollMs?: number;
}

/**
 * The HTTP app: health and the dry-run question endpoint (no login), and the teachers' dashboard
 * (login, queue, tickets, student archives, stats, knowledge base) at `/`.
 *
 * @example
 * const app = createApp(assistant, { desk, outbox });
 * const response = await app.request('/healthz');
 */
export function createApp(assistant: Assistant, deps: AppDeps = {}): Hono {
  const now = deps.now ?? (() => new Date());
  const app = new Hono();

  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: [NONCE],
        styleSrc: [NONCE],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
      referrerPolicy: 'same-origin',
    }),
  );

  app.get('/healthz', async (c) => {
    const version = await assistant.knowledge.version();
    return c.json({ status: 'ok', knowledgeVersion: version });
  });

  app.post('/api/ask', bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.json({ error: 'request body too large' }, 413) }), async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'send JSON: {"question": "…"}' }, 400);
    }
    const parsed = askSchema.safeParse(body);
    if (!parsed.success) return c.json({ error: 'send JSON: {"question": "…"}' }, 400);
    const result = await assistant.ask(parsed.data.question);
    // a dry run opens no ticket, so it must not promise a teacher
    if (result.outcome === 'escalate') result.answer = noTicketReply(assistant.replies, result.language, result.route.kind === 'escalate' ? result.route.reason : undefined);
    return c.json(toAskLine(null, result));
  });

  if (deps.webhooks) app.route('/', deps.webhooks);

  // Knowledge-base administration (issue 7, src/server/admin): mounted before the dashboard so that its own limits apply.
  app.route('/admin/knowledge', knowledgeAdmin({ assistant, sessions: deps.sessions ?? new SessionStore(assistant.db, { now }) }));
  app.route(gapsBase, gapsAdmin({ assistant, sessions: deps.sessions ?? new SessionStore(assistant.db, { now }), now }));
  app.route(reportBase, reportAdmin({ assistant, sessions: deps.sessions ?? new SessionStore(assistant.db, { now }), now }));

  app.route(
    '/',
    dashboard({
      db: assistant.db,
      desk: deps.desk ?? new TicketDesk(assistant.db, now),
      outbox: deps.outbox ?? new Outbox(assistant.db, { now, log: assistant.log }),
      users: deps.users ?? new UserStore(assistant.db, { now }),
      sessions: deps.sessions ?? new SessionStore(assistant.db, { now }),
      throttle: deps.loginThrottle ?? new LoginThrottle(assistant.db, { now }),
      trustProxy: deps.trustProxy ?? false,
      conversations: deps.conversations ?? new SqlConversationStore(assistant.db),
      knowledge: assistant.knowledge,
      log: assistant.log,
      now,
      ...(deps.livePollMs !== undefined ? { livePollMs: deps.livePollMs } : {}),
      ...(deps.channelStatus ? { channelStatus: deps.channelStatus } : {}),
    }),
  );

  app.onError((error, c) => {
    assistant.log.error({ err: { message: error.message, stack: error.stack } }, 'request failed');
    if (c.req.header('accept')?.includes('text/html')) return c.html('<!doctype html><meta charset="utf-8"><title>出错了</title><p>服务器出错了，请稍后再试。</p>', 500);
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
