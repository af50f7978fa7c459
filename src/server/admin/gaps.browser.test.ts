import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Hono } from 'hono';
import { Assistant } from '../../assistant.ts';
import { loadConfig } from '../../config.ts';
import { ConversationCore } from '../../conversation/core.ts';
import { SqlConversationStore } from '../../conversation/conversation-store.ts';
import { repoRoot } from '../../paths.ts';
import { createTestDatabase } from '../../store/testing.ts';
import { startBrowserRig, type BrowserRig } from '../browser-testing.ts';
import { adminAndTeacher, getAs, type SignedIn } from '../dashboard/testing.ts';

/**
 * The knowledge-gaps page (issue 15) over real conversations: students' questions go through the
 * core; the page groups what was not answered well, and a question becomes a variant of its nearest
 * clause from there. Screenshot: eval/artifacts/screenshots/knowledge-gaps.png.
 */
const screenshots = path.join(repoRoot, 'eval', 'artifacts', 'screenshots');
const password = 'a long passphrase for tests';

let assistant: Assistant;
let app: Hono;
let asAdmin: SignedIn;
let asTeacher: SignedIn;
let rig: BrowserRig | undefined;

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  const db = await createTestDatabase();
  assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db });
  ({ app, asAdmin, asTeacher } = await adminAndTeacher(assistant, db, password));
  const core = new ConversationCore(assistant, new SqlConversationStore(db), { rateEveryAnswers: 1 });
  const ask = (userId: string, text: string) => core.handle({ channel: 'telegram', userId, kind: 'text', text });
  // What students asked this week: some not answered, one answered and rated 1.
  await ask('student-one', '我叫张伟，学校食堂晚上几点关门？');
  await ask('student-two', '食堂周末开不开？');
  await ask('student-three', '考公务员要什么条件？电话13912345678');
  await ask('student-four', '实习单位能扣我身份证吗？');
  await ask('student-four', '1');
  rig = await startBrowserRig(app);
}, 600_000);

afterAll(async () => {
  await rig?.close();
  await assistant?.close();
}, 60_000);

describe('知识缺口', () => {
  it('is for administrators only', async () => {
    expect((await getAs(app, asTeacher, '/admin/gaps')).status).toBe(403);
    expect((await app.request('/admin/gaps')).headers.get('location')).toMatch(/^\/login/u);
  });

  it('lists the questions not answered well, masked, with the hit test and the add-a-variant form', async () => {
    const page = await (await getAs(app, asAdmin, '/admin/gaps')).text();
    expect(page).toContain('知识缺口');
    expect(page).toContain('我叫〔姓名〕，学校食堂晚上几点关门？');
    expect(page).toContain('电话〔电话〕');
    expect(page).not.toMatch(/张伟|13912345678|student-one|student-two|student-three/u); // (ids distinct enough not to turn up in a random token)
    expect(page).toContain('学生评分 1–2');
    expect(page).toContain('/admin/knowledge/try?q=');
    // the low-rated answer's group is its cited clause, so its questions can be filed under it
    expect(page).toMatch(/action="\/admin\/knowledge\/docs\/liaoning-zhongzhi-quality\/versions\/\d+\/variants"/u);
  });

  it('周报: the weekly report page with its charts and the Markdown download, for admins; the stats page links it for them only', async () => {
    expect((await getAs(app, asTeacher, '/admin/report')).status).toBe(403);
    const page = await (await getAs(app, asAdmin, '/admin/report')).text();
    expect(page).toContain('学生提问 <strong>4</strong> 次，来自 <strong>4</strong> 位学生');
    expect(page).toMatch(/<svg xmlns="http:\/\/www.w3.org\/2000\/svg" role="img" aria-label="每天的提问/u);
    expect(page).toContain('1 个评分，平均 1.00 分');
    expect(page).not.toMatch(/张伟|13912345678/u);
    const markdown = await getAs(app, asAdmin, '/admin/report/report.md?weeks=4');
    expect(markdown.headers.get('content-type')).toContain('text/markdown');
    expect(await markdown.text()).toMatch(/^# 职引周报 /u);
    expect(await (await getAs(app, asAdmin, '/stats')).text()).toContain('href="/admin/report"');
    expect(await (await getAs(app, asTeacher, '/stats')).text()).not.toContain('href="/admin/report"');
  });

  it('adds a question as a variant of the nearest clause from the page, in Chromium', async () => {
    const context = await rig!.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${rig!.base}/login?next=/admin/gaps`);
    await page.fill('#username', 'kb.admin');
    await page.fill('#password', password);
    await Promise.all([page.waitForURL(/\/admin\/gaps$|\/$/u), page.click('button[type=submit]')]);
    if (!page.url().endsWith('/admin/gaps')) await page.goto(`${rig!.base}/admin/gaps`);
    await page.locator('section.gap').first().waitFor();
    await page.screenshot({ path: path.join(screenshots, 'knowledge-gaps.png'), fullPage: true });
    await page.goto(`${rig!.base}/admin/report`);
    await page.screenshot({ path: path.join(screenshots, 'weekly-report.png'), fullPage: true });
    await page.goto(`${rig!.base}/admin/gaps`);
    const form = page.locator('form[action*="/liaoning-zhongzhi-quality/"]').first();
    await Promise.all([page.waitForURL(/\/variants\?msg=/u), form.locator('button').click()]);
    expect(await page.content()).toContain('实习单位能扣我身份证吗？');
    await context.close();
  });
});
