/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against the real
 * server on 127.0.0.1: a teacher signs in, finds the ticket in the queue, claims it and replies;
 * the outbox delivers the reply exactly once. With the queue open, a new ticket appears without a
 * reload (server-sent events). Screenshots go to eval/artifacts/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Assistant } from '../../assistant.ts';
import { loadConfig } from '../../config.ts';
import { SqlConversationStore } from '../../conversation/conversation-store.ts';
import { Outbox } from '../../escalation/outbox.ts';
import { TicketDesk } from '../../escalation/tickets.ts';
import { repoRoot } from '../../paths.ts';
import { createTestDatabase } from '../../store/testing.ts';
import { createApp } from '../app.ts';
import { startBrowserRig, type BrowserRig } from '../browser-testing.ts';
import { UserStore } from '../auth/users.ts';

const screenshots = path.join(repoRoot, 'eval', 'artifacts', 'screenshots');
const password = 'browser-test-password';

let assistant: Assistant;
let desk: TicketDesk;
let outbox: Outbox;
let conversations: SqlConversationStore;
let rig: BrowserRig | undefined;
let base: string;
let browser: Browser | undefined;

async function openTicket(studentId: string, summary: string): Promise<number> {
  const conversation = await conversations.open('telegram', studentId);
  await conversations.append(conversation.id, 'student', '实习单位要收押金，合法吗？');
  await conversations.append(conversation.id, 'assistant', '不可以。根据文件，不得向学生收取实习押金。');
  await conversations.append(conversation.id, 'student', summary);
  const { ticket } = await desk.openOrJoin({
    conversationId: conversation.id,
    channel: 'telegram',
    studentId,
    reason: 'person',
    summary,
    retrieved: [{ doc: 'liaoning-zhongzhi-quality', locator: '二、11.', text: '不得向学生收取实习押金、培训费、就业服务费和其他任何形式的实习费用' }],
  });
  return ticket.id;
}

async function signIn(page: Page): Promise<void> {
  await page.goto(`${base}/`);
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.fill('#username', 'teacher.wang');
  await page.fill('#password', password);
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
}

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  const db = await createTestDatabase();
  assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db, skipInitialIngest: true });
  desk = new TicketDesk(db);
  outbox = new Outbox(db);
  conversations = new SqlConversationStore(db);
  const users = new UserStore(db);
  await users.add({ username: 'teacher.wang', displayName: '王老师', role: 'teacher', password });
  const app = createApp(assistant, { desk, outbox, users, conversations, livePollMs: 0 });
  rig = await startBrowserRig(app);
  base = rig.base;
  browser = rig.browser;
}, 120_000);

afterAll(async () => {
  await rig?.close();
  await assistant?.close();
}, 60_000);

describe('the dashboard in a browser', () => {
  it('a teacher signs in, claims a ticket and replies; the outbox delivers the reply exactly once', async () => {
    const ticketId = await openTicket('tg-1001', '学生想找老师问实习押金的事');
    const context = await browser!.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });

    await signIn(page);
    const row = page.locator(`[data-ticket-id="${ticketId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('学生想找老师问实习押金的事');
    await page.screenshot({ path: path.join(screenshots, 'queue.png'), fullPage: true });

    await Promise.all([page.waitForURL(`${base}/tickets/${ticketId}`), row.locator('a').click()]);
    expect(await page.locator('#assignee').textContent()).toBe('未认领');
    await Promise.all([page.waitForURL(/msg=claimed/u), page.getByRole('button', { name: '认领', exact: true }).click()]);
    expect(await page.locator('#assignee').textContent()).toBe('王老师');
    expect(await page.locator('#status').textContent()).toBe('处理中');

    const reply = '你好，实习单位不能收押金。我们明天上午给你打电话。';
    await page.fill('form.reply textarea[name=text]', reply);
    await Promise.all([page.waitForURL(/msg=replied/u), page.getByRole('button', { name: '发送回复' }).click()]);
    await page.locator('.thread li.teacher', { hasText: reply }).waitFor();
    expect(await page.locator('#status').textContent()).toBe('已回复');

    const received: { recipient: string; text: string }[] = [];
    outbox.register('telegram', { send: async (recipient, text) => void received.push({ recipient, text }) });
    await outbox.deliverDue();
    await outbox.deliverDue();
    expect(received).toEqual([{ recipient: 'tg-1001', text: `【老师回复】王老师：\n${reply}` }]);

    await page.reload();
    await page.locator('.thread li.teacher .delivery.sent').waitFor();
    await page.screenshot({ path: path.join(screenshots, 'ticket.png'), fullPage: true });

    const phone = await browser!.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, locale: 'zh-CN' });
    await phone.addCookies(await context.cookies());
    const phonePage = await phone.newPage();
    await phonePage.goto(`${base}/`);
    await phonePage.locator(`[data-ticket-id="${ticketId}"]`).waitFor();
    await phonePage.screenshot({ path: path.join(screenshots, 'queue-phone.png'), fullPage: true });
    await phone.close();

    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('with the queue open, a new ticket appears without a reload (server-sent events)', async () => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await signIn(page);
    await page.locator('#live', { hasText: '实时更新已连接' }).waitFor();
    await page.evaluate(() => {
      (globalThis as { notReloaded?: boolean }).notReloaded = true;
    });
    let navigations = 0;
    page.on('framenavigated', () => (navigations += 1));

    const ticketId = await openTicket('tg-2002', '危机之外的第二张工单：新来的');
    const row = page.locator(`[data-ticket-id="${ticketId}"]`);
    await row.waitFor();
    expect(await row.getAttribute('class')).toContain('fresh');
    expect(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(navigations).toBe(0);
    await page.screenshot({ path: path.join(screenshots, 'queue-live.png'), fullPage: true });
    await context.close();
  }, 120_000);
});
