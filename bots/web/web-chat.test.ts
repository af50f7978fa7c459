/**
 * The student web chat's routes over the real core, desk and outbox on an embedded database,
 * mounted in the real app (CSP, the dashboard beside it): who a student is (signed cookie; forged
 * ones refused), what a POST must carry, the rate limits, the bad inputs every channel answers,
 * and that a page shows only its own student's conversation and teachers' replies.
 */
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assistant } from '../../src/assistant.ts';
import { loadConfig } from '../../src/config.ts';
import { ConversationCore } from '../../src/conversation/core.ts';
import { SqlConversationStore } from '../../src/conversation/conversation-store.ts';
import { Outbox } from '../../src/escalation/outbox.ts';
import { TicketDesk } from '../../src/escalation/tickets.ts';
import { createApp } from '../../src/server/app.ts';
import { createTestDatabase } from '../../src/store/testing.ts';
import { identityCookie, StudentIdentities, webChatSecret } from './identity.ts';
import { LiveReplies, webSender } from './live-replies.ts';
import { webChannel, webChatApp } from './web-chat.ts';

let assistant: Assistant;
let desk: TicketDesk;
let outbox: Outbox;
let app: Hono;
let live: LiveReplies;
let clock = 0;
const teacherId = async (): Promise<number> => Number((await assistant.db.query<{ id: number }>(`select id from users where username = 'wang'`)).rows[0]!.id);

/** A browser holding one student's cookie, as the page gives it. */
interface Student {
  cookie: string;
  token: string;
  id: string;
}

async function arrive(headers: Record<string, string> = {}): Promise<Student> {
  const response = await app.request('/chat', { headers });
  expect(response.status).toBe(200);
  const setCookie = response.headers.getSetCookie().find((header) => header.startsWith(`${identityCookie}=`));
  expect(setCookie).toBeDefined();
  const value = setCookie!.split(';')[0]!.slice(identityCookie.length + 1);
  const token = /name="_csrf" value="([^"]+)"/u.exec(await response.text())![1]!;
  return { cookie: `${identityCookie}=${value}`, token, id: value.split('.')[0]! };
}

async function post(student: Student, fields: Record<string, string>, options: { json?: boolean; headers?: Record<string, string>; path?: string } = {}): Promise<Response> {
  return app.request(options.path ?? '/chat', {
    method: 'POST',
    headers: {
      cookie: student.cookie,
      'content-type': 'application/x-www-form-urlencoded',
      ...(options.json === false ? {} : { accept: 'application/json' }),
      ...options.headers,
    },
    body: new URLSearchParams({ _csrf: student.token, ...fields }).toString(),
  });
}

async function say(student: Student, text: string, mid?: string): Promise<{ status: number; html: string; choices: string }> {
  const response = await post(student, { text, ...(mid ? { mid } : {}) });
  const body = (await response.json()) as { html: string; choices?: string };
  return { status: response.status, html: body.html, choices: body.choices ?? '' };
}

const pageOf = async (student: Student): Promise<string> => (await app.request('/chat', { headers: { cookie: student.cookie } })).text();

beforeAll(async () => {
  assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db: await createTestDatabase() });
  const store = new SqlConversationStore(assistant.db);
  desk = new TicketDesk(assistant.db);
  outbox = new Outbox(assistant.db);
  const core = new ConversationCore(assistant, store, { tickets: desk, rateEveryAnswers: 0 });
  await assistant.db.query(`insert into users (username, display_name, password_hash, role) values ('wang', '王老师', 'x', 'teacher')`);
  live = new LiveReplies();
  outbox.register(webChannel, webSender(live));
  const identities = new StudentIdentities(await webChatSecret(assistant.db));
  const routes = new Hono();
  routes.route('/', webChatApp({ core, db: assistant.db, identities, live, perStudent: { limit: 8, windowMs: 60_000 }, perAddress: { limit: 1000, windowMs: 60_000 }, now: () => clock }));
  app = createApp(assistant, { desk, outbox, conversations: store, webhooks: routes, livePollMs: 0 });
}, 120_000);

afterAll(async () => {
  await assistant?.close();
});

