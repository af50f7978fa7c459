/**
 * The dashboard in words a teacher reads, in a real browser (Debian's Chromium through
 * playwright-core) against the real server on 127.0.0.1 and the real knowledge base: queue rows
 * say who the student is, tickets name the channel and the documents of the retrieved clauses,
 * the channel page names channels in Chinese; the knowledge admin shows when each document
 * applies, takes several files in one upload and asks before a withdraw. Screenshots go to
 * eval/artifacts/screenshots/chinese-first-*.png.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assistant } from '../../assistant.ts';
import { loadConfig } from '../../config.ts';
import { SqlConversationStore } from '../../conversation/conversation-store.ts';
import { TicketDesk } from '../../escalation/tickets.ts';
import { sampleTxt } from '../../knowledge/testing-fixtures.ts';
import { repoRoot } from '../../paths.ts';
import type { Database } from '../../store/database.ts';
import { createTestDatabase } from '../../store/testing.ts';
import { createApp } from '../app.ts';
import { UserStore } from '../auth/users.ts';
import { startBrowserRig, type BrowserRig } from '../browser-testing.ts';

const screenshots = path.join(repoRoot, 'eval', 'artifacts', 'screenshots');
const password = 'browser-chinese-first';

let db: Database;
let assistant: Assistant;
let desk: TicketDesk;
let conversations: SqlConversationStore;
let rig: BrowserRig | undefined;
let base: string;
let browser: Browser | undefined;

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  db = await createTestDatabase();
  assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db });
  desk = new TicketDesk(db);
  conversations = new SqlConversationStore(db);
  await new UserStore(db).add({ username: 'head.admin', displayName: '教务处管理员', role: 'admin', password });
  const since = new Date();
  const app = createApp(assistant, {
    desk,
    conversations,
    livePollMs: 0,
    channelStatus: () => [
      { name: 'wechat-oa', state: '运行中（被动回复 + 客服消息）', since },
      { name: 'telegram', state: '运行中（长轮询，@zhiyin_bot）', since },
      { name: 'web', state: '运行中（学生网页聊天 /chat）', since },
    ],
  });
  rig = await startBrowserRig(app);
  base = rig.base;
  browser = rig.browser;
}, 180_000);

afterAll(async () => {
  await rig?.close();
  await assistant?.close();
}, 60_000);

async function ticketFor(channel: string, studentId: string, summary: string): Promise<{ ticketId: number; conversationId: number }> {
  const conversation = await conversations.open(channel, studentId);
  await conversations.append(conversation.id, 'student', summary);
  const { ticket } = await desk.openOrJoin({
    conversationId: conversation.id,
    channel,
    studentId,
    reason: 'person',
    summary,
    retrieved: [{ doc: 'liaoning-zhongzhi-quality', locator: '二、11.', text: '不得向学生收取实习押金、培训费、就业服务费和其他任何形式的实习费用' }],
  });
  return { ticketId: ticket.id, conversationId: conversation.id };
}

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return errors;
}

describe('Chinese first, in a browser', () => {
  it('queue, ticket and channel page in words a teacher reads', async () => {
    const oa = await ticketFor('wechat-oa', 'oPq7Xw2mZk9LrT4n', '公众号学生：实习单位要收押金');
    const web = await ticketFor('web', 'web-5f1c2a9e', '网页学生：想找老师聊就业协议');
    // what a web-chat student chose to say about themselves (the student web chat's table, migration 013)
    await db.query(`create table if not exists web_chat_students (user_id text primary key, conversation_id bigint not null references conversations(id) on delete cascade, student_number text, name text, updated_at timestamptz not null default now())`);
    await db.query('insert into web_chat_students (user_id, conversation_id, student_number, name) values ($1, $2, $3, $4)', ['web-5f1c2a9e', web.conversationId, '2024033107', '陈思远']);

    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${base}/login`);
    await page.fill('#username', 'head.admin');
    await page.fill('#password', password);
    await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);

    const oaRow = page.locator(`[data-ticket-id="${oa.ticketId}"]`);
    const webRow = page.locator(`[data-ticket-id="${web.ticketId}"]`);
    expect(await oaRow.locator('.student').textContent()).toBe('学生 ···rT4n');
    expect(await oaRow.textContent()).not.toContain('oPq7Xw2mZk9LrT4n');
    expect(await oaRow.textContent()).toContain('微信公众号');
    expect(await webRow.locator('.student').textContent()).toBe('陈思远（学号 2024033107）');
    await page.screenshot({ path: path.join(screenshots, 'chinese-first-queue.png'), fullPage: true });

    await Promise.all([page.waitForURL(`${base}/tickets/${oa.ticketId}`), oaRow.locator('a').click()]);
    expect(await page.textContent('#channel')).toBe('微信公众号');
    expect(await page.getAttribute('form.reply textarea', 'placeholder')).toContain('微信公众号对话里');
    const clause = page.locator('.clause[data-doc="liaoning-zhongzhi-quality"] .muted');
    expect(await clause.textContent()).toMatch(/^《关于进一步规范中等职业学校管理全面提升中等职业教育质量的意见》 · 二、11\.$/u);
    expect(await page.textContent('main')).not.toContain('wechat-oa');
    await page.screenshot({ path: path.join(screenshots, 'chinese-first-ticket.png'), fullPage: true });

    await page.goto(`${base}/channels`);
    const names = await page.locator('tr[data-channel] td:first-child').allTextContents();
    expect(names).toEqual(['微信公众号', 'Telegram', '网页']);
    await page.screenshot({ path: path.join(screenshots, 'chinese-first-channels.png'), fullPage: true });

    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it('knowledge admin: when each document applies, several files in one upload, a confirm step before withdraw', async () => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${base}/login?next=%2Fadmin%2Fknowledge`);
    await page.fill('#username', 'head.admin');
    await page.fill('#password', password);
    await Promise.all([page.waitForURL(`${base}/admin/knowledge`), page.click('button[type=submit]')]);

    const today = new Date().toISOString().slice(0, 10);
    for (const cell of await page.locator('#live-documents td.effective').allTextContents()) expect(cell).not.toContain(today);
    expect(await page.locator('select[name=id] option[value="liaoning-zhongzhi-quality"]').textContent()).toBe('关于进一步规范中等职业学校管理全面提升中等职业教育质量的意见');
    await page.screenshot({ path: path.join(screenshots, 'chinese-first-kb-overview.png'), fullPage: true });

    await page.setInputFiles('input[type=file]', [
      { name: '广东实习办法.txt', mimeType: 'text/plain', buffer: Buffer.from(sampleTxt(['广东省中等职业学校学生实习管理办法', '第一条 为规范实习，制定本办法。', '第二条 实习单位不得向学生收取押金。', '第三条 本办法自2025年3月1日起施行。', '广东省教育厅', '2025年1月20日'])) },
      { name: '江苏就业指导规程.txt', mimeType: 'text/plain', buffer: Buffer.from(sampleTxt(['江苏省职业学校就业指导工作规程', '第一条 学校应当配备专职就业指导教师。', '第二条 本规程自发布之日起施行。', '江苏省教育厅', '2024年6月3日'])) },
    ]);
    await page.getByRole('button', { name: '上传并预览' }).click();
    await page.locator('#uploaded').waitFor({ timeout: 60_000 });
    expect(await page.textContent('#uploaded')).toContain('已上传 2 个文件：2 份新草稿');
    const history = (await page.textContent('table.history'))!;
    expect(history).toContain('广东省中等职业学校学生实习管理办法 v1');
    expect(history).toContain('head.admin（工作台）');
    expect(history).not.toContain('liaoning-zhongzhi-quality');
    await page.screenshot({ path: path.join(screenshots, 'chinese-first-multi-upload.png'), fullPage: true });
    await Promise.all([page.waitForURL(/\/versions\/1$/u), page.locator('#uploaded a', { hasText: '广东省中等职业学校学生实习管理办法' }).click()]);
    expect(await page.inputValue('#meta-effectiveFrom')).toBe('2025-03-01');

    await page.goto(`${base}/admin/knowledge/docs/liaoning-zhongzhi-quality`);
    await page.getByRole('button', { name: '撤下（停止用于回答）…' }).click();
    await page.locator('#confirm-withdraw').waitFor();
    expect(await page.textContent('h1')).toBe('确认撤下《关于进一步规范中等职业学校管理全面提升中等职业教育质量的意见》');
    await page.screenshot({ path: path.join(screenshots, 'chinese-first-withdraw-confirm.png'), fullPage: true });
    await Promise.all([page.waitForURL(`${base}/admin/knowledge/docs/liaoning-zhongzhi-quality`), page.getByRole('link', { name: '取消' }).click()]);
    expect(await page.textContent('#published-version')).toBe('v1');
    expect((await assistant.knowledge.list()).map((d) => d.id)).toContain('liaoning-zhongzhi-quality');

    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);
});
