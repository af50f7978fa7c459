/**
 * The dashboard over real parts: PGlite, the Hono app through `app.request`, the ticket desk and
 * the outbox. Privacy of the student archive, one ticket per conversation in the queue, and
 * replies delivered exactly once across a restart, with retries and failures on the ticket page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { Assistant } from '../../assistant.ts';
import { loadConfig } from '../../config.ts';
import { SqlConversationStore } from '../../conversation/conversation-store.ts';
import { Outbox, type ChannelSender } from '../../escalation/outbox.ts';
import { TicketDesk, type TicketReason } from '../../escalation/tickets.ts';
import type { Database } from '../../store/database.ts';
import { createTestDatabase } from '../../store/testing.ts';
import { createApp } from '../app.ts';
import { UserStore, type User } from '../auth/users.ts';
import { getAs, postAs, signIn, type SignedIn } from './testing.ts';

const password = 'dashboard-test-password';
let clock = new Date('2026-03-02T02:00:00Z'); // a Monday, 10:00 in China
const now = (): Date => clock;
const advance = (ms: number): void => {
  clock = new Date(clock.getTime() + ms);
};

let db: Database;
let assistant: Assistant;
let desk: TicketDesk;
let conversations: SqlConversationStore;
let app: Hono;
let teacherA: User;
let teacherB: User;
let asA: SignedIn;
let asB: SignedIn;
let asAdmin: SignedIn;
let student = 0;

/** A student's conversation with a few messages, and their ticket. */
async function escalate(reason: TicketReason, summary: string, options: { difficultGroup?: boolean; channel?: string } = {}): Promise<{ conversationId: number; ticketId: number; studentId: string }> {
  student += 1;
  const studentId = `student-${student}`;
  const channel = options.channel ?? 'telegram';
  const conversation = await conversations.open(channel, studentId);
  await conversations.append(conversation.id, 'student', `实习押金的问题 ${student}`);
  await conversations.append(conversation.id, 'assistant', '根据文件，不得收取实习押金。');
  await conversations.append(conversation.id, 'student', summary);
  const { ticket } = await desk.openOrJoin({
    conversationId: conversation.id,
    channel,
    studentId,
    reason,
    summary,
    difficultGroup: options.difficultGroup ?? false,
    retrieved: [{ doc: 'liaoning-zhongzhi-quality', locator: '二、11.', text: '不得向学生收取实习押金' }],
  });
  return { conversationId: conversation.id, ticketId: ticket.id, studentId };
}

async function html(response: Response | Promise<Response>): Promise<string> {
  const resolved = await response;
  expect(resolved.status).toBe(200);
  return resolved.text();
}

beforeAll(async () => {
  db = await createTestDatabase();
  assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db, skipInitialIngest: true });
  desk = new TicketDesk(db, now);
  conversations = new SqlConversationStore(db);
  const users = new UserStore(db, { now });
  teacherA = await users.add({ username: 'teacher.a', displayName: '甲老师', role: 'teacher', password });
  teacherB = await users.add({ username: 'teacher.b', displayName: '乙老师', role: 'teacher', password });
  await users.add({ username: 'admin', displayName: '管理员', role: 'admin', password });
  app = createApp(assistant, {
    desk,
    users,
    conversations,
    now,
    livePollMs: 0,
    channelStatus: () => [
      { name: 'wechat', state: '等待扫码登录', qrcode: 'https://login.weixin.qq.com/l/test-code', since: clock },
      { name: 'wechat-oa', state: '运行中（仅被动回复）', since: clock, warning: '明文模式：截获的请求可被重放。建议在公众号后台改用安全模式。' },
    ],
  });
  asA = await signIn(app, 'teacher.a', password);
  asB = await signIn(app, 'teacher.b', password);
  asAdmin = await signIn(app, 'admin', password);
});
afterAll(async () => assistant?.close());

