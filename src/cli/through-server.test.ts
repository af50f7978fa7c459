/**
 * Every tool talks to the running server: while `zhiyin serve` holds a data directory, `users
 * add`, `kb ingest`, `ask --jsonl`, `kb list` and `chat` run inside it over its admin socket, and
 * print what the same commands print when run directly on a data directory of their own. After
 * a `kill -9` the socket left behind blocks neither the CLI nor the next start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../store/database.ts';
import { adminSocketPath } from '../server/admin-protocol.ts';
import { runZhiyin, startServe, zhiyinEnvironment, type ServeProcess, type ZhiyinRun } from '../testing/zhiyin-process.ts';

let scratch: string;
let served: string;
let direct: string;
let server: ServeProcess | undefined;

const documentMd = `---
id: test-internship-hours
title: 关于实习时间管理的通知
issuer: 某省教育厅
region: 某省
date: 2024-03-01
status: in-force
audience: 中等职业学校
---
# 关于实习时间管理的通知

第一条 学生每日实习时间不超过8小时。

第二条 实习单位不得安排学生在法定节假日实习。
`;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'zhiyin-through-server-'));
  served = path.join(scratch, 'served');
  direct = path.join(scratch, 'direct');
  await writeFile(path.join(scratch, 'hours.md'), documentMd, 'utf8');
  server = await startServe(zhiyinEnvironment(served));
}, 180_000);
afterAll(async () => {
  await server?.stop('SIGKILL');
  await rm(scratch, { recursive: true, force: true });
});

/** `zhiyin …args` on `dataDir`, typed in the scratch directory (where the document is, as a relative path). */
function zhiyinIn(dataDir: string, args: string[], stdin = ''): Promise<ZhiyinRun> {
  return runZhiyin(args, zhiyinEnvironment(dataDir), stdin, scratch);
}

/** What a run printed, with the one figure that differs between runs (the latency) set aside. */
const printed = ({ code, stdout }: ZhiyinRun): { code: number | null; stdout: string } => ({ code, stdout: stdout.replace(/"latency_ms":[\d.]+/gu, '"latency_ms":0') });

const questions = [
  JSON.stringify({ id: 'q1', question: '实习单位能扣我身份证吗？' }),
  JSON.stringify({ id: 'q2', question: '转人工' }),
  JSON.stringify({ id: 'q3', question: '今年高考分数线多少' }),
].join('\n');

const steps: { name: string; args: string[]; stdin?: string }[] = [
  { name: 'kb list (first)', args: ['kb', 'list'] },
  { name: 'users add', args: ['users', 'add', 'wang.li', '--role', 'teacher', '--name', '王老师'], stdin: 'correct horse battery\n' },
  { name: 'users add (a short password)', args: ['users', 'add', 'zhao.min', '--role', 'admin'], stdin: 'short\n' },
  { name: 'kb ingest', args: ['kb', 'ingest', 'hours.md'] },
  { name: 'ask --jsonl', args: ['ask', '--jsonl'], stdin: `${questions}\n` },
  { name: 'kb list --all', args: ['kb', 'list', '--all'] },
  { name: 'users list', args: ['users', 'list'] },
];

describe('commands while zhiyin serve runs', () => {
  it('run inside the server and print what they print when run directly', async () => {
    for (const step of steps) {
      const throughServer = await zhiyinIn(served, step.args, step.stdin);
      const here = await zhiyinIn(direct, step.args, step.stdin);
      expect(printed(throughServer), step.name).toEqual(printed(here));
      expect(throughServer.stderr, step.name).not.toContain('in use by another zhiyin process');
      // the password never travels into a log
      expect(throughServer.stderr + server!.log()).not.toContain('correct horse');
    }
    expect((await zhiyinIn(served, ['users', 'add', 'wang.li', '--role', 'teacher'], 'short\n')).code).toBe(1);
    // they ran in the server: it logged each, by command name only
    const commands = server!
      .log()
      .split('\n')
      .filter((line) => line.includes('"msg":"admin command"'))
      .map((line) => (JSON.parse(line) as { command: string; code: number }).command);
    expect(commands).toEqual(expect.arrayContaining(['kb list', 'users add', 'kb ingest', 'ask', 'users list']));
    expect(server!.log()).not.toContain('身份证');
  }, 600_000);

  it('listens on a socket only its user can reach', () => {
    const socket = adminSocketPath(served);
    expect(statSync(socket).isSocket()).toBe(true);
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(socket)).mode & 0o777).toBe(0o700);
  });

  it('chat: 转人工 through the server opens a ticket in the teachers\' queue', async () => {
    const chat = await zhiyinIn(served, ['chat'], '转人工\n再见\n');
    expect(chat.code).toBe(0);
    expect(chat.stdout).toContain('你已经排进老师的队列');
    // the chat ends with the ticket still open, and says where a reply can appear
    expect(chat.stdout).toContain('\n再见！\n你的工单还开着');
  }, 120_000);

  it('eval through the server scores as it does directly, with an assistant of its own', async () => {
    const dataset = [
      { id: 't1', question: '实习单位能扣我身份证吗？', outcome: 'answer', passages: ['居民身份证'], facts: [['身份证']] },
      { id: 't2', question: '转人工', outcome: 'escalate' },
    ];
    await writeFile(path.join(scratch, 'small.jsonl'), dataset.map((item) => JSON.stringify(item)).join('\n'), 'utf8');
    type Scored = { small: { items: { id: string; actual: string; fullyCorrect: boolean; answer: string }[] } };
    const scored = async (dataDir: string): Promise<unknown> => {
      const run = await zhiyinIn(dataDir, ['eval', '--dataset', 'small.jsonl', '--json']);
      expect(run.code, run.stderr).toBe(0);
      return (JSON.parse(run.stdout) as Scored).small.items.map(({ id, actual, fullyCorrect, answer }) => ({ id, actual, fullyCorrect, answer }));
    };
    const throughServer = await scored(served);
    expect(throughServer).toEqual(await scored(direct));
    expect(throughServer).toMatchObject([
      { id: 't1', actual: 'answer', fullyCorrect: true },
      { id: 't2', actual: 'escalate' },
    ]);
    expect(server!.log()).toContain('"command":"eval"');
  }, 300_000);

  it('after kill -9 the socket left behind blocks neither the CLI nor the next start', async () => {
    await server!.stop('SIGKILL');
    expect(existsSync(adminSocketPath(served))).toBe(true);
    const listed = await zhiyinIn(served, ['users', 'list']);
    expect(listed).toMatchObject({ code: 0, stdout: 'wang.li\tteacher\t王老师\n' });

    const db = await openDatabase({ dataDir: served });
    try {
      const { rows } = await db.query<{ channel: string; status: string }>('select channel, status from tickets');
      expect(rows).toEqual([expect.objectContaining({ channel: 'console', status: 'open' })]);
    } finally {
      await db.close();
    }

    server = await startServe(zhiyinEnvironment(served));
    expect((await zhiyinIn(served, ['users', 'list'])).stdout).toBe('wang.li\tteacher\t王老师\n');
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(existsSync(adminSocketPath(served))).toBe(false);
  }, 300_000);
});
