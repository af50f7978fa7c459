/**
 * `zhiyin chat` keeps its promise: 转人工 opens a ticket in the teachers' queue, and a teacher's
 * reply reaches the running chat (the outbox's console channel), in the transcript.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { answersFor, itemReplies } from '../career/testing.ts';
import { Assistant } from '../assistant.ts';
import { loadConfig } from '../config.ts';
import { TicketDesk } from '../escalation/tickets.ts';
import { UserStore } from '../server/auth/users.ts';
import { createTestDatabase } from '../store/testing.ts';
import { runChat } from './chat-command.ts';
import type { CommandHost, CommandIo } from './command-io.ts';
import { directHost } from './direct-host.ts';

let assistant: Assistant;

beforeAll(async () => {
  assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db: await createTestDatabase() });
}, 120_000);
afterAll(async () => assistant?.close());

/** Resolves once `read()` satisfies `test` (the chat answers, and the outbox delivers, in their own time). */
async function until(read: () => string, test: (text: string) => boolean): Promise<string> {
  for (;;) {
    const text = read();
    if (test(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('zhiyin chat', () => {
  it('转人工 opens a ticket, and the teacher\'s reply appears in the running chat', async () => {
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    // this test's assistant, and the outbox the command starts for a chat run directly
    const host: CommandHost = { ...directHost(async () => config), withAssistant: (_config, run) => run(assistant) };
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let transcript = '';
    stdout.on('data', (chunk: Buffer) => (transcript += chunk.toString('utf8')));
    const io: CommandIo = { stdin, stdout, stderr: new PassThrough(), cwd: process.cwd(), readSecret: async () => '' };
    const finished = runChat(host, io);

    stdin.write('转人工\n');
    await until(() => transcript, (text) => text.includes('你已经排进老师的队列'));
    const { rows } = await assistant.db.query<{ id: number; channel: string; student_id: string; status: string }>('select id, channel, student_id, status from tickets');
    expect(rows).toEqual([{ id: expect.anything(), channel: 'console', student_id: userInfo().username || 'local', status: 'open' }]);

    const teacher = await new UserStore(assistant.db).add({ username: 'wang.li', displayName: '王老师', role: 'teacher', password: 'correct horse battery' });
    const desk = new TicketDesk(assistant.db);
    await desk.reply(Number(rows[0]!.id), teacher.id, '你好，我是王老师，我们明天在就业指导办公室见。');
    const delivered = await until(() => transcript, (text) => text.includes('我们明天在就业指导办公室见'));
    expect(delivered).toContain('\n职引 › 【老师回复】王老师：\n       你好，我是王老师');

    stdin.end('再见\n');
    await finished;
    // the ticket stays open until a teacher closes it, and the chat says where further replies can appear
    expect(transcript).toContain('\n再见！\n你的工单还开着');
    const sent = await assistant.db.query<{ channel: string; status: string }>('select channel, status from outbox');
    expect(sent.rows).toEqual([{ channel: 'console', status: 'sent' }]);
    // closed by the teacher, the student's next chat talks to the bot again
    await desk.close(Number(rows[0]!.id), teacher.id);
  });

  it('saves a written career plan under the data directory, or in --plan-dir, never in the current directory', async () => {
    const scratch = await mkdtemp(path.join(tmpdir(), 'zhiyin-chat-plan-'));
    const before = await readdir(process.cwd());
    const dialogue = ['职业规划', '高职', '大二', '计算机应用技术', '河南郑州', '帮同学修电脑', '无特别限制', '升学', ...itemReplies(answersFor({ I: [5, 5, 4, 4] })), '兴趣', '再见'];
    const chat = async (options: { planDir?: string }): Promise<string> => {
      const config = loadConfig({ LOG_LEVEL: 'silent', ZHIYIN_DATA_DIR: path.join(scratch, 'data') });
      const host: CommandHost = { ...directHost(async () => config), withAssistant: (_config, run) => run(assistant) };
      const stdin = new PassThrough();
      const stdout = new PassThrough();
      let transcript = '';
      stdout.on('data', (chunk: Buffer) => (transcript += chunk.toString('utf8')));
      const io: CommandIo = { stdin, stdout, stderr: new PassThrough(), cwd: scratch, readSecret: async () => '' };
      const finished = runChat(host, io, options);
      // one line at a time, each once the chat asks for it, as a person types
      const prompts = (): number => transcript.split('\n你 › ').length - 1;
      for (const [index, line] of dialogue.entries()) {
        await until(() => String(prompts()), () => prompts() > index);
        stdin.write(`${line}\n`);
      }
      stdin.end();
      await finished;
      return transcript;
    };
    try {
      const inData = await chat({});
      const [file] = await readdir(path.join(scratch, 'data', 'plans'));
      expect(file).toMatch(/\.md$/u);
      expect(inData).toContain(`已保存文件：${path.join(scratch, 'data', 'plans', file!)}`);
      const markdown = await readFile(path.join(scratch, 'data', 'plans', file!), 'utf8');
      expect(markdown).toContain('为专升本打好基础');
      expect(markdown).not.toContain('汽车运用与维修');
      await chat({ planDir: 'my-plans' });
      expect(await readdir(path.join(scratch, 'my-plans'))).toEqual([file]);
      expect(await readdir(process.cwd())).toEqual(before);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});