describe("a student's archive", () => {
  it('opens only for the assigned teacher (set when a teacher claims the ticket) and admins, and every read is audited', async () => {
    const { conversationId, ticketId } = await escalate('person', '我想找老师聊聊职业规划');
    await conversations.savePlan(conversationId, { goal: 'x' }, '# 我的职业规划\n\n目标：<b>电工</b>');
    await conversations.saveAssessment(conversationId, { holland: 'RIA' });

    // before anyone claims: nobody may read it
    expect((await getAs(app, asA, `/students/${conversationId}`)).status).toBe(403);
    expect((await postAs(app, asA, `/tickets/${ticketId}/claim`)).status).toBe(303);
    expect(await desk.teacherOfStudent(conversationId)).toBe(teacherA.id);

    const other = await getAs(app, asB, `/students/${conversationId}`);
    expect(other.status).toBe(403);
    expect(await other.text()).not.toContain('我的职业规划');
    expect(await html(getAs(app, asAdmin, `/students/${conversationId}`))).toContain('# 我的职业规划');

    const page = await html(getAs(app, asA, `/students/${conversationId}`));
    expect(page).toContain('# 我的职业规划');
    expect(page).toContain('&lt;b&gt;电工&lt;/b&gt;');
    expect(page).not.toContain('<b>电工</b>');
    expect(page).toContain('RIA');
    expect(page).toContain('实习押金的问题');

    const { rows } = await db.query<{ user_id: number; action: string }>('select user_id, action from audit_log where conversation_id = $1 order by id', [conversationId]);
    expect(rows.map((row) => [Number(row.user_id), row.action])).toEqual([
      [teacherA.id, 'archive-denied'],
      [teacherB.id, 'archive-denied'],
      [(await db.query<{ id: number }>(`select id from users where username = 'admin'`)).rows[0]!.id, 'read-archive'],
      [teacherA.id, 'read-archive'],
    ]);

    // the ticket page links the archive for its teacher only
    expect(await html(getAs(app, asA, `/tickets/${ticketId}`))).toContain(`href="/students/${conversationId}"`);
    expect(await html(getAs(app, asB, `/tickets/${ticketId}`))).not.toContain(`href="/students/${conversationId}"`);
  });

  it('a student keeps their first teacher when another teacher claims a later ticket', async () => {
    const { conversationId, ticketId } = await escalate('person', '第一次找老师');
    await postAs(app, asA, `/tickets/${ticketId}/claim`);
    await postAs(app, asA, `/tickets/${ticketId}/close`);
    const again = await desk.openOrJoin({ conversationId, channel: 'telegram', studentId: 'x', reason: 'person', summary: '又来了' });
    expect(again.created).toBe(true);
    await postAs(app, asB, `/tickets/${again.ticket.id}/claim`);
    expect(await desk.teacherOfStudent(conversationId)).toBe(teacherA.id);
    expect((await getAs(app, asB, `/students/${conversationId}`)).status).toBe(403);
  });

  it('is 404 for a conversation that does not exist', async () => {
    expect((await getAs(app, asA, '/students/999999')).status).toBe(404);
    expect((await getAs(app, asA, '/students/abc')).status).toBe(404);
  });
});

