import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';
import pino, { type Logger } from 'pino';
import type { ConversationCore, TurnResult } from '../../src/conversation/core.ts';
import type { Choice } from '../../src/conversation/types.ts';
import { isHttps } from '../../src/server/auth/middleware.ts';
import { addressKey, clientAddress } from '../../src/server/auth/throttle.ts';
import type { Queryable } from '../../src/store/database.ts';
import { identityCookie, type StudentIdentities } from './identity.ts';
import type { LiveReplies } from './live-replies.ts';
import { chatPageHtml, choicesHtml, lineHtml, logHtml, profileText, webText, type ChatLine } from './page.ts';
import { RateLimiter, type RateRule } from './rate-limit.ts';

/** The channel name of the student web chat (conversations, tickets, the outbox). */
export const webChannel = 'web';

/** The largest request body a POST may carry (a message over 4,096 characters still gets the core's clear reply). */
export const maxBodyBytes = 64 * 1024;

const teacherReplyShape = /^【老师回复】([^\n：]{1,40})：\n([\s\S]*)$/u;

/** A pushed teacher's reply (`【老师回复】王老师：\n…`) as a line with the teacher's name above it. */
function pushedTeacherLine(text: string, at: Date): ChatLine {
  const match = teacherReplyShape.exec(text);
  return match ? { role: 'teacher', who: match[1]!, text: match[2]!, at } : { role: 'teacher', text, at };
}

export interface WebChatOptions {
  core: Pick<ConversationCore, 'handle' | 'store'>;
  /** Where conversations and the students' optional 学号/姓名 are (the core's database). */
  db: Queryable;
  identities: StudentIdentities;
  live: LiveReplies;
  /** Whether a reverse proxy in front sets X-Forwarded-For (`TRUST_PROXY`). */
  trustProxy?: boolean;
  /** Messages per student (default 20 a minute) and per client address (default 120 a minute: a school's NAT holds many students). */
  perStudent?: RateRule;
  perAddress?: RateRule;
  log?: Logger;
  /**
   * How long one live stream stays open before the server ends it (default 10 minutes); the page
   * reconnects at once and reloads the conversation, so that nothing sent while a connection was
   * silently dead (a phone asleep, a proxy's idle cut) stays missing.
   */
  streamLifetimeMs?: number;
  /** Milliseconds now, for the rate limits. */
  now?: () => number;
}

type Form = Record<string, string>;

const studentNumberShape = /^[A-Za-z0-9-]{1,32}$/u;
const nameShape = /^[\p{L}\p{M}·・.\s]{1,20}$/u;
const messageIdShape = /^[A-Za-z0-9_-]{8,64}$/u;

/**
 * The student web chat at `/chat`: a phone page (WeChat's in-app browser included) over the same
 * conversation core as the other channels. Who a student is lives in a signed, HttpOnly,
 * SameSite=Lax cookie (an anonymous id); every POST also carries that identity's form token and
 * must come from this origin. Messages are rate-limited per student and per address. Nothing here
 * reads a dashboard session or any teacher's data; a page shows only its own student's conversation.
 *
 * Routes: `GET /chat` (the page, with the conversation so far; `{log, choices}` for the script), `POST /chat` (a message: the page
 * again, or `{html, choices}` for the page's script), `POST /chat/profile` (学号/姓名, optional),
 * `GET /chat/events` (teachers' replies, server-sent events), `GET /chat/plan` (the latest
 * career plan as Markdown).
 *
 * @example app.route('/', webChatApp({ core, db, identities, live }));
 */