describe('the student identity', () => {
  it('is an anonymous id in a signed, HttpOnly, SameSite=Lax cookie for /chat, given on the first visit', async () => {
    const response = await app.request('/chat');
    const header = response.headers.getSetCookie().find((line) => line.startsWith(`${identityCookie}=`))!;
    expect(header).toMatch(/^zhiyin_student=w[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43};/u);
    expect(header).toContain('HttpOnly');
    expect(header).toContain('SameSite=Lax');
    expect(header).toContain('Path=/chat');
    const page = await response.text();
    expect(page).toContain('职引');
    expect(page).toContain('<form id="send" method="post" action="/chat#latest"');
    // the inline script and style run under the CSP nonce of the response
    const nonce = /script-src 'nonce-([^']+)'/u.exec(response.headers.get('content-security-policy') ?? '')?.[1];
    expect(nonce).toBeDefined();
    expect(page).toContain(`<script nonce="${nonce}">`);
  });

  it('is at /chat with or without a trailing slash (a hand-typed link or QR code)', async () => {
    const slash = await app.request('/chat/');
    expect(slash.status).toBe(301);
    expect(slash.headers.get('location')).toBe('/chat');
  });

  it('keeps the same student across visits while the cookie is theirs', async () => {
    const student = await arrive();
    const again = await app.request('/chat', { headers: { cookie: student.cookie } });
    expect(again.headers.getSetCookie().some((line) => line.startsWith(`${identityCookie}=`))).toBe(false);
    expect(await again.text()).toContain(`value="${student.token}"`);
  });

  it('refuses a forged cookie: another student’s id with a made-up signature sees nothing of theirs and gets a new identity', async () => {
    const victim = await arrive();
    await say(victim, '实习单位要收押金，合法吗？');
    expect(await pageOf(victim)).toContain('实习单位要收押金，合法吗？');

    const forged = `${identityCookie}=${victim.id}.${'A'.repeat(43)}`;
    const response = await app.request('/chat', { headers: { cookie: forged } });
    const page = await response.text();
    expect(page).not.toContain('实习单位要收押金，合法吗？');
    const issued = response.headers.getSetCookie().find((line) => line.startsWith(`${identityCookie}=`));
    expect(issued).toBeDefined();
    expect(issued).not.toContain(victim.id);

    // a post with the forged cookie (even with the victim's own form token) is refused, and nothing is said for the victim
    const refused = await post({ cookie: forged, token: victim.token, id: victim.id }, { text: '冒充的消息' });
    expect(refused.status).toBe(403);
    expect(await pageOf(victim)).not.toContain('冒充的消息');
    // nor does the forged cookie reach the plan, the live replies or anything of the dashboard
    expect((await app.request('/chat/plan', { headers: { cookie: forged } })).status).toBe(404);
    expect((await app.request('/chat/events', { headers: { cookie: forged } })).status).toBe(401);
    const dashboard = await app.request('/', { headers: { cookie: `${(await arrive()).cookie}` } });
    expect([302, 303]).toContain(dashboard.status);
    expect(dashboard.headers.get('location')).toContain('/login');
  });

  it('signs with a key made once and kept in the database: a second start reads the same key', async () => {
    const first = await webChatSecret(assistant.db);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(await webChatSecret(assistant.db)).toBe(first);
    expect(await webChatSecret(assistant.db, 'x'.repeat(40))).toBe('x'.repeat(40));
    const other = new StudentIdentities('y'.repeat(40));
    const mine = new StudentIdentities(first);
    expect(other.verify(mine.sign(mine.create()))).toBeNull();
  });
});