describe("who sees what of a student (studentAccess), per role", () => {
  let conversationId: number;
  let ticketId: number;
  let adminId: number;
  const history = '测评第3题：我更喜欢动手修理机器';
  const followUp = '老师，我其实家里有困难';
  const reply = '我们约个时间当面谈谈';
  const note = '学生家庭情况需要关注';

  beforeAll(async () => {
    ({ conversationId, ticketId } = await escalate('person', '想找老师谈职业规划'));
    await conversations.append(conversationId, 'student', history);
    await conversations.savePlan(conversationId, { goal: 'x' }, '# 职业规划：数控');
    await conversations.saveAssessment(conversationId, { holland: 'RCE' });
    await postAs(app, asA, `/tickets/${ticketId}/claim`);
    await desk.addStudentMessage(ticketId, followUp);
    await postAs(app, asA, `/tickets/${ticketId}/reply`, { text: reply });
    await postAs(app, asA, `/tickets/${ticketId}/note`, { text: note });
    adminId = (await db.query<{ id: number }>(`select id from users where username = 'admin'`)).rows[0]!.id;
  });

  const auditOf = async (userId: number): Promise<string[]> =>
    (await db.query<{ action: string }>('select action from audit_log where conversation_id = $1 and user_id = $2 order by id', [conversationId, userId])).rows.map((row) => row.action);

  it.each([
    ['admin', () => asAdmin, () => adminId],
    ['the assigned teacher', () => asA, () => teacherA.id],
  ])('%s sees the whole ticket, the history and the archive; each read of history or archive is audited', async (_role, who, id) => {
    const ticket = await html(getAs(app, who(), `/tickets/${ticketId}`));
    for (const text of ['想找老师谈职业规划', history, followUp, reply, note]) expect(ticket).toContain(text);
    expect(ticket).toContain(`href="/students/${conversationId}"`);
    expect(ticket).not.toContain('id="history-withheld"');
    const student = await html(getAs(app, who(), `/students/${conversationId}`));
    for (const text of ['# 职业规划：数控', 'RCE', history]) expect(student).toContain(text);
    expect(await auditOf(id())).toEqual(['read-transcript', 'read-archive']);
  });

  it('another teacher sees enough to triage the ticket, but neither history, later thread nor archive (403, audited)', async () => {
    const ticket = await html(getAs(app, asB, `/tickets/${ticketId}`));
    // triage: reason, summary, priority, due time, channel, the message that opened it
    expect(ticket).toContain('转人工');
    expect(ticket).toContain('优先级 3');
    expect(ticket).toContain('首次回复截止');
    expect(ticket).toContain('<dt>渠道</dt><dd id="channel">Telegram</dd>');
    expect(ticket.split('想找老师谈职业规划').length).toBeGreaterThanOrEqual(3); // the summary and the opening message
    for (const text of [history, '实习押金的问题', followUp, reply, note, '职业规划：数控', 'RCE']) expect(ticket).not.toContain(text);
    expect(ticket).toContain('id="history-withheld"');
    expect(ticket).toContain('id="thread-withheld"');
    expect(ticket).not.toContain(`href="/students/${conversationId}"`);

    const student = await getAs(app, asB, `/students/${conversationId}`);
    expect(student.status).toBe(403);
    const body = await student.text();
    for (const text of [history, '职业规划：数控', 'RCE']) expect(body).not.toContain(text);
    expect(await auditOf(teacherB.id)).toEqual(['archive-denied']);
  });

  it("the ticket's assignee who is not the student's teacher sees the thread to answer it, not the history or archive", async () => {
    await postAs(app, asAdmin, `/tickets/${ticketId}/assign`, { teacherId: String(teacherB.id) });
    const ticket = await html(getAs(app, asB, `/tickets/${ticketId}`));
    for (const text of [followUp, reply, note]) expect(ticket).toContain(text);
    expect(ticket).not.toContain(history);
    expect(ticket).toContain('id="history-withheld"');
    expect((await getAs(app, asB, `/students/${conversationId}`)).status).toBe(403);
  });
});

