/**
 * The student web chat in a real browser at phone size (Debian's Chromium through playwright-core,
 * 390×844), against the real server on 127.0.0.1 with the real core, desk, outbox and knowledge
 * base: a question gets a cited answer and a rating; 转人工 opens a ticket that a teacher finds in
 * the dashboard's queue and answers there; the reply appears on the student's open page without a
 * reload (server-sent events) and is still there after one. Screenshots go to
 * eval/artifacts/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve as serveHttp } from '@hono/node-server';
import path from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Assistant } from '../../src/assistant.ts';
import { loadConfig } from '../../src/config.ts';
import { ConversationCore } from '../../src/conversation/core.ts';
import { SqlConversationStore } from '../../src/conversation/conversation-store.ts';
import { Outbox } from '../../src/escalation/outbox.ts';
import { TicketDesk } from '../../src/escalation/tickets.ts';
import { repoRoot } from '../../src/paths.ts';
import { createApp } from '../../src/server/app.ts';
import { UserStore } from '../../src/server/auth/users.ts';
import { startBrowserRig, type BrowserRig } from '../../src/server/browser-testing.ts';
import { createTestDatabase } from '../../src/store/testing.ts';
import { startWebChat } from './index.ts';

const screenshots = path.join(repoRoot, 'eval', 'artifacts', 'screenshots');
const password = 'browser-test-password';
/** WeChat's in-app browser on an iPhone, as a 公众号 menu link opens the page. */
const wechatUserAgent =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x18003137) NetType/WIFI Language/zh_CN';

let assistant: Assistant;
let desk: TicketDesk;
let outbox: Outbox;
let rig: BrowserRig | undefined;
let base: string;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db: await createTestDatabase() });
  const conversations = new SqlConversationStore(assistant.db);
  desk = new TicketDesk(assistant.db);
  outbox = new Outbox(assistant.db, { log: assistant.log });
  const users = new UserStore(assistant.db);
  await users.add({ username: 'teacher.wang', displayName: '王老师', role: 'teacher', password });
  const core = new ConversationCore(assistant, conversations, { tickets: desk });
  const webhooks = new Hono();
  await startWebChat({ core, outbox, app: webhooks, log: assistant.log });
  outbox.start(200);
  rig = await startBrowserRig(createApp(assistant, { desk, outbox, users, conversations, webhooks, livePollMs: 0 }));
  base = rig.base;
  browser = rig.browser;
}, 120_000);

afterAll(async () => {
  await outbox?.stop();
  await rig?.close();
  await assistant?.close();
}, 60_000);

const replyCountOf = (page: Page): Promise<number> => page.locator('#log .msg.assistant:not(.typing)').count();

/** Waits until the page shows more replies than `count` and nothing is still being looked up. */
async function repliesAfter(page: Page, count: number): Promise<void> {
  // A function, not a string: Playwright evals the predicate in the page, and a string is evaled again on
  // every poll, which the chat page's CSP (no 'unsafe-eval') refuses once the first, DevTools-driven check has passed.
  await page.waitForFunction((n) => {
    const { document } = globalThis as unknown as { document: { querySelectorAll(selector: string): { length: number }; querySelector(selector: string): unknown } };
    return document.querySelectorAll('#log .msg.assistant:not(.typing)').length > n && !document.querySelector('.typing');
  }, count);
}

async function send(page: Page, text: string): Promise<void> {
  const before = await replyCountOf(page);
  await page.fill('#send textarea', text);
  await page.click('#send button[type=submit]');
  await repliesAfter(page, before);
}

