import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { streamSSE } from 'hono/streaming';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ConversationStore } from '../../conversation/conversation-store.ts';
import type { Outbox } from '../../escalation/outbox.ts';
import { TicketError, type Ticket, type TicketDesk, type TicketEvent } from '../../escalation/tickets.ts';
import type { KnowledgeBase } from '../../knowledge/knowledge-base.ts';
import type { Database } from '../../store/database.ts';
import { clearSessionCookie, csrfProtection, isHttps, loadSession, requireRole, requireUser, setSessionCookie, type DashboardEnv } from '../auth/middleware.ts';
import { randomToken, sameSecret, type Session, type SessionStore } from '../auth/sessions.ts';
import { studentAccess, withheld } from '../auth/student-access.ts';
import { clientAddress, type LoginThrottle } from '../auth/throttle.ts';
import type { User, UserStore } from '../auth/users.ts';
import { accounts } from '../admin/accounts.ts';
import { readArchive, studentOf } from './archive.ts';
import { LiveTickets } from './live.ts';
import { schoolKnowledge } from './promote.ts';
import { studentNames } from './student-names.ts';
import {
  flashes,
  knowledgeBody,
  knowledgeScript,
  loginBody,
  messageBody,
  queueBody,
  queueRows,
  queueScript,
  statsBody,
  studentBody,
  throttledMessage,
  ticketBody,
  ticketScript,
  type FlashCode,
  type QueueFilter,
  channelsBody,
} from './pages.ts';
import type { ChannelStatus } from './channel-status.ts';
import { layout, type Html } from './view.ts';

/** What the dashboard works with. */
export interface DashboardDeps {
  db: Database;
  desk: TicketDesk;
  outbox: Outbox;
  users: UserStore;
  sessions: SessionStore;
  /** Failed logins per address and per (account, address), in the database. */
  throttle: LoginThrottle;
  /** Whether a reverse proxy sets X-Forwarded-For (the client address is then its last entry). */
  trustProxy?: boolean;
  conversations: ConversationStore;
  knowledge: KnowledgeBase;
  log: Logger;
  now: () => Date;
  /** The channels `serve` started and how each is doing (the WeChat login QR code among them). */
  channelStatus?: () => ChannelStatus[];
  /** Poll for ticket changes made by other processes while someone watches the queue (0: never). */
  livePollMs?: number;
}

/** The double-submit cookie of the login form (there is no session yet to hold a CSRF token). */
const LOGIN_COOKIE = 'zhiyin_login';

const queueFilterSchema = z.object({
  status: z.enum(['active', 'open', 'claimed', 'answered', 'closed']).catch('active'),
  reason: z.enum(['crisis', 'complaint', 'person', 'low-confidence']).optional().catch(undefined),
  sort: z.enum(['priority', 'due']).catch('priority'),
  mine: z
    .string()
    .optional()
    .transform((value) => value === '1' || value === 'on'),
});

const textSchema = z.object({ text: z.string().trim().min(1).max(4000) });
const loginSchema = z.object({ username: z.string().max(64).default(''), password: z.string().max(1024).default(''), next: z.string().max(500).default('/') });
const idSchema = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** A redirect target after login: a path on this site only. */
function safeNext(next: string): string {
  return next.startsWith('/') && !next.startsWith('//') && !next.includes('\\') && !/[\u0000-\u001f]/u.test(next) ? next : '/';
}

/**
 * Who may work a ticket (reply, release, close, reopen, retry a delivery): its assignee, an
 * administrator, or anyone while it has no assignee (replying to an unassigned ticket takes it).
 * Any signed-in user may read a ticket, claim an unassigned one and add internal notes; only
 * administrators assign tickets to others.
 */
export function mayWork(user: User, ticket: Ticket): boolean {
  return user.role === 'admin' || ticket.assigneeId === null || ticket.assigneeId === user.id;
}

/**
 * The teachers' dashboard: login (throttled per address and per account and address), the live
 * queue, tickets, student archives (what each user sees of a student: `studentAccess`), stats and
 * the knowledge-base page. Every non-GET request needs the session's CSRF token.
 */
