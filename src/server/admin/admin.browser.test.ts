/**
 * The knowledge-base admin in a real browser (Debian's Chromium through playwright-core) against
 * the real server on 127.0.0.1: an administrator signs in, uploads a Word file, reviews the clause
 * preview, runs the pre-publish eval and publishes; the document then answers. Screenshots go to
 * eval/artifacts/screenshots/kb-admin-*.png.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assistant } from '../../assistant.ts';
import { loadConfig } from '../../config.ts';
import { sampleDocx } from '../../knowledge/testing-fixtures.ts';
import { repoRoot } from '../../paths.ts';
import { createTestDatabase } from '../../store/testing.ts';
import { createApp } from '../app.ts';
import { startBrowserRig, type BrowserRig } from '../browser-testing.ts';
import { UserStore } from '../auth/users.ts';

const screenshots = path.join(repoRoot, 'eval', 'artifacts', 'screenshots');
const password = 'browser-admin-password';

let assistant: Assistant;
let rig: BrowserRig | undefined;
let base: string;
let browser: Browser | undefined;

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  const db = await createTestDatabase();
  assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db });
  await new UserStore(db).add({ username: 'kb.admin', displayName: '知识库管理员', role: 'admin', password });
  const app = createApp(assistant, { livePollMs: 0 });
  rig = await startBrowserRig(app);
  base = rig.base;
  browser = rig.browser;
}, 120_000);

afterAll(async () => {
  await rig?.close();
  await assistant?.close();
}, 60_000);

describe('the knowledge-base admin in a browser', () => {
  it('upload → preview → eval → publish, and the new document answers', async () => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });

    await page.goto(`${base}/admin/knowledge`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('#username', 'kb.admin');
    await page.fill('#password', password);
    await Promise.all([page.waitForURL(`${base}/admin/knowledge`), page.click('button[type=submit]')]);
    await page.locator('#live-documents').waitFor();
    await page.screenshot({ path: path.join(screenshots, 'kb-admin-overview.png'), fullPage: true });

    await page.setInputFiles('input[type=file]', { name: '关于规范学生实习管理的通知.docx', mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', buffer: Buffer.from(await sampleDocx()) });
    await Promise.all([page.waitForURL(/\/versions\/1\?msg=uploaded$/u), page.getByRole('button', { name: '上传并预览' }).click()]);
    expect(await page.locator('#meta-title').inputValue()).toBe('关于规范学生实习管理的通知');
    expect(await page.locator('#preview li').count()).toBe(5);
    expect(await page.locator('#preview li').nth(2).getAttribute('data-locator')).toBe('第三条');
    await page.screenshot({ path: path.join(screenshots, 'kb-admin-preview.png'), fullPage: true });

    // the server answers once the candidate is evaluated: give the click that long on a busy machine
    await page.locator('#check-publish').click({ timeout: 150_000 });
    await page.locator('#eval').waitFor({ timeout: 60_000 });
    expect(await page.locator('#eval').textContent()).toContain('政策问答');
    await page.screenshot({ path: path.join(screenshots, 'kb-admin-eval.png'), fullPage: true });

    await Promise.all([page.waitForURL(/\?msg=published$/u, { timeout: 150_000 }), page.locator('#confirm-publish').click({ timeout: 150_000 })]);
    expect(await page.locator('#published-version').textContent()).toBe('v1');
    await page.screenshot({ path: path.join(screenshots, 'kb-admin-published.png'), fullPage: true });

    const docId = new URL(page.url()).pathname.split('/')[4]!;
    const answer = await assistant.ask('山东的实习单位可以扣押学生的居民身份证吗？');
    expect(answer.citations.map((citation) => citation.doc)).toContain(docId);
    expect(errors).toEqual([]);
    await context.close();
  }, 400_000);
});