describe('the student web chat in a phone browser', () => {
  it('question → cited answer; 转人工 → ticket in the teacher’s queue → the teacher’s reply appears live', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', userAgent: wechatUserAgent });
    const page = await phone.newPage();
    const pushed: { eventName: string; data: string }[] = [];
    const devtools = await phone.newCDPSession(page);
    await devtools.send('Network.enable');
    devtools.on('Network.eventSourceMessageReceived', (event) => pushed.push(event));
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });

    await page.goto(`${base}/chat`);
    await page.locator('#live', { hasText: '老师回复会实时显示在这里' }).waitFor();
    expect(await page.locator('#log .msg.assistant').first().textContent()).toContain('你好，我是职引');
    // the input sits at the bottom of the screen
    const composer = await page.locator('footer.composer').boundingBox();
    expect(composer!.y + composer!.height).toBeGreaterThan(830);
    await page.screenshot({ path: path.join(screenshots, 'web-chat-start.png') });

    await send(page, '实习单位能扣我身份证吗？');
    const cited = page.locator('#log .msg.assistant .sec.source', { hasText: '《关于进一步规范中等职业学校管理全面提升中等职业教育质量的意见》二、11.' });
    await cited.waitFor();
    expect(await page.locator('#log .msg.assistant .sec.quote').last().textContent()).toContain('不得扣押学生的学生证、居民身份证');
    // the rating question offers 1–5 as buttons; a tap rates the answer
    await page.locator('#choices button', { hasText: '5' }).waitFor();
    await page.locator('#log .sec.quote').last().scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(screenshots, 'web-chat-answer.png') });
    const replies = await replyCountOf(page);
    await page.locator('#choices button', { hasText: '5' }).click();
    await repliesAfter(page, replies);
    expect(await page.locator('#log .msg.assistant').last().textContent()).toContain('谢谢你的评分');
    const { rows } = await assistant.db.query<{ score: number }>('select score from ratings');
    expect(rows.map((row) => row.score)).toEqual([5]);

    await page.evaluate(() => {
      (globalThis as { notReloaded?: boolean }).notReloaded = true;
    });
    const replyCount = await replyCountOf(page);
    await page.locator('.quickbar button', { hasText: '转人工' }).click();
    await repliesAfter(page, replyCount);
    await page.locator('#log .msg.assistant', { hasText: '老师的队列' }).waitFor();
    const ticket = (await desk.list({ status: 'active' })).find((candidate) => candidate.channel === 'web');
    expect(ticket).toMatchObject({ reason: 'person', status: 'open' });
    await page.screenshot({ path: path.join(screenshots, 'web-chat-handoff.png') });

    // the teacher, on the dashboard: the ticket is in the queue; claim it and reply
    const desktop = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN' });
    const teacher = await desktop.newPage();
    await teacher.goto(`${base}/`);
    await teacher.fill('#username', 'teacher.wang');
    await teacher.fill('#password', password);
    await Promise.all([teacher.waitForURL(`${base}/`), teacher.click('button[type=submit]')]);
    const row = teacher.locator(`[data-ticket-id="${ticket!.id}"]`);
    await row.waitFor();
    await teacher.screenshot({ path: path.join(screenshots, 'web-chat-teacher-queue.png') });
    await Promise.all([teacher.waitForURL(`${base}/tickets/${ticket!.id}`), row.locator('a').click()]);
    await Promise.all([teacher.waitForURL(/msg=claimed/u), teacher.getByRole('button', { name: '认领', exact: true }).click()]);
    const reply = '同学你好，我是王老师。实习单位不能扣你的身份证，我明天上午联系你的实习单位。';
    await teacher.fill('form.reply textarea[name=text]', reply);
    await Promise.all([teacher.waitForURL(/msg=replied/u), teacher.getByRole('button', { name: '发送回复' }).click()]);

    // the student's open page shows it, without a reload
    const live = page.locator('#log .msg.teacher', { hasText: reply });
    await live.waitFor({ timeout: 30_000 });
    expect(await live.locator('.who').textContent()).toBe('王老师 · 老师回复');
    expect(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await page.screenshot({ path: path.join(screenshots, 'web-chat-teacher-reply.png') });

    // it came over the live stream (server-sent events)
    expect(pushed.some((event) => event.eventName === 'reply' && event.data.includes('我明天上午联系你的实习单位'))).toBe(true)

    // and it is the student's conversation: there after a reload, with the answer and its citation
    await page.reload();
    await page.locator('#log .msg.teacher', { hasText: reply }).waitFor();
    expect(await page.locator('#log .sec.source').count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(screenshots, 'web-chat-reload.png'), fullPage: true });

    // the student may say who they are; the teacher reading the conversation sees it
    await page.locator('details.profile summary').click();
    await page.fill('input[name=studentNumber]', '2023010417');
    await page.fill('input[name=name]', '李明');
    await page.screenshot({ path: path.join(screenshots, 'web-chat-profile.png') });
    await Promise.all([page.waitForURL(/\/chat#latest$/u), page.getByRole('button', { name: '保存' }).click()]);
    await page.locator('#log .note', { hasText: '学生自报：学号 2023010417 · 李明' }).waitFor();
    expect(await page.locator('details.profile summary').textContent()).toBe('学号 2023010417 · 李明');

    expect(errors).toEqual([]);
    await desktop.close();
    await phone.close();
  }, 180_000);

  it('catches up after its live connection ends (a reply sent meanwhile shows without a reload), and gives back a refused message', async () => {
    // a second server whose live streams end every 1.5 s, and whose sender is not the one the
    // outbox delivers through: only catching up after a reconnect can show the reply
    const webhooks = new Hono();
    const conversations = new SqlConversationStore(assistant.db);
    const core = new ConversationCore(assistant, conversations, { tickets: desk });
    await startWebChat({ core, outbox: new Outbox(assistant.db), app: webhooks, log: assistant.log, tuning: { streamLifetimeMs: 1_500, perStudent: { limit: 2, windowMs: 60 * 60_000 } } });
    const server = await new Promise<Server>((resolve) => {
      const listening = serveHttp({ fetch: createApp(assistant, { desk, outbox, conversations, webhooks, livePollMs: 0 }).fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(listening as Server)) as Server;
    });
    const shortLived = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, locale: 'zh-CN' });
      const page = await phone.newPage();
      await page.goto(`${shortLived}/chat`);
      await send(page, '转人工');
      const studentId = (await phone.cookies()).find((cookie) => cookie.name === 'zhiyin_student')!.value.split('.')[0];
      const ticket = (await desk.list({ status: 'active' })).find((candidate) => candidate.studentId === studentId);
      await page.evaluate(() => {
        (globalThis as { notReloaded?: boolean }).notReloaded = true;
      });
      const teacherId = Number((await assistant.db.query<{ id: number }>(`select id from users where username = 'teacher.wang'`)).rows[0]!.id);
      const meanwhile = '补充一句：明天上午十点前我会给你打电话。';
      const { outboxId } = await desk.reply(ticket!.id, teacherId, meanwhile);
      await expect.poll(async () => (await assistant.db.query<{ status: string }>('select status from outbox where id = $1', [outboxId])).rows[0]!.status, { timeout: 30_000 }).toBe('sent');
      await page.locator('#log .msg.teacher', { hasText: meanwhile }).waitFor({ timeout: 30_000 });
      expect(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded)).toBe(true);

      // past the rate limit (2 here) the message is refused: it goes back into the box, with the reason
      await send(page, '好的，谢谢老师');
      const before = await page.locator('#log .msg.student').count();
      await page.fill('#send textarea', '老师我还有一个问题');
      await page.click('#send button[type=submit]');
      await page.locator('#log .note.warn', { hasText: '秒后再发' }).waitFor();
      expect(await page.locator('#log .msg.student').count()).toBe(before);
      expect(await page.inputValue('#send textarea')).toBe('老师我还有一个问题');
      await page.screenshot({ path: path.join(screenshots, 'web-chat-rate-limited.png') });
      await phone.close();
    } finally {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  }, 120_000);

  it('works without JavaScript: a plain form post answers, and the career dialogue’s choices are buttons', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, locale: 'zh-CN', javaScriptEnabled: false });
    const page = await phone.newPage();
    await page.goto(`${base}/chat`);
    await page.fill('#send textarea', '中职学校要配几名职业指导老师？');
    await Promise.all([page.waitForLoadState('load'), page.click('#send button[type=submit]')]);
    await page.locator('#log .sec.source').first().waitFor();
    await Promise.all([page.waitForLoadState('load'), page.locator('.quickbar button', { hasText: '职业规划' }).click()]);
    await page.locator('#log .msg.assistant', { hasText: '哪类学校' }).waitFor();
    await Promise.all([page.waitForLoadState('load'), page.locator('#choices button', { hasText: '高职' }).click()]);
    await page.locator('#log .msg.student', { hasText: '高职' }).waitFor();
    await page.locator('#choices button').first().waitFor();
    // the page opens at the latest message (the form posts to /chat#latest)
    const latest = await page.locator('#latest').boundingBox();
    expect(latest!.y).toBeLessThan(844);
    expect(latest!.y).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(screenshots, 'web-chat-no-js.png') });
    await phone.close();
  }, 120_000);
});
