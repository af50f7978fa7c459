/**
 * The ticket's school-knowledge forms in a real browser (Debian's Chromium through
 * playwright-core) against the real server on 127.0.0.1: an administrator opens a closed ticket,
 * sees the student's question with the name masked beside the teacher's reply, edits it and
 * proposes it for the school's Q&A. Screenshots go to eval/artifacts/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assistant } from '../../assistant.ts';
import { loadConfig } from '../../config.ts';
import { SqlConversationStore } from '../../conversation/conversation-store.ts';
import { TicketDesk } from '../../escalation/tickets.ts';
import { schoolQaDocId } from '../../knowledge/school-qa.ts';
import { repoRoot } from '../../paths.ts';
import { createTestDatabase } from '../../store/testing.ts';
import { createApp } from '../app.ts';
import { UserStore } from '../auth/users.ts';
import { startBrowserRig, type BrowserRig } from '../browser-testing.ts';

const screenshots = path.join(repoRoot, 'eval', 'artifacts', 'screenshots');
const password = 'promote-browser-password';

let assistant: Assistant;
let rig: BrowserRig | undefined;
let browser: Browser | undefined;
let base: string;
let ticketId = 0;

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  const db = await createTestDatabase();
  assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db, skipInitialIngest: true });
  const desk = new TicketDesk(db);
  const conversations = new SqlConversationStore(db);
  const users = new UserStore(db);
  const admin = await users.add({ username: 'kb.admin', displayName: '李老师', role: 'admin', password });
  const conversation = await conversations.open('web', 'student-7');
  const question = '我叫王小明，电话13812345678，学校的就业推荐表什么时候发？在哪里领？';
  await conversations.append(conversation.id, 'student', question);
  ({ ticket: { id: ticketId } } = await desk.openOrJoin({ conversationId: conversation.id, channel: 'web', studentId: 'student-7', reason: 'low-confidence', summary: question, retrieved: [] }));
  await desk.reply(ticketId, admin.id, '就业推荐表每年11月中旬由班主任统一发放；遗失的，带学生证到招生就业处（行政楼203室）补领。');
  await desk.close(ticketId, admin.id);
  rig = await startBrowserRig(createApp(assistant, { desk, users, conversations, livePollMs: 0 }));
  base = rig.base;
  browser = rig.browser;
}, 180_000);

afterAll(async () => {
  await rig?.close();
  await assistant?.close();
}, 60_000);

describe('the ticket’s promote form in a browser', () => {
  it('shows the masked question and the reply, and proposes the edited pair as a draft', async () => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${base}/login`);
    await page.fill('#username', 'kb.admin');
    await page.fill('#password', password);
    await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);

    await page.goto(`${base}/tickets/${ticketId}`);
    const question = page.locator('#school-qa-question');
    expect(await question.inputValue()).toBe('我叫〔姓名〕，电话〔电话〕，学校的就业推荐表什么时候发？在哪里领？');
    expect(await page.locator('#school-qa-answer').inputValue()).toContain('招生就业处');
    await page.locator('#school-knowledge').screenshot({ path: path.join(screenshots, 'ticket-promote.png') });

    await question.fill('学校的就业推荐表什么时候发？在哪里领？');
    await Promise.all([page.waitForURL(`${base}/tickets/${ticketId}/school-qa`), page.getByRole('button', { name: '提交为校内问答草稿' }).click()]);
    expect(await page.locator('#proposed').textContent()).toContain('《本校就业指导问答》第一条已加入草稿 v1');
    await page.screenshot({ path: path.join(screenshots, 'ticket-promoted.png'), fullPage: true });
    const draft = await assistant.knowledge.getVersion(schoolQaDocId, 1);
    expect(draft!.document.body).toContain('## 问：学校的就业推荐表什么时候发？在哪里领？');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
