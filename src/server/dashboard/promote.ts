import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import type { Logger } from 'pino';
import { z } from 'zod';
import { chinaDay } from '../../china-time.ts';
import { publishedClause, SchoolEvalSet, type SchoolMark } from '../../../eval/school-set.ts';
import type { Ticket, TicketDesk, TicketMessage } from '../../escalation/tickets.ts';
import { scrubPersonalData } from '../../knowledge/gaps.ts';
import type { KnowledgeBase } from '../../knowledge/knowledge-base.ts';
import { chineseNumber, proposeSchoolAnswer, schoolName, schoolQaDocId, SchoolQaError } from '../../knowledge/school-qa.ts';
import type { Database } from '../../store/database.ts';
import { requireRole, requireUser, type DashboardEnv } from '../auth/middleware.ts';
import type { Session } from '../auth/sessions.ts';
import { studentAccess, withheld } from '../auth/student-access.ts';
import { proposedBody, schoolSection, type ClauseChoice } from './promote-pages.ts';
import { layout, type Html } from './view.ts';

/** What turning a ticket into school knowledge works with. */
export interface SchoolKnowledgeDeps {
  db: Database;
  desk: TicketDesk;
  knowledge: KnowledgeBase;
  log: Logger;
  now: () => Date;
  /** The school's name (default: `SCHOOL_NAME`, else 本校). */
  school?: string;
}

const idSchema = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const proposalForm = z.object({ question: z.string().trim().min(1).max(500), answer: z.string().trim().min(1).max(4000) });
const markForm = z.object({
  question: z.string().trim().min(1).max(500),
  outcome: z.enum(['answer', 'abstain', 'escalate']),
  clause: z.string().max(400).optional(),
  facts: z.string().max(200).optional(),
});

/** The ISO date in China time (UTC+8, no daylight saving). */

/**
 * The student's question a ticket is about, personal data masked: the first line of the first
 * student message longer than a request for a person (转人工, 我要找老师), else of the opening one.
 */
export function ticketQuestion(thread: readonly TicketMessage[], ticket: Ticket): string {
  const fromStudent = thread.filter((message) => message.author === 'student');
  const opening = (fromStudent.find((message) => [...message.text.trim()].length > 6) ?? fromStudent[0])?.text ?? ticket.summary;
  return scrubPersonalData(opening.split('\n')[0]!.trim());
}

/** The last reply a teacher sent the student on a ticket ('' when none). */
export function lastTeacherReply(thread: readonly TicketMessage[]): string {
  return thread.filter((message) => message.author === 'teacher').at(-1)?.text ?? '';
}

/**
 * "Facts" typed on the form: one alternative-list per line, alternatives split by ｜ or |.
 *
 * @example factsOf('押金｜保证金') // [['押金', '保证金']]
 */
export function factsOf(text: string | undefined): string[][] {
  return (text ?? '')
    .split(/\r?\n/u)
    .map((line) => line.split(/[｜|]/u).map((fact) => fact.trim()).filter((fact) => fact !== ''))
    .filter((alternatives) => alternatives.length > 0);
}

/**
 * A ticket becomes school knowledge (issue 15). On a closed ticket, a teacher who may read its
 * thread, or an administrator, proposes the question (masked, editable) and the teacher's answer
 * as the next entry of the school's Q&A — a draft version an administrator reviews and publishes
 * from the knowledge admin, evaluated like any other. An administrator marks what should happen
 * for the question (the clause that answers it, abstain, or a teacher) in the school's own eval
 * set, downloadable as JSON Lines at `/admin/school-eval.jsonl`. Mount inside the dashboard,
 * after its session and CSRF middleware; {@link SchoolKnowledge.section} draws the ticket page's part.
 *
 * @example const school = schoolKnowledge({ db, desk, knowledge, log, now }); app.route('/', school.routes);
 */
