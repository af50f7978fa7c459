/**
 * `zhiyin serve` as a real process with Telegram configured (pointed at a local fake Bot API):
 * a student asks and is answered with a citation, asks for a person, a teacher signs in to the
 * dashboard over HTTP and replies, and the reply reaches the student's Telegram chat once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createHash } from 'node:crypto';
import type { Hono } from 'hono';
import { repoRoot } from '../src/paths.ts';
import { getAs, postAs, signIn } from '../src/server/dashboard/testing.ts';
import { FakeBotApi } from './telegram/fake-bot-api.ts';

const bin = path.join(repoRoot, 'src', 'cli', 'zhiyin.js');
const password = 'a long passphrase for tests';
const oaToken = 'zhiyinTestToken';
const sign = (...parts: string[]): string => createHash('sha1').update([...parts].sort().join('')).digest('hex');

/** The environment of a `zhiyin` child process: no endpoints but those the test gives. */
function environmentWith(dataDir: string, extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ZHIYIN_DATA_DIR: dataDir, LOG_LEVEL: 'info', PORT: '0', HOST: '127.0.0.1', ...extra };
}

/** A running `zhiyin serve`: its base URL, its log so far, and how to stop it. */
interface Served {
  base: string;
  log: () => string;
  stop: () => Promise<void>;
}

/** Starts `zhiyin serve` and resolves once it logs the port it serves on. */
async function startServe(env: Record<string, string>): Promise<Served> {
  const server: ChildProcessWithoutNullStreams = spawn(process.execPath, [bin, 'serve'], { cwd: repoRoot, env });
  const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
  server.stdout.resume();
  let stderr = '';
  const port = await new Promise<number>((resolve, reject) => {
    void exited.then((code) => reject(new Error(`zhiyin serve exited (${code}) before serving:\n${stderr}`)));
    createInterface({ input: server.stderr }).on('line', (line) => {
      stderr += `${line}\n`;
      const log = JSON.parse(line) as { msg: string; port?: number };
      if (log.msg === 'zhiyin is serving' && log.port) resolve(log.port);
    });
  });
  return {
    base: `http://127.0.0.1:${port}`,
    log: () => stderr,
    stop: async () => {
      if (server.exitCode === null) server.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs a `zhiyin` command to its end; resolves with its exit code. */
function zhiyin(args: string[], env: Record<string, string>): Promise<number | null> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: repoRoot, env, stdio: 'ignore' });
  return new Promise((resolve) => child.on('exit', resolve));
}