export function dashboard(deps: DashboardDeps): Hono<DashboardEnv> {
  const { desk, outbox, users, sessions, log, now } = deps;
  const live = new LiveTickets(desk, deps.db, deps.livePollMs ?? 15_000);
  const school = schoolKnowledge({ db: deps.db, desk, knowledge: deps.knowledge, log, now }); // issue 15: a ticket becomes school knowledge
  const app = new Hono<DashboardEnv>();
  const limit = bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.text('请求太大 / request body too large', 413) });

  app.use('*', async (c, next) => {
    c.header('Cache-Control', 'no-store');
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    return limit(c, next);
  });
  app.use('*', loadSession(sessions));
  app.use(
    '*',
    csrfProtection((path) => path === '/login'),
  );

  const page = (c: Context<DashboardEnv>, title: string, body: Html, options: { status?: 200 | 401 | 403 | 404 | 429; script?: string } = {}): Response | Promise<Response> =>
    c.html(layout({ title, nonce: c.get('secureHeadersNonce'), session: c.get('session'), body, ...(options.script ? { script: options.script } : {}) }), options.status ?? 200);
  const sessionOf = (c: Context<DashboardEnv>): Session => c.get('session')!;
  const notFound = (c: Context<DashboardEnv>): Response | Promise<Response> => page(c, '找不到', messageBody('找不到', '没有这个页面或工单。'), { status: 404 });
  const forbidden = (c: Context<DashboardEnv>, text = '只有负责这张工单的老师或管理员可以这样做。'): Response | Promise<Response> =>
    page(c, '没有权限', messageBody('没有权限', text), { status: 403 });

  // ---- login / logout -----------------------------------------------------------------------

  const loginPage = (c: Context<DashboardEnv>, next: string, extra: Partial<Parameters<typeof loginBody>[0]>, status: 200 | 401 | 403 | 429 = 200) => {
    const loginToken = randomToken();
    setCookie(c, LOGIN_COOKIE, loginToken, { httpOnly: true, sameSite: 'Strict', path: '/login', secure: isHttps(c), maxAge: 60 * 60 });
    return page(c, '登录', loginBody({ loginToken, next, ...extra }), { status });
  };

  app.get('/login', (c) => {
    const next = safeNext(c.req.query('next') ?? '/');
    if (c.get('session')) return c.redirect(next, 303);
    return loginPage(c, next, {});
  });

  app.post('/login', async (c) => {
    const body = await c.req.parseBody();
    const fields = loginSchema.safeParse({ username: body.username, password: body.password, next: body.next });
    const next = safeNext(fields.success ? fields.data.next : '/');
    const cookieToken = getCookie(c, LOGIN_COOKIE);
    const sent = typeof body._csrf === 'string' ? body._csrf : '';
    if (!cookieToken || !sent || !sameSecret(sent, cookieToken)) return loginPage(c, next, { problem: { kind: 'expired' } }, 403);
    if (!fields.success) return loginPage(c, next, { problem: { kind: 'invalid' } }, 401);
    const { username, password } = fields.data;
    const address = clientAddress(c, deps.trustProxy ?? false);
    const tooMany = (waitMs: number) => {
      const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
      c.header('Retry-After', String(retryAfterSeconds));
      return loginPage(c, next, { username, problem: { kind: 'throttled', retryAfterSeconds } }, 429);
    };
    // a throttled attempt is refused without checking the password (and is not counted again)
    const decision = await deps.throttle.check(username, address);
    if (!decision.allowed) {
      log.warn({ outcome: 'throttled', scope: decision.scope }, 'login refused');
      return tooMany(decision.retryAfterMs);
    }
    const result = await users.verify(username, password);
    if (!result.ok && result.reason === 'disabled') {
      log.info({ outcome: 'disabled' }, 'login refused');
      return loginPage(c, next, { username, problem: { kind: 'disabled' } }, 403);
    }
    if (!result.ok) {
      const waitMs = await deps.throttle.recordFailure(username, address);
      log.info({ outcome: result.reason }, 'login refused');
      return waitMs > 0 ? tooMany(waitMs) : loginPage(c, next, { username, problem: { kind: 'invalid' } }, 401);
    }
    await deps.throttle.recordSuccess(username, address);
    const previous = c.get('sessionToken');
    if (previous) await sessions.destroy(previous);
    const created = await sessions.create(result.user.id);
    setSessionCookie(c, created.token, created.expiresAt);
    deleteCookie(c, LOGIN_COOKIE, { path: '/login', secure: isHttps(c), httpOnly: true, sameSite: 'Strict' });
    log.info({ userId: result.user.id }, 'signed in');
    return c.redirect(next, 303);
  });

  app.post('/logout', async (c) => {
    const token = c.get('sessionToken');
    if (token) await sessions.destroy(token);
    clearSessionCookie(c);
    log.info({ userId: c.get('session')?.user.id ?? null }, 'signed out');
    return c.redirect('/login', 303);
  });

  // ---- queue and live updates ---------------------------------------------------------------

  const queueOf = async (c: Context<DashboardEnv>): Promise<{ filter: QueueFilter; tickets: Ticket[] }> => {
    const filter = queueFilterSchema.parse({ status: c.req.query('status'), reason: c.req.query('reason') || undefined, sort: c.req.query('sort'), mine: c.req.query('mine') });
    const tickets = await desk.list({
      status: filter.status,
      sort: filter.sort,
      ...(filter.reason ? { reason: filter.reason } : {}),
      ...(filter.mine ? { assigneeId: sessionOf(c).user.id } : {}),
    });
    return { filter, tickets };
  };

  app.get('/', requireUser(), async (c) => {
    const { filter, tickets } = await queueOf(c);
    const students = await studentNames(deps.db, tickets.map((ticket) => ticket.conversationId));
    return page(c, '工单队列', queueBody(tickets, filter, now(), students), { script: queueScript });
  });

  app.get('/queue/rows', requireUser('api'), async (c) => {
    const { tickets } = await queueOf(c);
    return c.html(queueRows(tickets, now(), await studentNames(deps.db, tickets.map((ticket) => ticket.conversationId))));
  });

  app.get('/events', requireUser('api'), (c) =>
    streamSSE(c, async (stream) => {
      const pending: TicketEvent[] = [];
      let wake: () => void = () => {};
      const stop = live.subscribe((event) => {
        pending.push(event);
        wake();
      });
      stream.onAbort(() => {
        stop();
        wake();
      });
      try {
        await stream.writeSSE({ event: 'ready', data: '{}', retry: 3000 });
        while (!stream.aborted && !stream.closed) {
          if (pending.length === 0) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, 25_000);
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
            wake = () => {};
          }
          if (stream.aborted || stream.closed) break;
          if (pending.length === 0) await stream.write(': keep-alive\n\n');
          for (const event of pending.splice(0)) {
            await stream.writeSSE({ event: 'ticket', data: JSON.stringify({ ticketId: event.ticketId, action: event.action }) });
          }
        }
      } finally {
        stop();
      }
    }),
  );

  // ---- tickets ------------------------------------------------------------------------------

  /** Titles of every document the knowledge base holds or held (a ticket may cite one since withdrawn). */
  const documentTitles = async (): Promise<Map<string, string>> => {
    const titles = new Map((await deps.knowledge.catalogue()).map(({ docId, versions }) => [docId, versions[0]!.title]));
    for (const document of await deps.knowledge.list()) titles.set(document.id, document.title);
    return titles;
  };

  const ticketOf = async (c: Context<DashboardEnv>): Promise<Ticket | null> => {
    const id = idSchema.safeParse(c.req.param('id'));
    return id.success ? desk.get(id.data) : null;
  };
  const back = (c: Context<DashboardEnv>, ticketId: number, code: FlashCode, anchor = ''): Response => c.redirect(`/tickets/${ticketId}?msg=${code}${anchor}`, 303);

  app.get('/tickets/:id', requireUser(), async (c) => {
    const ticket = await ticketOf(c);
    if (!ticket) return notFound(c);
    const { user } = sessionOf(c);
    const code = c.req.query('msg');
    const access = studentAccess(user, { assignedTeacherId: await desk.teacherOfStudent(ticket.conversationId) }, ticket);
    const thread = await desk.messages(ticket.id);
    // without the thread: the message that opened the ticket only (triage)
    const messages = access.thread ? thread : thread.slice(0, 1);
    const deliveries = access.thread ? await desk.deliveries(ticket.id) : [];
    const transcript = access.archive ? await desk.transcript(ticket.id, user.id) : null; // audited
    const assignable = user.role === 'admin' ? await users.list() : [];
    log.info({ ticketId: ticket.id, userId: user.id, history: access.archive }, 'ticket read');
    return page(
      c,
      `工单 #${ticket.id}`,
      html`${ticketBody({
        session: sessionOf(c),
        ticket,
        messages,
        transcript,
        deliveries,
        assignable,
        mayWork: mayWork(user, ticket),
        access,
        channels: outbox.channels,
        documentTitles: await documentTitles(),
        student: (await studentNames(deps.db, [ticket.conversationId])).get(ticket.conversationId),
        now: now(),
        flash: code && code in flashes ? (code as FlashCode) : undefined,
      })}${await school.section({ session: sessionOf(c), ticket, thread, mayReadThread: access.thread })}`,
      { script: ticketScript },
    );
  });

  const actions = ['claim', 'release', 'close', 'reopen'] as const;
  for (const action of actions) {
    app.post(`/tickets/:id/${action}`, requireUser(), async (c) => {
      const ticket = await ticketOf(c);
      if (!ticket) return notFound(c);
      const { user } = sessionOf(c);
      try {
        switch (action) {
          case 'claim':
            await desk.claim(ticket.id, user.id);
            break;
          default:
            if (!mayWork(user, ticket)) return forbidden(c);
            if (action === 'release') await desk.release(ticket.id, user.id);
            else if (action === 'close') await desk.close(ticket.id, user.id);
            else await desk.reopen(ticket.id, user.id);
        }
      } catch (error) {
        if (error instanceof TicketError) return back(c, ticket.id, 'conflict');
        throw error;
      }
      log.info({ ticketId: ticket.id, userId: user.id, action }, 'ticket changed');
      const done: Record<(typeof actions)[number], FlashCode> = { claim: 'claimed', release: 'released', close: 'closed', reopen: 'reopened' };
      return back(c, ticket.id, done[action]);
    });
  }

  app.post('/tickets/:id/assign', requireUser(), requireRole('admin'), async (c) => {
    const ticket = await ticketOf(c);
    if (!ticket) return notFound(c);
    const { user } = sessionOf(c);
    const teacherId = idSchema.safeParse((await c.req.parseBody()).teacherId);
    if (!teacherId.success || !(await users.get(teacherId.data))) return back(c, ticket.id, 'conflict');
    try {
      await desk.assign(ticket.id, user.id, teacherId.data);
    } catch (error) {
      if (error instanceof TicketError) return back(c, ticket.id, 'conflict');
      throw error;
    }
    log.info({ ticketId: ticket.id, userId: user.id, action: 'assign', to: teacherId.data }, 'ticket changed');
    return back(c, ticket.id, 'assigned');
  });

  app.post('/tickets/:id/reply', requireUser(), async (c) => {
    const ticket = await ticketOf(c);
    if (!ticket) return notFound(c);
    const { user } = sessionOf(c);
    if (!mayWork(user, ticket)) return forbidden(c);
    const fields = textSchema.safeParse(await c.req.parseBody());
    if (!fields.success) return back(c, ticket.id, 'empty');
    try {
      const { outboxId } = await desk.reply(ticket.id, user.id, fields.data.text);
      log.info({ ticketId: ticket.id, userId: user.id, outboxId }, 'reply queued');
    } catch (error) {
      if (error instanceof TicketError) return back(c, ticket.id, 'conflict');
      throw error;
    }
    outbox.poke();
    return back(c, ticket.id, 'replied', '#thread');
  });

  app.post('/tickets/:id/note', requireUser(), async (c) => {
    const ticket = await ticketOf(c);
    if (!ticket) return notFound(c);
    const { user } = sessionOf(c);
    const fields = textSchema.safeParse(await c.req.parseBody());
    if (!fields.success) return back(c, ticket.id, 'empty');
    await desk.note(ticket.id, user.id, fields.data.text);
    log.info({ ticketId: ticket.id, userId: user.id }, 'note added');
    return back(c, ticket.id, 'noted', '#thread');
  });

  app.post('/tickets/:id/deliveries/:deliveryId/retry', requireUser(), async (c) => {
    const ticket = await ticketOf(c);
    if (!ticket) return notFound(c);
    const { user } = sessionOf(c);
    if (!mayWork(user, ticket)) return forbidden(c);
    const deliveryId = idSchema.safeParse(c.req.param('deliveryId'));
    const delivery = deliveryId.success ? (await desk.deliveries(ticket.id)).find((candidate) => candidate.id === deliveryId.data) : undefined;
    if (!delivery) return notFound(c);
    if (delivery.status !== 'failed') return back(c, ticket.id, 'conflict');
    await outbox.retry(delivery.id);
    log.info({ ticketId: ticket.id, userId: user.id, outboxId: delivery.id }, 'delivery retried');
    return back(c, ticket.id, 'retried', '#thread');
  });

  // ---- student archive: the assigned teacher and administrators (see studentAccess) ---------

  app.get('/students/:conversationId', requireUser(), async (c) => {
    const id = idSchema.safeParse(c.req.param('conversationId'));
    const student = id.success ? await studentOf(deps.db, id.data) : null;
    if (!id.success || !student) return notFound(c);
    const { user } = sessionOf(c);
    if (!studentAccess(user, student).archive) {
      await desk.recordRead(user.id, 'archive-denied', id.data);
      log.warn({ conversationId: id.data, userId: user.id }, 'archive refused');
      return forbidden(c, withheld.archive);
    }
    await desk.recordRead(user.id, 'read-archive', id.data);
    const archive = await readArchive(deps.db, deps.conversations, id.data);
    if (!archive) return notFound(c);
    log.info({ conversationId: id.data, userId: user.id }, 'archive read');
    return page(c, '学生档案', studentBody(archive));
  });

  // ---- stats and knowledge ------------------------------------------------------------------

  app.get('/stats', requireUser(), async (c) => {
    const stats = await desk.stats();
    return page(c, '统计', statsBody({ ...stats, ratings: await deps.conversations.ratingSummary() }, { admin: c.get('session')?.user.role === 'admin' }));
  });

  app.get('/channels', requireUser(), requireRole('admin'), async (c) => {
    const { rows } = await deps.db.query<{ channel: string; status: string; count: number }>(
      'select channel, status, count(*)::int as count from outbox group by channel, status order by channel, status',
    );
    const channels = deps.channelStatus?.() ?? [];
    // the WeChat login QR drawn here, as SVG: the school network need not reach any QR service
    const qrSvgs = new Map<string, string>();
    for (const channel of channels) {
      if (!channel.qrcode) continue;
      // loaded here, when a WeChat login is waiting, not with the server
      const { default: QRCode } = await import('qrcode');
      qrSvgs.set(channel.name, await QRCode.toString(channel.qrcode, { type: 'svg', margin: 2, width: 240 }));
    }
    return page(c, '渠道', channelsBody(channels, rows, qrSvgs));
  });

  // accounts (administrators) and one's own password: src/server/admin/accounts.ts
  app.route('/', accounts({ db: deps.db, users, log }));
  // a closed ticket's reply proposed for the school's Q&A, the school's own eval set: ./promote.ts
  app.route('/', school.routes);

  app.get('/knowledge', requireUser(), async (c) => page(c, '知识库', knowledgeBody(await deps.knowledge.list(), sessionOf(c).user.role === 'admin'), { script: knowledgeScript }));

  return app;
}
