/**
 * Accounts on the web in a real browser (Debian's Chromium through playwright-core) against the
 * real server on 127.0.0.1: an administrator adds a teacher, resets a password (a confirm page,
 * then the temporary password shown once), the teacher signs in with it and must set their own
 * first; the administrator disables the account and the teacher's open page loses its session.
 * Screenshots go to eval/artifacts/screenshots/accounts-*.png.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assistant } from '../../assistant.ts';
import { loadConfig } from '../../config.ts';
import { repoRoot } from '../../paths.ts';
import { createTestDatabase } from '../../store/testing.ts';
import { createApp } from '../app.ts';
import { UserStore } from '../auth/users.ts';
import { startBrowserRig, type BrowserRig } from '../browser-testing.ts';

const screenshots = path.join(repoRoot, 'eval', 'artifacts', 'screenshots');
const password = 'browser-accounts-password';

let assistant: Assistant;
let rig: BrowserRig | undefined;
let base: string;
let browser: Browser | undefined;

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  const db = await createTestDatabase();
  assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db, skipInitialIngest: true });
  await new UserStore(db).add({ username: 'head.admin', displayName: '教务处管理员', role: 'admin', password });
  rig = await startBrowserRig(createApp(assistant, { livePollMs: 0 }));
  base = rig.base;
  browser = rig.browser;
}, 120_000);

afterAll(async () => {
  await rig?.close();
  await assistant?.close();
}, 60_000);

async function signIn(page: Page, username: string, secret: string, landing: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.fill('#username', username);
  await page.fill('#password', secret);
  await Promise.all([page.waitForURL(`${base}${landing}`), page.click('button[type=submit]')]);
}

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return errors;
}

describe('accounts in a browser', () => {
  it('add a teacher → reset the password → the teacher must set their own → disable ends their session', async () => {
    const adminContext: BrowserContext = await browser!.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const admin = await adminContext.newPage();
    const adminErrors = watchErrors(admin);
    await signIn(admin, 'head.admin', password, '/');
    await Promise.all([admin.waitForURL(`${base}/users`), admin.getByRole('link', { name: '账号', exact: true }).click()]);
    expect(await admin.textContent('main')).not.toContain('zhiyin users add');

    await admin.fill('#new-username', 'teacher.lin');
    await admin.fill('#new-displayName', '林老师');
    await admin.selectOption('#new-role', 'teacher');
    await admin.fill('#new-password', '林老师的初始密码2026');
    await Promise.all([admin.waitForURL(`${base}/users?msg=added`), admin.getByRole('button', { name: '添加' }).click()]);
    const row = admin.locator('tr[data-username="teacher.lin"]');
    expect(await row.locator('.account-state').textContent()).toContain('正常');
    await admin.screenshot({ path: path.join(screenshots, 'accounts-list.png'), fullPage: true });

    // the teacher is signed in elsewhere
    const teacherContext = await browser!.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, locale: 'zh-CN' });
    const teacher = await teacherContext.newPage();
    const teacherErrors = watchErrors(teacher);
    await signIn(teacher, 'teacher.lin', '林老师的初始密码2026', '/');

    // reset: a confirm page first, then the temporary password, shown once
    await row.getByRole('button', { name: '重置密码…' }).click();
    await admin.locator('#confirm').waitFor();
    expect(await admin.textContent('h1')).toBe('确认重置密码');
    await admin.screenshot({ path: path.join(screenshots, 'accounts-reset-confirm.png'), fullPage: true });
    await admin.locator('#confirm').click();
    const temporary = (await admin.locator('#temporary-password').textContent())!;
    expect(temporary).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/u);
    await admin.screenshot({ path: path.join(screenshots, 'accounts-temporary-password.png'), fullPage: true });

    // the reset ended the teacher's session; the temporary password leads to the password page only
    await teacher.goto(`${base}/`);
    expect(new URL(teacher.url()).pathname).toBe('/login');
    await signIn(teacher, 'teacher.lin', temporary, '/account/password');
    expect(await teacher.textContent('main')).toContain('管理员为你重置了密码');
    await teacher.goto(`${base}/stats`);
    expect(new URL(teacher.url()).pathname).toBe('/account/password');
    await teacher.screenshot({ path: path.join(screenshots, 'accounts-must-change-phone.png'), fullPage: true });
    await teacher.fill('#current-password', temporary);
    await teacher.fill('#new-password', '林老师自己定的新密码');
    await teacher.fill('#repeat-password', '林老师自己定的新密码');
    await Promise.all([teacher.waitForURL(`${base}/account/password?msg=changed`), teacher.getByRole('button', { name: '保存新密码' }).click()]);
    await teacher.goto(`${base}/`);
    expect(new URL(teacher.url()).pathname).toBe('/');

    // disable: a confirm page, then the teacher's next request finds no session, and the login says why
    await admin.goto(`${base}/users`);
    await row.getByRole('button', { name: '停用…' }).click();
    await admin.locator('#confirm').waitFor();
    expect(await admin.textContent('main')).toContain('不能再登录');
    await Promise.all([admin.waitForURL(`${base}/users?msg=disabled`), admin.locator('#confirm').click()]);
    expect(await row.locator('.account-state').textContent()).toContain('已停用');
    expect(await admin.locator('#account-changes').textContent()).toContain('停用');
    await admin.screenshot({ path: path.join(screenshots, 'accounts-disabled.png'), fullPage: true });

    await teacher.goto(`${base}/`);
    expect(new URL(teacher.url()).pathname).toBe('/login');
    await teacher.fill('#username', 'teacher.lin');
    await teacher.fill('#password', '林老师自己定的新密码');
    await teacher.click('button[type=submit]');
    await teacher.locator('.flash.error').waitFor();
    expect(await teacher.textContent('.flash.error')).toContain('这个账号已停用');
    await teacher.screenshot({ path: path.join(screenshots, 'accounts-disabled-login-phone.png'), fullPage: true });

    // the administrator cannot disable themself: their own row offers only the password page
    const own = admin.locator('tr[data-username="head.admin"]');
    expect(await own.getByRole('button').count()).toBe(0);
    expect(await own.getByRole('link', { name: '修改我的密码' }).count()).toBe(1);

    expect(adminErrors).toEqual([]);
    // the refused login answers 403, which Chromium logs as a failed resource load
    expect(teacherErrors.filter((error) => !/status of 403/u.test(error))).toEqual([]);
    await teacherContext.close();
    await adminContext.close();
  }, 180_000);
});
