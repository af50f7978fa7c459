/**
 * A ticket becomes school knowledge (issue 15), over real parts: PGlite, the real corpus, the
 * conversation core with the teachers' queue, the dashboard and the knowledge admin through
 * `app.request`. A question the bot could not answer reaches a teacher; the teacher's reply,
 * proposed from the closed ticket, reviewed and published, is cited when another student asks;
 * the school's own eval item then blocks a publish that would break it; withdrawing works.
 */
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDataset } from '../../../eval/dataset.ts';
import { Assistant } from '../../assistant.ts';
import { loadConfig } from '../../config.ts';
import { SqlConversationStore } from '../../conversation/conversation-store.ts';
import { ConversationCore } from '../../conversation/core.ts';
import type { InboundMessage } from '../../conversation/types.ts';
import { TicketDesk } from '../../escalation/tickets.ts';
import { schoolAnswerType, schoolQaDocId, schoolQaDocument } from '../../knowledge/school-qa.ts';
import { createTestDatabase } from '../../store/testing.ts';
import { knowledgeAdmin } from '../admin/routes.ts';
import { SessionStore } from '../auth/sessions.ts';
import { adminAndTeacher, getAs, postAs, type SignedIn } from './testing.ts';

const password = 'promote-test-password';
const asked = (userId: string, text: string): InboundMessage => ({ channel: 'test', userId, kind: 'text', text });
const question = '学校的就业推荐表什么时候发？在哪里领？';
const teacherAnswer = '就业推荐表每年11月中旬由班主任统一发放；遗失的，带学生证到招生就业处（行政楼203室）补领。';
const chinaDay = (instant: Date): string => new Date(instant.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

let assistant: Assistant;
let core: ConversationCore;
let app: Hono;
/** The knowledge admin with the school's items only (no shipped datasets): the publish check stays quick. */
let admin: Hono;
let asAdmin: SignedIn;
let asTeacher: SignedIn;
let ticketId = 0;

beforeAll(async () => {
  const db = await createTestDatabase();
  assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db });
  core = new ConversationCore(assistant, new SqlConversationStore(db), { rateEveryAnswers: 0, tickets: new TicketDesk(db), lowConfidenceLimit: 1 });
  ({ app, asAdmin, asTeacher } = await adminAndTeacher(assistant, db, password));
  admin = new Hono();
  admin.route('/admin/knowledge', knowledgeAdmin({ assistant, sessions: new SessionStore(db), datasets: [], publishFloor: null }));
}, 180_000);
afterAll(async () => assistant?.close());

describe('a teacher’s reply becomes a cited school answer', () => {
  it('a question the knowledge base cannot answer reaches a teacher, who answers and closes the ticket', async () => {
    const turn = await core.handle(asked('amy', `我叫王小明，${question}`));
    expect(turn.outcome).toBe('escalate');
    ticketId = turn.ticketId!;
    expect((await postAs(app, asTeacher, `/tickets/${ticketId}/reply`, { text: teacherAnswer })).status).toBe(303);
    // an open ticket is not proposed yet
    expect((await postAs(app, asTeacher, `/tickets/${ticketId}/school-qa`, { question, answer: teacherAnswer })).status).toBe(409);
    expect((await postAs(app, asTeacher, `/tickets/${ticketId}/close`)).status).toBe(303);
  });

  it('the closed ticket offers the question with the name masked and the teacher’s reply; the proposal is a draft, not served', async () => {
    const page = await (await getAs(app, asTeacher, `/tickets/${ticketId}`)).text();
    expect(page).toContain('id="school-qa-form"');
    expect(page).toMatch(new RegExp(`<textarea id="school-qa-question"[^>]*>我叫〔姓名〕，${question.replace(/[？?]/gu, '.')}</textarea>`, 'u'));
    expect(page).toMatch(new RegExp(`<textarea id="school-qa-answer"[^>]*>${teacherAnswer.replace(/[（）]/gu, '.')}</textarea>`, 'u'));
    expect(page).not.toContain('id="school-eval-form"'); // marking eval items is for administrators

    const proposed = await postAs(app, asTeacher, `/tickets/${ticketId}/school-qa`, { question, answer: teacherAnswer });
    expect(proposed.status).toBe(200);
    expect(await proposed.text()).toContain('《本校就业指导问答》第一条已加入草稿 v1');
    const draft = await assistant.knowledge.getVersion(schoolQaDocId, 1);
    expect(draft).toMatchObject({ state: 'draft', createdBy: 'web:teacher.li', document: { type: schoolAnswerType, issuer: '本校', meta: { type: schoolAnswerType, author: '李老师' } } });
    expect(draft!.document.body).toContain(`## 问：${question}`);
    expect((await assistant.knowledge.list()).map((d) => d.id)).not.toContain(schoolQaDocId);
    const before = await core.handle(asked('bob', question));
    expect(before.citations.map((c) => c.doc)).not.toContain(schoolQaDocId);
  });

  it('an administrator publishes it after the eval; another student asking the same is answered from it, with who answered and a caveat', async () => {
    const check = await postAs(admin, asAdmin, `/admin/knowledge/docs/${schoolQaDocId}/versions/1/publish`);
    expect(check.status).toBe(200);
    expect(await check.text()).toContain('id="confirm-publish"');
    expect((await postAs(admin, asAdmin, `/admin/knowledge/docs/${schoolQaDocId}/versions/1/publish`, { confirm: '1' })).status).toBe(303);

    const turn = await core.handle(asked('cara', '就业推荐表什么时候发，去哪领？'));
    expect(turn.outcome).toBe('answer');
    expect(turn.citations[0]).toMatchObject({ doc: schoolQaDocId, locator: '第一条' });
    const reply = turn.replies.map((r) => r.text).join('\n');
    expect(reply).toContain('招生就业处');
    expect(reply).toContain(`《本校就业指导问答》第一条｜李老师答复｜${chinaDay(new Date())}`);
    expect(reply).toContain('不是政策文件');
  });

  it('a second proposal appends 第二条 to a new draft; the published entry stays as it is', async () => {
    const again = await postAs(app, asAdmin, `/tickets/${ticketId}/school-qa`, { question: '推荐表上的成绩由谁填写？', answer: '成绩栏由教务处统一填写并盖章，学生不要自己填。' });
    expect(again.status).toBe(200);
    const text = await again.text();
    expect(text).toContain('第二条已加入草稿 v2');
    expect(text).toContain(`href="/admin/knowledge/docs/${schoolQaDocId}/versions/2"`);
    const draft = await assistant.knowledge.getVersion(schoolQaDocId, 2);
    expect(draft!.document.body).toMatch(/第一条 就业推荐表[\s\S]*第二条 成绩栏/u);
    expect((await assistant.knowledge.getVersion(schoolQaDocId, 1))!.state).toBe('published');
    await assistant.knowledge.discardDraft(schoolQaDocId, 2);
  });
});