export function webChatApp(options: WebChatOptions): Hono {
  const { core, db, identities, live } = options;
  const log = options.log ?? pino({ level: 'silent' });
  const streamLifetimeMs = options.streamLifetimeMs ?? 10 * 60_000;
  const perStudent = new RateLimiter(options.perStudent ?? { limit: 20, windowMs: 60_000 }, options.now);
  const perAddress = new RateLimiter(options.perAddress ?? { limit: 120, windowMs: 60_000 }, options.now);
  /** The choices of each student's latest turn, so that a reload still shows them (this process only). */
  const latestChoices = new Map<string, readonly Choice[]>();
  const app = new Hono();

  const nonceOf = (c: Context): string => (c.get('secureHeadersNonce' as never) as string | undefined) ?? '';

  const studentOf = (c: Context): string | null => identities.verify(getCookie(c, identityCookie));

  const giveIdentity = (c: Context): string => {
    const id = identities.create();
    setCookie(c, identityCookie, identities.sign(id), {
      httpOnly: true,
      sameSite: 'Lax',
      path: '/chat',
      secure: isHttps(c),
      maxAge: 365 * 24 * 60 * 60,
    });
    return id;
  };

  const conversationIdOf = async (studentId: string): Promise<number | null> => {
    const { rows } = await db.query<{ id: number }>('select id from conversations where channel = $1 and user_id = $2', [webChannel, studentId]);
    return rows[0] ? Number(rows[0].id) : null;
  };

  const profileOf = async (studentId: string): Promise<{ studentNumber: string | null; name: string | null } | null> => {
    const { rows } = await db.query<{ student_number: string | null; name: string | null }>('select student_number, name from web_chat_students where user_id = $1', [studentId]);
    return rows[0] ? { studentNumber: rows[0].student_number, name: rows[0].name } : null;
  };

  /** The student's conversation as page lines, with teachers' names on their replies. */
  const historyOf = async (studentId: string): Promise<ChatLine[]> => {
    const conversationId = await conversationIdOf(studentId);
    if (conversationId === null) return [];
    const history = await core.store.history(conversationId, 100);
    const teacherIds = [...new Set(history.flatMap((message) => (message.role === 'teacher' && typeof message.meta.teacherId === 'number' ? [message.meta.teacherId] : [])))];
    const names = new Map<number, string>();
    if (teacherIds.length > 0) {
      const { rows } = await db.query<{ id: number; display_name: string }>('select id, display_name from users where id = any($1::bigint[])', [teacherIds]);
      for (const row of rows) names.set(Number(row.id), row.display_name);
    }
    return history.map((message): ChatLine => {
      const who = message.role === 'teacher' ? names.get(message.meta.teacherId as number) : undefined;
      return { role: message.role, text: message.text, at: message.createdAt, ...(who ? { who } : {}) };
    });
  };

  const renderPage = async (c: Context, studentId: string, extra: { notice?: string; documents?: boolean[] } = {}, status: 200 | 400 | 403 | 413 | 429 = 200): Promise<Response> => {
    const lines = await historyOf(studentId);
    // the latest turn's replies that carried a written plan link to its download
    const documents = extra.documents ?? [];
    let index = lines.length - 1;
    for (let reply = documents.length - 1; reply >= 0 && index >= 0; reply -= 1, index -= 1) if (documents[reply] && lines[index]!.role === 'assistant') lines[index] = { ...lines[index]!, document: true };
    if (extra.notice) lines.push({ role: 'notice', text: extra.notice });
    c.header('cache-control', 'no-store');
    return c.html(
      chatPageHtml({ lines, choices: latestChoices.get(studentId) ?? [], token: identities.formToken(studentId), nonce: nonceOf(c), profile: await profileOf(studentId) }),
      status,
    );
  };

  const wantsJson = (c: Context): boolean => (c.req.header('accept') ?? '').includes('application/json');

  /** A refusal: the page with a notice for a form post, `{html}` for the script. */
  const refuse = async (c: Context, studentId: string | null, status: 403 | 413 | 429, notice: string): Promise<Response> => {
    if (wantsJson(c)) return c.json({ html: lineHtml({ role: 'notice', text: notice }) }, status);
    return renderPage(c, studentId ?? giveIdentity(c), { notice }, status);
  };

  /** Whether a POST comes from this site: Fetch Metadata when the browser sends it, else Origin against Host. */
  const fromThisSite = (c: Context): boolean => {
    const site = c.req.header('sec-fetch-site');
    if (site && site !== 'same-origin' && site !== 'none') return false;
    const origin = c.req.header('origin');
    if (!origin) return true;
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return false;
    }
    const hosts = [c.req.header('host'), options.trustProxy ? c.req.header('x-forwarded-host')?.split(',')[0]?.trim() : undefined];
    return hosts.some((candidate) => candidate !== undefined && candidate.toLowerCase() === host.toLowerCase());
  };

  /** The checks every POST passes: size, identity, origin and form token, rate. Returns the student and the form, or the refusal. */
  const admit = async (c: Context): Promise<{ studentId: string; form: Form } | Response> => {
    const studentId = studentOf(c);
    let form: Form;
    try {
      const parsed = await c.req.parseBody();
      form = Object.fromEntries(Object.entries(parsed).flatMap(([key, value]) => (typeof value === 'string' ? [[key, value]] : [])));
    } catch {
      form = {};
    }
    if (studentId === null || !fromThisSite(c) || !identities.checkFormToken(studentId, form._csrf)) {
      log.info({ channel: webChannel, identity: studentId !== null, sameSite: fromThisSite(c) }, 'web chat post refused');
      return refuse(c, studentId, 403, webText('form_expired'));
    }
    for (const [limiter, key] of [
      [perAddress, `a:${addressKey(clientAddress(c, options.trustProxy ?? false))}`],
      [perStudent, `s:${studentId}`],
    ] as const) {
      const decision = limiter.take(key);
      if (!decision.allowed) {
        const seconds = Math.ceil(decision.retryAfterMs / 1000);
        c.header('retry-after', String(seconds));
        log.info({ channel: webChannel, scope: key.startsWith('a:') ? 'address' : 'student' }, 'web chat rate limited');
        return refuse(c, studentId, 429, webText('rate_limited', { seconds }));
      }
    }
    return { studentId, form };
  };

  const tooLarge = bodyLimit({ maxSize: maxBodyBytes, onError: (c) => refuse(c, studentOf(c), 413, webText('too_large', { limit: maxBodyBytes })) });

  // a link or QR code written with a trailing slash must not land on the teachers' sign-in
  app.get('/chat/', (c) => c.redirect('/chat', 301));

  app.get('/chat', async (c) => {
    const known = studentOf(c);
    if (known !== null && wantsJson(c)) {
      // the page's script, back from a dropped live connection: the conversation as it is now
      c.header('cache-control', 'no-store');
      return c.json({ log: logHtml(await historyOf(known)), choices: choicesHtml(latestChoices.get(known) ?? [], identities.formToken(known)) });
    }
    return renderPage(c, known ?? giveIdentity(c));
  });

  app.post('/chat', tooLarge, async (c) => {
    const admitted = await admit(c);
    if (admitted instanceof Response) return admitted;
    const { studentId, form } = admitted;
    const text = form.text ?? '';
    const messageId = `${studentId}:${form.mid && messageIdShape.test(form.mid) ? form.mid : randomBytes(12).toString('hex')}`;
    let result: TurnResult;
    try {
      result = await core.handle({ channel: webChannel, userId: studentId, messageId, kind: 'text', text });
    } catch (error) {
      log.error({ channel: webChannel, errorName: (error as Error).name, error: (error as Error).message }, 'web chat message failed');
      const failed = webText('handling_failed');
      return wantsJson(c) ? c.json({ html: lineHtml({ role: 'notice', text: failed }) }, 500) : renderPage(c, studentId, { notice: failed });
    }
    log.info({ channel: webChannel, handledAs: result.handledAs, outcome: result.outcome, ms: result.latencyMs }, 'web chat turn');
    if (result.handledAs !== 'duplicate') {
      const choices = [...result.replies].reverse().find((reply) => reply.choices && reply.choices.length > 0)?.choices ?? [];
      if (choices.length > 0) latestChoices.set(studentId, choices);
      else latestChoices.delete(studentId);
      if (latestChoices.size > 10_000) latestChoices.delete(latestChoices.keys().next().value!);
    }
    if (wantsJson(c)) {
      const at = new Date();
      const html = result.replies.map((reply) => lineHtml({ role: 'assistant', text: reply.text, document: Boolean(reply.document), at })).join('');
      return c.json({ html, choices: choicesHtml(latestChoices.get(studentId) ?? [], identities.formToken(studentId)), handledAs: result.handledAs });
    }
    return renderPage(c, studentId, { documents: result.replies.map((reply) => Boolean(reply.document)) });
  });

  app.post('/chat/profile', tooLarge, async (c) => {
    const admitted = await admit(c);
    if (admitted instanceof Response) return admitted;
    const { studentId, form } = admitted;
    const conversation = await core.store.open(webChannel, studentId);
    if (form.action === 'clear') {
      await db.query('delete from web_chat_students where user_id = $1', [studentId]);
      await core.store.append(conversation.id, 'system', webText('profile_cleared'));
      return c.redirect('/chat#latest', 303);
    }
    const studentNumber = (form.studentNumber ?? '').trim();
    const name = (form.name ?? '').trim().replace(/\s+/gu, ' ');
    if ((studentNumber && !studentNumberShape.test(studentNumber)) || (name && !nameShape.test(name)) || (!studentNumber && !name)) {
      return renderPage(c, studentId, { notice: webText('profile_invalid') }, 400);
    }
    const profile = { studentNumber: studentNumber || null, name: name || null };
    await db.query(
      `insert into web_chat_students (user_id, conversation_id, student_number, name) values ($1, $2, $3, $4)
       on conflict (user_id) do update set conversation_id = excluded.conversation_id, student_number = excluded.student_number, name = excluded.name, updated_at = now()`,
      [studentId, conversation.id, profile.studentNumber, profile.name],
    );
    // in the conversation, so that the teacher reading it (the ticket's transcript) sees who this is
    await core.store.append(conversation.id, 'system', webText('profile_note', { who: profileText(profile) }));
    log.info({ channel: webChannel }, 'web chat profile saved');
    return c.redirect('/chat#latest', 303);
  });

  app.get('/chat/events', (c) => {
    const studentId = studentOf(c);
    if (studentId === null) return c.body(null, 401);
    const pending: string[] = [];
    let wake: () => void = () => {};
    const stop = live.subscribe(studentId, (text) => {
      pending.push(text);
      wake();
    });
    if (!stop) return c.body(null, 429);
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => {
        stop();
        wake();
      });
      const endAt = performance.now() + streamLifetimeMs;
      try {
        await stream.writeSSE({ event: 'ready', data: '{}', retry: 3000 });
        while (!stream.aborted && !stream.closed) {
          const left = endAt - performance.now();
          if (left <= 0) break;
          if (pending.length === 0) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, Math.min(25_000, left));
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
            wake = () => {};
          }
          if (stream.aborted || stream.closed) break;
          if (pending.length === 0 && endAt > performance.now()) await stream.write(': keep-alive\n\n');
          for (const text of pending.splice(0)) {
            await stream.writeSSE({ event: 'reply', data: JSON.stringify({ html: lineHtml(pushedTeacherLine(text, new Date())) }) });
          }
        }
      } finally {
        stop();
      }
    });
  });

  app.get('/chat/plan', async (c) => {
    const studentId = studentOf(c);
    const conversationId = studentId === null ? null : await conversationIdOf(studentId);
    const plan = conversationId === null ? null : await core.store.latestPlan(conversationId);
    if (!plan) return c.text('还没有职业规划。在聊天里发「职业规划」开始。', 404);
    c.header('cache-control', 'no-store');
    c.header('content-disposition', `attachment; filename="career-plan.md"; filename*=UTF-8''${encodeURIComponent('职业规划.md')}`);
    return c.body(plan.markdown, 200, { 'content-type': 'text/markdown; charset=utf-8' });
  });

  return app;
}