describe('the queue', () => {
  it('shows a conversation escalated twice as one ticket', async () => {
    const first = await escalate('low-confidence', '机器人答不上来');
    const second = await desk.openOrJoin({ conversationId: first.conversationId, channel: 'telegram', studentId: first.studentId, reason: 'person', summary: '转人工' });
    expect(second.created).toBe(false);
    expect(second.ticket.id).toBe(first.ticketId);
    expect(second.ticket.reason).toBe('person');
    const page = await html(getAs(app, asA, '/'));
    expect(page.split(`data-ticket-id="${first.ticketId}"`)).toHaveLength(2);
    const { rows } = await db.query<{ n: number }>('select count(*)::int as n from tickets where conversation_id = $1', [first.conversationId]);
    expect(rows[0]!.n).toBe(1);
  });

  it('orders by priority, 就业困难群体 first, then deadline; filters by reason, status and mine; marks overdue; escapes text', async () => {
    const complaint = await escalate('complaint', '投诉：<script>alert(1)</script>');
    const crisis = await escalate('crisis', '我不想活了');
    const person = await escalate('person', '普通转人工');
    const groupPerson = await escalate('person', '就业困难群体学生转人工', { difficultGroup: true });

    const page = await html(getAs(app, asA, '/'));
    const order = [...page.matchAll(/data-ticket-id="(\d+)"/gu)].map((match) => Number(match[1]));
    const position = (id: number): number => order.indexOf(id);
    expect(position(crisis.ticketId)).toBeLessThan(position(complaint.ticketId));
    expect(position(complaint.ticketId)).toBeLessThan(position(groupPerson.ticketId));
    expect(position(groupPerson.ticketId)).toBeLessThan(position(person.ticketId));
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('就业困难群体');

    const crises = await html(getAs(app, asA, '/?reason=crisis'));
    expect([...crises.matchAll(/data-ticket-id="(\d+)"/gu)].map((match) => Number(match[1]))).toEqual([crisis.ticketId]);

    await postAs(app, asB, `/tickets/${person.ticketId}/claim`);
    const mine = await html(getAs(app, asB, '/?mine=1'));
    expect(mine).toContain(`data-ticket-id="${person.ticketId}"`);
    expect(mine).not.toContain(`data-ticket-id="${crisis.ticketId}"`);

    const byDue = await html(getAs(app, asA, '/?sort=due'));
    const dueOrder = [...byDue.matchAll(/data-ticket-id="(\d+)"/gu)].map((match) => Number(match[1]));
    expect(dueOrder[0]).toBe(crisis.ticketId); // due within the hour

    const rowOf = (list: string, id: number): string => {
      const row = list.slice(list.indexOf(`data-ticket-id="${id}"`));
      return row.slice(0, row.indexOf('</li>'));
    };
    expect(rowOf(page, crisis.ticketId)).not.toContain('逾期');
    advance(2 * 60 * 60_000); // the crisis is past its hour
    const later = await html(getAs(app, asA, '/queue/rows'));
    expect(rowOf(later, crisis.ticketId)).toContain('<span class="badge b-overdue">逾期</span>');
    expect(rowOf(later, person.ticketId)).not.toContain('逾期');

    await postAs(app, asAdmin, `/tickets/${complaint.ticketId}/close`);
    expect(await html(getAs(app, asA, '/'))).not.toContain(`data-ticket-id="${complaint.ticketId}"`);
    expect(await html(getAs(app, asA, '/?status=closed'))).toContain(`data-ticket-id="${complaint.ticketId}"`);
  });

  it('streams ticket changes to the live view (SSE)', async () => {
    const response = await getAs(app, asA, '/events');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/u);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let received = '';
    const until = async (pattern: RegExp): Promise<void> => {
      while (!pattern.test(received)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}`);
        received += decoder.decode(value, { stream: true });
      }
    };
    await until(/event: ready/u);
    const { ticketId } = await escalate('person', '实时更新');
    await until(new RegExp(`event: ticket\\ndata: \\{"ticketId":${ticketId},"action":"opened"\\}`, 'u'));
    await reader.cancel();
  });
});

describe('a ticket', () => {
  it('shows summary, reason, SLA deadline in China time, transcript (audited), clauses, and notes apart from replies', async () => {
    clock = new Date('2026-03-02T02:00:00Z');
    const { ticketId } = await escalate('person', '我想问问就业协议');
    await postAs(app, asA, `/tickets/${ticketId}/claim`); // A becomes the student's teacher, who sees the history
    await postAs(app, asA, `/tickets/${ticketId}/note`, { text: '先查一下三方协议的规定' });
    const page = await html(getAs(app, asA, `/tickets/${ticketId}`));
    expect(page).toContain('我想问问就业协议');
    expect(page).toContain('转人工');
    expect(page).toContain('2026/03/03 17:30'); // end of the next working day, China time
    expect(page).toContain('根据文件，不得收取实习押金。');
    expect(page).toContain('二、11.');
    expect(page).toMatch(/<li class="note">[\s\S]*?内部备注[\s\S]*?先查一下三方协议的规定/u);
    const audit = await db.query<{ n: number }>(`select count(*)::int as n from audit_log where ticket_id = $1 and action = 'read-transcript' and user_id = $2`, [ticketId, teacherA.id]);
    expect(audit.rows[0]!.n).toBe(1);
  });

  it("lets only its teacher (or an admin) reply, release or close once it is claimed; any teacher may add a note", async () => {
    const { ticketId } = await escalate('person', '谁来回答');
    await postAs(app, asA, `/tickets/${ticketId}/claim`);
    expect((await postAs(app, asB, `/tickets/${ticketId}/claim`)).headers.get('location')).toBe(`/tickets/${ticketId}?msg=conflict`);
    expect((await postAs(app, asB, `/tickets/${ticketId}/reply`, { text: '我来' })).status).toBe(403);
    expect((await postAs(app, asB, `/tickets/${ticketId}/release`)).status).toBe(403);
    expect((await postAs(app, asB, `/tickets/${ticketId}/close`)).status).toBe(403);
    expect((await postAs(app, asB, `/tickets/${ticketId}/note`, { text: '我也了解情况' })).status).toBe(303);
    expect((await postAs(app, asAdmin, `/tickets/${ticketId}/assign`, { teacherId: String(teacherB.id) })).status).toBe(303);
    expect((await desk.get(ticketId))!.assigneeName).toBe('乙老师');
    expect((await postAs(app, asB, `/tickets/${ticketId}/reply`, { text: '我来回答' })).status).toBe(303);
    expect((await postAs(app, asB, `/tickets/${ticketId}/reply`, { text: '   ' })).headers.get('location')).toBe(`/tickets/${ticketId}?msg=empty`);
  });
});

describe('replies through the outbox', () => {
  it('a reply saved before a crash is delivered exactly once by the outbox after the restart', async () => {
    const { ticketId, studentId } = await escalate('person', '老师什么时候回复我', { channel: 'wechat' });
    // the process that saved the reply stops before any delivery (its outbox never ran)
    expect((await postAs(app, asA, `/tickets/${ticketId}/reply`, { text: '你好，押金不能收。' })).status).toBe(303);
    expect((await desk.deliveries(ticketId)).map((delivery) => delivery.status)).toEqual(['pending']);

    const sent: { recipient: string; text: string }[] = [];
    const restarted = new Outbox(db, { now });
    restarted.register('wechat', { send: async (recipient, text) => void sent.push({ recipient, text }) });
    expect(await restarted.deliverDue()).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(await restarted.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(sent).toEqual([{ recipient: studentId, text: '【老师回复】甲老师：\n你好，押金不能收。' }]);

    const page = await html(getAs(app, asA, `/tickets/${ticketId}`));
    expect(page).toContain('已送达');
  });

  it('a delivery claimed by a process that died is taken over when its lease runs out, and sent once', async () => {
    const { ticketId } = await escalate('person', '又一个问题', { channel: 'wechat' });
    await postAs(app, asA, `/tickets/${ticketId}/reply`, { text: '收到。' });
    // a worker claimed it (status sending, lease 60 s) and crashed before sending
    let sentByDead = 0;
    const dying = new Outbox(db, { now, leaseMs: 60_000 });
    dying.register('wechat', { send: () => new Promise(() => void (sentByDead += 1)) });
    void dying.deliverDue();
    await expect.poll(async () => (await desk.deliveries(ticketId))[0]!.status).toBe('sending');

    const sent: string[] = [];
    const restarted = new Outbox(db, { now });
    restarted.register('wechat', { send: async (_recipient, text) => void sent.push(text) });
    expect((await restarted.deliverDue()).sent).toBe(0); // still leased
    advance(61_000);
    expect((await restarted.deliverDue()).sent).toBe(1);
    expect((await restarted.deliverDue()).sent).toBe(0);
    expect(sent).toEqual(['【老师回复】甲老师：\n收到。']);
    expect(sentByDead).toBe(1);
  });

  it('a sender that fails is retried with backoff, marked failed after maxAttempts, shown on the ticket, and retried by the teacher', async () => {
    const { ticketId } = await escalate('person', '发不出去', { channel: 'sms' });
    await postAs(app, asA, `/tickets/${ticketId}/reply`, { text: '请看邮件。' });
    const attempts: Date[] = [];
    const failing: ChannelSender = {
      send: async () => {
        attempts.push(now());
        throw new Error('gateway timeout <503>');
      },
    };
    const outbox = new Outbox(db, { now, maxAttempts: 3, baseDelayMs: 10_000 });
    outbox.register('sms', failing);

    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 1, failed: 0 });
    let page = await html(getAs(app, asA, `/tickets/${ticketId}`));
    expect(page).toContain('重试中（已尝试 1 次，最近错误：gateway timeout &lt;503&gt;');

    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 0 }); // not due yet
    advance(10_000);
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 1, failed: 0 });
    advance(10_000);
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 0 }); // the second wait is twice as long
    advance(10_000);
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 1 });
    expect(attempts).toHaveLength(3);
    advance(60 * 60_000);
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 0 });

    page = await html(getAs(app, asA, `/tickets/${ticketId}`));
    expect(page).toContain('data-delivery-status="failed"');
    expect(page).toContain('失败（已尝试 3 次');
    const [delivery] = await desk.deliveries(ticketId);
    expect(page).toContain(`/tickets/${ticketId}/deliveries/${delivery!.id}/retry`);

    expect((await postAs(app, asB, `/tickets/${ticketId}/deliveries/${delivery!.id}/retry`)).status).toBe(403);
    expect((await postAs(app, asA, `/tickets/${ticketId}/deliveries/${delivery!.id}/retry`)).headers.get('location')).toBe(`/tickets/${ticketId}?msg=retried#thread`);
    const sent: string[] = [];
    outbox.register('sms', { send: async (_recipient, text) => void sent.push(text) });
    expect(await outbox.deliverDue()).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(sent).toHaveLength(1);
    expect(await html(getAs(app, asA, `/tickets/${ticketId}`))).toContain('已送达');
  });
});