describe('what a POST must carry', () => {
  it('needs the identity’s own form token: none, or another student’s, is refused with a Chinese reason', async () => {
    const amy = await arrive();
    const ben = await arrive();
    const missing = await post({ ...amy, token: '' }, { text: '实习押金' });
    expect(missing.status).toBe(403);
    expect(((await missing.json()) as { html: string }).html).toContain('页面已过期');
    expect((await post({ ...amy, token: ben.token }, { text: '实习押金' })).status).toBe(403);
    expect((await post(amy, { text: '实习押金' })).status).toBe(200);
  });

  it('must come from this site: another origin or a cross-site fetch is refused', async () => {
    const amy = await arrive();
    expect((await post(amy, { text: '实习押金' }, { headers: { origin: 'https://evil.example' } })).status).toBe(403);
    expect((await post(amy, { text: '实习押金' }, { headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    expect((await post(amy, { text: '实习押金' }, { headers: { origin: 'http://localhost', host: 'localhost', 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
  });

  it('is limited per student: past the limit a clear reply and Retry-After, and another student is not held back', async () => {
    clock = 1_000_000;
    const busy = await arrive();
    for (let index = 0; index < 8; index += 1) expect((await say(busy, `${index + 1}`)).status).toBe(200);
    const response = await post(busy, { text: '再来一条' });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await response.json()) as { html: string }).html).toContain('秒后再发');
    expect((await say(await arrive(), '实习押金')).status).toBe(200);
    clock += 61_000;
    expect((await say(busy, '实习押金')).status).toBe(200);
  });

  it('is limited per client address across students', async () => {
    const identities = new StudentIdentities(await webChatSecret(assistant.db));
    const routes = new Hono();
    const core = new ConversationCore(assistant, new SqlConversationStore(assistant.db), { rateEveryAnswers: 0 });
    routes.route('/', webChatApp({ core, db: assistant.db, identities, live, trustProxy: true, perAddress: { limit: 2, windowMs: 60_000 }, now: () => 5 }));
    const from = (address: string) => ({ 'x-forwarded-for': address });
    const visitor = async (): Promise<Student> => {
      const id = identities.create();
      return { cookie: `${identityCookie}=${identities.sign(id)}`, token: identities.formToken(id), id };
    };
    const send = async (student: Student, address: string) =>
      routes.request('/chat', {
        method: 'POST',
        headers: { cookie: student.cookie, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', ...from(address) },
        body: new URLSearchParams({ _csrf: student.token, text: '实习押金' }).toString(),
      });
    expect((await send(await visitor(), '203.0.113.7')).status).toBe(200);
    expect((await send(await visitor(), '203.0.113.7')).status).toBe(200);
    expect((await send(await visitor(), '203.0.113.7')).status).toBe(429);
    expect((await send(await visitor(), '198.51.100.1')).status).toBe(200);
  });
});

describe('bad input gets the same clear replies as the other channels', () => {
  it('answers an empty message, an over-long one, emoji only and an oversized body, in Chinese', async () => {
    const student = await arrive();
    expect((await say(student, '')).html).toContain('空消息');
    expect((await say(student, '   ')).html).toContain('空消息');
    const long = await say(student, '实习'.repeat(2600));
    expect(long.html).toContain('5200');
    expect(long.html).toContain('4096');
    expect((await say(student, '😀😀👍')).html).toContain('没有文字');
    const huge = await post(student, { text: '字'.repeat(70_000) });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { html: string }).html).toContain('太长');
  });

  it('answers a form post replayed (a reload) once', async () => {
    const student = await arrive();
    const first = await say(student, '中职学校要配几名职业指导老师？', 'replayed-message-1');
    expect(first.html).toContain('《');
    const again = await say(student, '中职学校要配几名职业指导老师？', 'replayed-message-1');
    expect(again.html).toBe('');
    expect((await pageOf(student)).match(/中职学校要配几名职业指导老师？/gu)).toHaveLength(1);
  });
});

describe('the conversation', () => {
  it('answers a plain form post (no JavaScript) with the page, the cited answer in its sections', async () => {
    const student = await arrive();
    const response = await post(student, { text: '实习单位能扣我身份证吗？' }, { json: false });
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('<p class="t">实习单位能扣我身份证吗？</p>');
    expect(page).toMatch(/<section class="sec quote"><h3>原文<\/h3>/u);
    expect(page).toMatch(/<section class="sec source"><h3>出处<\/h3><p class="t">《关于进一步规范中等职业学校管理全面提升中等职业教育质量的意见》二、11\./u);
  });

  it('shows each student only their own conversation, and the career dialogue’s choices as buttons', async () => {
    const amy = await arrive();
    const ben = await arrive();
    await say(amy, '实习单位要收押金，合法吗？');
    const planning = await say(ben, '职业规划');
    expect(planning.status).toBe(200);
    expect(planning.choices).toContain('>中职</button>');
    expect(planning.choices).toContain('<input type="hidden" name="text" value="中职">');
    const amyPage = await pageOf(amy);
    const benPage = await pageOf(ben);
    expect(amyPage).toContain('实习单位要收押金，合法吗？');
    expect(amyPage).not.toContain('哪类学校');
    expect(benPage).not.toContain('实习单位要收押金，合法吗？');
    // a reload still offers the open question's choices
    expect(benPage).toContain('>中职</button>');
  });

  it('takes an optional 学号/姓名, shows it in the conversation (the teacher’s transcript), and refuses malformed ones', async () => {
    const student = await arrive();
    const saved = await post(student, { studentNumber: '2023-0412', name: '张 小 明' }, { path: '/chat/profile', json: false });
    expect(saved.status).toBe(303);
    const page = await pageOf(student);
    expect(page).toContain('学生自报：学号 2023-0412 · 张 小 明');
    expect(page).toContain('当前登记：学号 2023-0412 · 张 小 明');
    const bad = await post(student, { studentNumber: '<script>', name: '' }, { path: '/chat/profile', json: false });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('学号只能是字母、数字和短横线');

    // 删除我的数据 deletes them with the conversation
    const stored = async () => (await assistant.db.query('select 1 from web_chat_students where user_id = $1', [student.id])).rows.length;
    expect(await stored()).toBe(1);
    await say(student, '删除我的数据');
    await say(student, '确认删除');
    expect(await stored()).toBe(0);
    expect(await pageOf(student)).not.toContain('2023-0412');
  });

  it('gives a student their own latest career plan as Markdown, and nobody else', async () => {
    const student = await arrive();
    await say(student, '职业规划');
    const { id } = await assistant.db.query<{ id: number }>(`select id from conversations where channel = 'web' and user_id = $1`, [student.id]).then((result) => result.rows[0]!);
    await new SqlConversationStore(assistant.db).savePlan(Number(id), {}, '# 我的职业规划\n\n方向一：软件测试');
    const plan = await app.request('/chat/plan', { headers: { cookie: student.cookie } });
    expect(plan.status).toBe(200);
    expect(plan.headers.get('content-type')).toContain('text/markdown');
    expect(plan.headers.get('content-disposition')).toContain('attachment');
    expect(await plan.text()).toContain('方向一：软件测试');
    const other = await app.request('/chat/plan', { headers: { cookie: (await arrive()).cookie } });
    expect(other.status).toBe(404);
    expect(await other.text()).toContain('还没有职业规划');
  });

  it('opens a web ticket on 转人工; the teacher’s reply reaches the open page live and is there on reload', async () => {
    const student = await arrive();
    const handoff = await say(student, '转人工');
    expect(handoff.html).toContain('老师');
    const ticket = (await desk.list({ status: 'active' })).find((candidate) => candidate.studentId === student.id);
    expect(ticket).toMatchObject({ channel: 'web', reason: 'person' });

    const events = await app.request('/chat/events', { headers: { cookie: student.cookie } });
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    const reader = events.body!.getReader();
    const decoder = new TextDecoder();
    let received = '';
    const until = async (needle: string): Promise<void> => {
      while (!received.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}`);
        received += decoder.decode(value, { stream: true });
      }
    };
    await until('event: ready');
    await desk.reply(ticket!.id, await teacherId(), '你好，我是王老师。押金的事我来帮你问。');
    const round = await outbox.deliverDue();
    expect(round.sent).toBe(1);
    await until('event: reply');
    expect(received).toContain('王老师 · 老师回复');
    expect(received).toContain('你好，我是王老师。押金的事我来帮你问。');
    await reader.cancel();

    const page = await pageOf(student);
    expect(page).toContain('<div class="msg teacher"><div class="who">王老师 · 老师回复</div>');
    expect(page).toContain('你好，我是王老师。押金的事我来帮你问。');
    // another student's page shows nothing of it
    expect(await pageOf(await arrive())).not.toContain('押金的事我来帮你问');
  });
});