describe('the school’s own eval set', () => {
  it('an administrator marks the clause that answers the question; it is exported as JSON Lines `zhiyin eval` reads', async () => {
    expect((await postAs(app, asTeacher, `/tickets/${ticketId}/school-eval`, { question, outcome: 'answer', clause: `${schoolQaDocId}|第一条` })).status).toBe(403);
    const marked = await postAs(app, asAdmin, `/tickets/${ticketId}/school-eval`, { question, outcome: 'answer', clause: `${schoolQaDocId}|第一条` });
    expect(marked.status).toBe(303);
    const page = await (await getAs(app, asAdmin, `/tickets/${ticketId}`)).text();
    expect(page).toContain('id="school-eval-marks"');
    expect(page).toContain(`<option value="${schoolQaDocId}|第一条">`);

    expect((await getAs(app, asTeacher, '/admin/school-eval.jsonl')).status).toBe(403);
    const exported = await getAs(app, asAdmin, '/admin/school-eval.jsonl');
    expect(exported.headers.get('content-disposition')).toContain('school.jsonl');
    const items = parseDataset(await exported.text(), 'school.jsonl');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ question, outcome: 'answer', tags: ['school', `doc:${schoolQaDocId}`] });
    expect(items[0]!.passages[0]).toMatch(/^第一条就业推荐表/u);
  });

  it('a version that breaks a school item is shown with the item and cannot be published, even confirmed', async () => {
    const broken = schoolQaDocument('本校', [{ number: 1, question: '推荐表上的成绩由谁填写？', answer: '成绩栏由教务处统一填写并盖章。', author: '李老师', date: '2026-12-02' }]);
    const { created } = await assistant.knowledge.addDrafts([{ document: broken }], { actor: 'web:kb.admin' });
    const version = created[0]!.version;
    const kbVersion = await assistant.knowledge.version();
    const check = await postAs(admin, asAdmin, `/admin/knowledge/docs/${schoolQaDocId}/versions/${version}/publish`);
    expect(check.status).toBe(422);
    const page = await check.text();
    expect(page).toContain('id="school-regressions"');
    expect(page).toContain(question);
    expect(page).toContain('校内评测题（本校学生的真实问题）');
    expect(page).not.toContain('id="confirm-publish"');
    expect((await postAs(admin, asAdmin, `/admin/knowledge/docs/${schoolQaDocId}/versions/${version}/publish`, { confirm: '1' })).status).toBe(422);
    expect(await assistant.knowledge.version()).toBe(kbVersion);
  });

  it('withdrawing the school’s answers works like any document: the question is no longer answered from them', async () => {
    expect((await postAs(admin, asAdmin, `/admin/knowledge/docs/${schoolQaDocId}/withdraw`, { confirm: '1' })).status).toBe(303);
    const turn = await core.handle(asked('dan', question));
    expect(turn.citations.map((c) => c.doc)).not.toContain(schoolQaDocId);
  });
});
