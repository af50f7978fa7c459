import { afterAll, describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { Assistant } from '../../src/assistant.ts';
import { loadConfig } from '../../src/config.ts';
import { createTestDatabase } from '../../src/store/testing.ts';
import { runConsole, type ConsoleCore } from './index.ts';
import { ConversationCore } from '../../src/conversation/core.ts';
import { MemoryConversationStore } from '../../src/conversation/conversation-store.ts';

const prompt = '\n你 › ';
/** Where the sessions that write no document would save one. */
const unusedPlans = `${tmpdir()}/zhiyin-console-no-documents`;

/**
 * A console session over in-memory streams. `say` types one line once the console is asking for
 * it, the way a person at a terminal does.
 */
function openConsole(core: ConsoleCore) {
  const input = new PassThrough();
  const output = new PassThrough();
  let transcript = '';
  const waiting: { count: number; resolve: () => void }[] = [];
  const prompts = (): number => transcript.split(prompt).length - 1;
  output.on('data', (chunk: Buffer) => {
    transcript += chunk.toString('utf8');
    for (const waiter of waiting.filter((candidate) => prompts() >= candidate.count)) {
      waiting.splice(waiting.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  const promptNumber = (count: number): Promise<void> =>
    prompts() >= count ? Promise.resolve() : new Promise((resolve) => waiting.push({ count, resolve }));
  let said = 0;
  const finished = runConsole(core, input, output, { saveDir: unusedPlans });
  return {
    finished,
    transcript: () => transcript,
    async say(line: string): Promise<void> {
      said += 1;
      await promptNumber(said);
      input.write(`${line}\n`);
    },
    /** Waits for the console to ask for the next line (that is, to have answered the last one). */
    answered: (): Promise<void> => promptNumber(said + 1),
  };
}

/** A stand-in core that repeats the question, so the transcript shows what reached it. */
function echoCore(): ConsoleCore & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async say(text: string) {
      asked.push(text);
      return [{ text: `收到：${text}` }];
    },
  };
}

describe('the console channel', () => {
  it('answers every piped line, in order, and says goodbye at the end of the input', async () => {
    const core = echoCore();
    const input = new PassThrough();
    const output = new PassThrough();
    let transcript = '';
    output.on('data', (chunk: Buffer) => (transcript += chunk.toString('utf8')));
    const finished = runConsole(core, input, output, { saveDir: unusedPlans });
    input.end('一\n二\n三\n');
    await finished;
    expect(core.asked).toEqual(['一', '二', '三']);
    expect(transcript.endsWith('\n再见！\n')).toBe(true);
  });

  it('greets, answers each line in turn and says goodbye on 「再见」', async () => {
    const core = echoCore();
    const session = openConsole(core);
    await session.say('实习押金');
    await session.answered();
    await session.say('  实习单位能扣我身份证吗？  ');
    await session.answered();
    await session.say('再见');
    await session.finished;

    expect(core.asked).toEqual(['实习押金', '  实习单位能扣我身份证吗？  ']);
    const transcript = session.transcript();
    expect(transcript.startsWith('职引 zhiyin — 职业指导小助手。')).toBe(true);
    expect(transcript).toContain('\n职引 › 收到：实习押金\n');
    expect(transcript).toContain('\n职引 › 收到：  实习单位能扣我身份证吗？  \n');
    expect(transcript.indexOf('收到：实习押金')).toBeLessThan(transcript.indexOf('收到：  实习单位'));
    expect(transcript.endsWith('\n再见！\n')).toBe(true);
  });

  it.each(['退出聊天', ' 再见 ', 'exit', 'QUIT', 'bye', ':q'])('ends on %j without asking the core', async (farewell) => {
    const core = echoCore();
    const session = openConsole(core);
    await session.say(farewell);
    await session.finished;
    expect(core.asked).toEqual([]);
    expect(session.transcript().endsWith('\n再见！\n')).toBe(true);
  });

  it('indents the continuation lines of a multi-line answer under the first', async () => {
    const session = openConsole({ say: async () => [{ text: '第一行\n第二行\n第三行' }] });
    await session.say('问题');
    await session.answered();
    await session.say('再见');
    await session.finished;
    expect(session.transcript()).toContain('\n职引 › 第一行\n       第二行\n       第三行\n');
  });

  it('shows choices numbered, and a number sends the chosen value', async () => {
    const asked: string[] = [];
    const core: ConsoleCore = {
      async say(text) {
        asked.push(text);
        return [{ text: '选一个', choices: [{ label: '中职', value: 'zhongzhi' }, { label: '高职', value: 'gaozhi' }] }];
      },
    };
    const session = openConsole(core);
    await session.say('开始');
    await session.answered();
    await session.say('2');
    await session.answered();
    await session.say('再见');
    await session.finished;
    expect(session.transcript()).toContain('       1. 中职\n       2. 高职\n');
    expect(asked).toEqual(['开始', 'gaozhi']);
  });

  it('saves a document reply as a file in the directory it is given (made when missing) and says where', async () => {
    const { mkdtemp, readFile, stat } = await import('node:fs/promises');
    const scratch = await mkdtemp(`${tmpdir()}/zhiyin-console-`);
    const dir = `${scratch}/data/plans`;
    const input = new PassThrough();
    const output = new PassThrough();
    let transcript = '';
    output.on('data', (chunk: Buffer) => (transcript += chunk.toString('utf8')));
    const finished = runConsole(
      { say: async () => [{ text: '规划好了', document: { fileName: 'plan.md', content: '# 我的规划' } }] },
      input,
      output,
      { saveDir: dir },
    );
    input.end('我的规划\n');
    await finished;
    expect(await readFile(`${dir}/plan.md`, 'utf8')).toBe('# 我的规划');
    expect((await stat(`${dir}/plan.md`)).mode & 0o777).toBe(0o600);
    expect(transcript).toContain(`已保存文件：${dir}/plan.md`);
  });

  describe('over the real assistant', () => {
    let assistant: Assistant | undefined;
    afterAll(async () => assistant?.close());

    it('answers a policy question with its citation and hands a request for a person on', async () => {
      assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db: await createTestDatabase() });
      const core = new ConversationCore(assistant, new MemoryConversationStore(), { rateEveryAnswers: 0 });
      const session = openConsole({ say: async (text) => (await core.handle({ channel: 'console', userId: 'me', kind: 'text', text })).replies });
      await session.say('实习单位能扣我身份证吗？');
      await session.answered();
      const afterFirst = session.transcript().length;
      await session.say('转人工');
      await session.answered();
      await session.say('再见');
      await session.finished;

      const transcript = session.transcript();
      const first = transcript.slice(0, afterFirst);
      expect(first).toContain('\n职引 › ');
      expect(first).toContain('《关于进一步规范中等职业学校管理全面提升中等职业教育质量的意见》');
      expect(first).toContain('居民身份证');
      const second = transcript.slice(afterFirst);
      expect(second).toContain((await assistant.ask('转人工')).answer.split('\n')[0]);
      expect(transcript.endsWith('\n再见！\n')).toBe(true);
    });
  });
});