describe('the stats page', () => {
  it('shows volume by reason, open and overdue tickets, first-response figures and satisfaction', async () => {
    const { conversationId } = await escalate('complaint', '统计用');
    await conversations.rate(conversationId, 'answer', 4);
    await conversations.rate(conversationId, 'answer', 5);
    await conversations.rate(conversationId, 'plan', 3);
    const page = await html(getAs(app, asB, '/stats'));
    const stats = await desk.stats();
    expect(page).toContain(`<dd id="open-count">${stats.open}</dd>`);
    expect(page).toContain(`<dd id="overdue-count">${stats.overdue}</dd>`);
    expect(page).toContain('按时首次回复率');
    expect(page).toMatch(/<td>政策解答<\/td><td>2<\/td><td>4\.50<\/td>/u);
    expect(page).toMatch(/<td>职业规划<\/td><td>1<\/td><td>3\.00<\/td>/u);
    expect(page).toMatch(/<td>投诉<\/td><td>\d+<\/td>/u);
  });
});

describe('in words a teacher reads', () => {
  it('names the channel in Chinese on the ticket, in the reply box and on the channel page, never by its id', async () => {
    const { ticketId } = await escalate('person', '公众号里的学生想找老师', { channel: 'wechat-oa' });
    const page = await html(getAs(app, asAdmin, `/tickets/${ticketId}`));
    expect(page).toContain('<dd id="channel">微信公众号</dd>');
    expect(page).toContain('会发到学生的微信公众号对话里');
    expect(page).not.toContain('wechat-oa');
    const channels = await html(getAs(app, asAdmin, '/channels'));
    expect(channels).toContain('<td>个人微信</td>');
    expect(channels).toContain('<td>微信公众号</td>');
    expect(channels).toContain('个人微信扫码登录');
  });

  it('says who the student is in the queue: the name a web-chat student gave, else a masked id', async () => {
    const anonymous = await escalate('person', '没有留名字的学生', { channel: 'telegram' });
    const named = await escalate('person', '留了名字的学生', { channel: 'web' });
    // the student web chat keeps what a student chose to say about themselves (migration 013)
    await db.query(`create table if not exists web_chat_students (user_id text primary key, conversation_id bigint not null references conversations(id) on delete cascade, student_number text, name text, updated_at timestamptz not null default now())`);
    await db.query('insert into web_chat_students (user_id, conversation_id, student_number, name) values ($1, $2, $3, $4)', [named.studentId, named.conversationId, '2023012345', '林小雨']);
    const queue = await html(getAs(app, asA, '/'));
    const rowOf = (ticketId: number): string => new RegExp(`<li class="ticket[^"]*" data-ticket-id="${ticketId}">[\\s\\S]*?</li>`, 'u').exec(queue)![0];
    expect(rowOf(named.ticketId)).toContain('林小雨（学号 2023012345）');
    expect(rowOf(named.ticketId)).toContain('· 网页');
    expect(rowOf(anonymous.ticketId)).toContain(`学生 ···${anonymous.studentId.slice(-4)}`);
    expect(rowOf(anonymous.ticketId)).not.toContain(anonymous.studentId);
    expect(rowOf(anonymous.ticketId)).toContain('· Telegram');
    expect(await html(getAs(app, asA, '/queue/rows'))).toContain('林小雨');
    expect(await html(getAs(app, asA, `/tickets/${named.ticketId}`))).toContain('<dd id="student">林小雨（学号 2023012345）</dd>');
  });
});

describe('the channel page', () => {
  it('draws the WeChat login QR code for admins on the page itself, and refuses teachers', async () => {
    expect((await getAs(app, asA, '/channels')).status).toBe(403);
    const page = await (await getAs(app, asAdmin, '/channels')).text();
    expect(page).toContain('等待扫码登录');
    expect(page).toContain('<svg');
  });

  it('warns that an Official Account in plain mode can be replayed and recommends safe mode', async () => {
    const page = await (await getAs(app, asAdmin, '/channels')).text();
    expect(page).toContain('微信公众号：明文模式');
    expect(page).toContain('建议在公众号后台改用安全模式');
  });
});