describe('zhiyin serve with Telegram and the WeChat Official Account configured', () => {
  let dataDir: string;
  let fake: FakeBotApi;
  let served: Served;
  let base = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'zhiyin-channels-'));
    fake = await FakeBotApi.start();
    const env = environmentWith(dataDir, {
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.url,
      WECHAT_OA_TOKEN: oaToken,
      WECHAT_OA_APPID: 'wx0123456789abcdef',
    });
    expect(await zhiyin(['users', 'add', 'wang.li', '--role', 'teacher', '--name', '王老师'], { ...env, ZHIYIN_USER_PASSWORD: password })).toBe(0);
    expect(await zhiyin(['users', 'add', 'admin', '--role', 'admin'], { ...env, ZHIYIN_USER_PASSWORD: password })).toBe(0);
    served = await startServe(env);
    base = served.base;
  });

  afterAll(async () => {
    await served?.stop();
    await fake?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** The real server, in the shape the dashboard's test helpers use. */
  const http = { request: (target: string, init: RequestInit = {}) => fetch(`${base}${target}`, { ...init, redirect: 'manual' }) } as unknown as Hono;

  it('started the Telegram channel and logs it without message text', () => {
    expect(served.log()).toContain('"channel":"telegram"');
    expect(served.log()).toContain('"mode":"polling"');
    expect(served.log()).toContain('"channel":"wechat-oa"');
  });

  it('answers the Official Account webhook: the URL check, then a text message with a cited passive reply', async () => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = '42';
    const check = await fetch(`${base}/wechat?signature=${sign(oaToken, timestamp, nonce)}&timestamp=${timestamp}&nonce=${nonce}&echostr=hello`);
    expect(await check.text()).toBe('hello');
    const forged = await fetch(`${base}/wechat?signature=${'0'.repeat(40)}&timestamp=${timestamp}&nonce=${nonce}&echostr=hello`);
    expect(forged.status).toBeGreaterThanOrEqual(400);

    const xml = `<xml><ToUserName><![CDATA[gh_zhiyin]]></ToUserName><FromUserName><![CDATA[oStudent1]]></FromUserName><CreateTime>${timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[实习单位能扣我身份证吗？]]></Content><MsgId>24601</MsgId></xml>`;
    const send = () =>
      fetch(`${base}/wechat?signature=${sign(oaToken, timestamp, nonce)}&timestamp=${timestamp}&nonce=${nonce}`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: xml,
      });
    const body = await (await send()).text();
    expect(body).toContain('<ToUserName><![CDATA[oStudent1]]></ToUserName>');
    expect(body).toContain('二、11.');
    // the same request again (WeChat's retry: our reply did not reach it): the recorded answer
    // again, not handled twice; its nonce with another body (a forged plain-mode request) is
    // refused — the nonce is remembered in the database
    expect(await (await send()).text()).toContain('二、11.');
    const forgedBody = await fetch(`${base}/wechat?signature=${sign(oaToken, timestamp, nonce)}&timestamp=${timestamp}&nonce=${nonce}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: xml.replace('oStudent1', 'oStudent2'),
    });
    expect(forgedBody.status).toBe(409);
  });

  it('answers a Telegram student with a cited clause, queues 转人工, and relays the teacher’s reply once', async () => {
    const student = 4242;
    fake.pushText(student, '实习单位能扣我身份证吗？');
    const [answer] = await fake.waitForMessages(student, 1, 60_000);
    expect(answer!.text).toContain('《关于进一步规范中等职业学校管理全面提升中等职业教育质量的意见》二、11.');

    const before = fake.sent(student).length;
    fake.pushText(student, '转人工');
    await fake.waitFor(() => fake.sent(student).some((message) => message.text?.includes('队列')), 60_000);

    const teacher = await signIn(http, 'wang.li', password);
    const queue = await (await getAs(http, teacher, '/')).text();
    const ticketId = /\/tickets\/(\d+)/u.exec(queue)?.[1];
    expect(ticketId).toBeDefined();
    const replied = await postAs(http, teacher, `/tickets/${ticketId}/reply`, { text: '你好，我是王老师，明天上午给你打电话。' });
    expect(replied.status).toBe(303);

    await fake.waitFor(() => fake.sent(student).some((message) => message.text?.includes('我是王老师')), 60_000);
    // the ticket page shows the delivery as done; by then no second copy can be on its way
    await expect.poll(async () => (await (await getAs(http, teacher, `/tickets/${ticketId}`)).text()).includes('已送达'), { timeout: 30_000 }).toBe(true);
    const relayed = fake.sent(student).slice(before).filter((message) => message.text?.includes('我是王老师'));
    expect(relayed).toHaveLength(1);
    expect(served.log()).not.toContain('我是王老师');
    expect(served.log()).not.toContain('身份证');
  });

  it('shows admins (only) the running channels and how teachers’ replies were delivered', async () => {
    const teacher = await signIn(http, 'wang.li', password);
    expect((await getAs(http, teacher, '/channels')).status).toBe(403);
    const admin = await signIn(http, 'admin', password);
    const page = await (await getAs(http, admin, '/channels')).text();
    expect(page).toContain('运行中（长轮询，@zhiyin_test_bot）');
    expect(page).toContain('wechat-oa');
    // no WECHAT_OA_AES_KEY: plain mode, which the page warns about
    expect(page).toContain('微信公众号：明文模式');
    expect(served.log()).toMatch(/"level":40[^\n]*plain mode/u);
    expect(page).toMatch(/<td>Telegram<\/td><td>已送达<\/td><td>1<\/td>/u);
  });
});

describe('zhiyin serve with the Telegram webhook configured', () => {
  let dataDir: string;
  let fake: FakeBotApi;
  let served: Served;
  let base = '';
  const secret = 'webhook-secret_42';

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'zhiyin-webhook-'));
    fake = await FakeBotApi.start();
    served = await startServe(
      environmentWith(dataDir, {
        TELEGRAM_BOT_TOKEN: fake.token,
        TELEGRAM_API_ROOT: fake.url,
        TELEGRAM_WEBHOOK_URL: 'https://zhiyin.example.edu/telegram/webhook',
        TELEGRAM_WEBHOOK_SECRET: secret,
      }),
    );
    base = served.base;
  });

  afterAll(async () => {
    await served?.stop();
    await fake?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const update = (updateId: number, chatId: number, text: string) => ({
    update_id: updateId,
    message: { message_id: updateId, date: 1764200000, chat: { id: chatId, type: 'private', first_name: 'S' }, from: { id: chatId, is_bot: false, first_name: 'S' }, text },
  });
  const post = (body: unknown, token: string | null) =>
    fetch(`${base}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token === null ? {} : { 'x-telegram-bot-api-secret-token': token }) },
      body: JSON.stringify(body),
    });

  it('registers the webhook with its secret, answers a signed update once, and refuses an unsigned one', async () => {
    expect(fake.webhook).toEqual({ url: 'https://zhiyin.example.edu/telegram/webhook', secretToken: secret });
    expect((await post(update(1, 77, '中职学校要配几名职业指导老师？'), null)).status).toBe(401);
    expect((await post(update(1, 77, '中职学校要配几名职业指导老师？'), 'wrong')).status).toBe(401);
    expect((await post(update(2, 77, '中职学校要配几名职业指导老师？'), secret)).status).toBe(200);
    expect((await post(update(2, 77, '中职学校要配几名职业指导老师？'), secret)).status).toBe(200); // Telegram retries
    const [answer] = await fake.waitForMessages(77, 1, 60_000);
    expect(answer!.text).toContain('第十五条');
    // both posts have returned, so both were handled: the answer (and its rating request) went out once
    expect(fake.sent(77).filter((message) => message.text?.includes('第十五条'))).toHaveLength(1);
  });
});