export function schoolKnowledge(deps: SchoolKnowledgeDeps): SchoolKnowledge {
  const { desk, knowledge, log, now } = deps;
  const school = deps.school ?? schoolName();
  const evalSet = new SchoolEvalSet(deps.db);
  const app = new Hono<DashboardEnv>();
  const sessionOf = (c: Context<DashboardEnv>): Session => c.get('session')!;
  const page = (c: Context<DashboardEnv>, title: string, body: Html, status: 200 | 403 | 404 | 409 | 422 = 200): Response | Promise<Response> =>
    c.html(layout({ title, nonce: c.get('secureHeadersNonce'), session: c.get('session'), body }), status);
  const message = (c: Context<DashboardEnv>, title: string, text: string, status: 403 | 404 | 409 | 422, ticketId?: number): Response | Promise<Response> =>
    page(c, title, html`<h1>${title}</h1><p class="flash error" role="alert">${text}</p>${ticketId ? html`<p><a href="/tickets/${ticketId}">← 返回工单</a></p>` : ''}`, status);

  /** The ticket and its thread, when this user may read the thread. */
  const readable = async (c: Context<DashboardEnv>): Promise<{ ticket: Ticket; thread: TicketMessage[] } | Response> => {
    const id = idSchema.safeParse(c.req.param('id'));
    const ticket = id.success ? await desk.get(id.data) : null;
    if (!ticket) return message(c, '找不到', '没有这张工单。', 404);
    const { user } = sessionOf(c);
    const access = studentAccess(user, { assignedTeacherId: await desk.teacherOfStudent(ticket.conversationId) }, ticket);
    if (!access.thread) return message(c, '没有权限', withheld.thread, 403, ticket.id);
    if (ticket.status !== 'closed') return message(c, '工单还没有关闭', '工单关闭后才能把答复加入校内问答或评测题。', 409, ticket.id);
    return { ticket, thread: await desk.messages(ticket.id) };
  };

  app.post('/tickets/:id/school-qa', requireUser(), async (c) => {
    const found = await readable(c);
    if (found instanceof Response) return found;
    const { ticket } = found;
    const form = proposalForm.safeParse(await c.req.parseBody());
    if (!form.success) return message(c, '内容不完整', '问题和答复都不能为空（问题最多 500 字，答复最多 4000 字）。', 422, ticket.id);
    const { user } = sessionOf(c);
    try {
      const proposed = await proposeSchoolAnswer(knowledge, {
        question: form.data.question,
        answer: form.data.answer,
        author: user.displayName,
        date: chinaDay(now()),
        school,
        actor: `web:${user.username}`,
      });
      log.info({ ticketId: ticket.id, userId: user.id, docId: proposed.docId, version: proposed.version, entry: proposed.number }, 'school answer proposed');
      const stored = await knowledge.getVersion(proposed.docId, proposed.version);
      return page(
        c,
        '已提交为草稿',
        proposedBody({
          ticketId: ticket.id,
          title: stored?.document.title ?? school,
          version: proposed.version,
          number: chineseNumber(proposed.number),
          admin: user.role === 'admin',
          reviewPath: `/admin/knowledge/docs/${proposed.docId}/versions/${proposed.version}`,
        }),
      );
    } catch (error) {
      if (error instanceof SchoolQaError) return message(c, '没有提交', error.message, 422, ticket.id);
      throw error;
    }
  });

  app.post('/tickets/:id/school-eval', requireUser(), requireRole('admin'), async (c) => {
    const found = await readable(c);
    if (found instanceof Response) return found;
    const { ticket } = found;
    const form = markForm.safeParse(await c.req.parseBody());
    if (!form.success) return message(c, '内容不完整', '请填写问题并选择应当怎样处理。', 422, ticket.id);
    let mark: SchoolMark;
    if (form.data.outcome === 'answer') {
      const [doc = '', locator = ''] = (form.data.clause ?? '').split('|');
      const clause = (await publishedClause(knowledge, doc, locator)) ?? ticket.retrieved.find((candidate) => candidate.doc === doc && candidate.locator === locator) ?? null;
      if (!clause) return message(c, '找不到条款', '选的条款不在现在上线的知识库里，请换一条。', 422, ticket.id);
      mark = { outcome: 'answer', clause, facts: factsOf(form.data.facts) };
    } else {
      mark = { outcome: form.data.outcome };
    }
    const { user } = sessionOf(c);
    const entry = await evalSet.mark(form.data.question, mark, { ticketId: ticket.id, actor: `web:${user.username}` });
    log.info({ ticketId: ticket.id, userId: user.id, item: entry.id, outcome: entry.outcome }, 'school eval item marked');
    return c.redirect(`/tickets/${ticket.id}#school-eval`, 303);
  });

  app.get('/admin/school-eval.jsonl', requireUser(), requireRole('admin'), async (c) => {
    c.header('Content-Type', 'application/jsonl; charset=utf-8');
    c.header('Content-Disposition', 'attachment; filename="school.jsonl"');
    return c.body(await evalSet.exportJsonl());
  });

  return {
    routes: app,
    async section(input) {
      if (input.ticket.status !== 'closed' || !input.mayReadThread) return '';
      const snapshot = await knowledge.snapshot();
      const titleOf = (doc: string): string => snapshot.documents.get(doc)?.title ?? doc;
      const clauses: ClauseChoice[] = [
        ...input.ticket.retrieved.map((clause) => ({ ...clause, title: titleOf(clause.doc) })),
        ...snapshot.clauses
          .filter((clause) => clause.docId === schoolQaDocId && clause.part === 1)
          .map((clause) => ({ doc: clause.docId, locator: clause.locator, text: clause.text, title: titleOf(clause.docId) })),
      ];
      return schoolSection({
        session: input.session,
        ticket: input.ticket,
        question: ticketQuestion(input.thread, input.ticket),
        answer: lastTeacherReply(input.thread),
        clauses,
        marks: input.session.user.role === 'admin' ? await evalSet.ofTicket(input.ticket.id) : [],
      });
    },
  };
}

/** The routes and the ticket page's section. */
export interface SchoolKnowledge {
  routes: Hono<DashboardEnv>;
  /** The section below a closed ticket ('' for an open one, or for a user who may not read its thread). */
  section(input: { session: Session; ticket: Ticket; thread: readonly TicketMessage[]; mayReadThread: boolean }): Promise<Html | string>;
}
