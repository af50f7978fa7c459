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
import type { Hono } from 'hono';
import { repoRoot } from '../src/paths.ts';
import { getAs, postAs, signIn } from '../src/server/dashboard/testing.ts';
import { FakeBotApi } from './telegram/fake-bot-api.ts';

const bin = path.join(repoRoot, 'src', 'cli', 'zhiyin.js');
const password = 'a long passphrase for tests';

describe('zhiyin serve with Telegram configured', () => {
  let dataDir: string;
  let fake: FakeBotApi;
  let server: ChildProcessWithoutNullStreams | undefined;
  let exited: Promise<number | null>;
  let base = '';
  let stderr = '';

  const environment = (): Record<string, string> => ({
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    ZHIYIN_DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    PORT: '0',
    HOST: '127.0.0.1',
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.url,
  });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'zhiyin-channels-'));
    fake = await FakeBotApi.start();
    const added = spawn(process.execPath, [bin, 'users', 'add', 'wang.li', '--role', 'teacher', '--name', '王老师'], {
      cwd: repoRoot,
      env: { ...environment(), ZHIYIN_USER_PASSWORD: password },
    });
    expect(await new Promise((resolve) => added.on('exit', resolve))).toBe(0);

    server = spawn(process.execPath, [bin, 'serve'], { cwd: repoRoot, env: environment() });
    exited = new Promise((resolve) => server!.on('exit', (code) => resolve(code)));
    server.stdout.resume();
    const port = await new Promise<number>((resolve, reject) => {
      void exited.then((code) => reject(new Error(`zhiyin serve exited (${code}) before serving:\n${stderr}`)));
      createInterface({ input: server!.stderr }).on('line', (line) => {
        stderr += `${line}\n`;
        const log = JSON.parse(line) as { msg: string; port?: number };
        if (log.msg === 'zhiyin is serving' && log.port) resolve(log.port);
      });
    });
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await exited;
    }
    await fake?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** The real server, in the shape the dashboard's test helpers use. */
  const http = { request: (target: string, init: RequestInit = {}) => fetch(`${base}${target}`, { ...init, redirect: 'manual' }) } as unknown as Hono;

  it('started the Telegram channel and logs it without message text', () => {
    expect(stderr).toContain('"channel":"telegram"');
    expect(stderr).toContain('"mode":"polling"');
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
    expect(stderr).not.toContain('我是王老师');
    expect(stderr).not.toContain('身份证');
  });
});
