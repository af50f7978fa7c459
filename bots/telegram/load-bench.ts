/**
 * Load bench of the Telegram channel (not a test): simulated students send messages through the
 * fake Bot API to the bot (long polling, the runner), the real conversation core and knowledge
 * base on the embedded store. Each student sends one message, waits for the answer, sends the
 * next; all students at once. Prints end-to-end latency (update pushed → last reply recorded by
 * the fake) and throughput.
 *
 * Everything runs in one process (bot, fake, core, PGlite) on one event loop, so the figures are
 * a floor for the adapter and core, not a measure of Telegram (which allows a bot about 30
 * messages a second in all).
 *
 *   node --import tsx bots/telegram/load-bench.ts [--students 200] [--messages 20] [--connections 32] [--log warn]
 */
import { parseArgs } from 'node:util';
import { Assistant } from '../../src/assistant.ts';
import { loadConfig } from '../../src/config.ts';
import { ConversationCore } from '../../src/conversation/core.ts';
import { SqlConversationStore } from '../../src/conversation/conversation-store.ts';
import { Inbox } from '../../src/conversation/inbox.ts';
import { createLogger } from '../../src/log.ts';
import { createTestDatabase } from '../../src/store/testing.ts';
import { FakeBotApi } from './fake-bot-api.ts';
import { startTelegram, type TelegramTurn } from './index.ts';

const { values } = parseArgs({
  options: {
    students: { type: 'string', default: '200' },
    messages: { type: 'string', default: '20' },
    connections: { type: 'string', default: '32' },
    log: { type: 'string', default: 'silent' },
  },
});
const students = Number(values.students);
const perStudent = Number(values.messages);

/** What a student says, in turn (follow-ups after the questions they follow). */
const script: (string | 'sticker')[] = [
  '实习单位能扣我身份证吗？',
  '这个是哪个文件规定的？',
  '中职学校要配几名职业指导老师？',
  '那高职呢？',
  '帮助',
  '实习可以收押金吗',
  '投诉多久会有处理结果？',
  'sticker',
  '中职学校职业指导工作应坚持哪些原则？',
  '详细说说第二点',
  '学校能安排我去KTV实习吗',
  '顶岗实习每天最多工作几个小时？',
  '我不知道以后做什么',
  '先不用',
  '实习报酬有什么规定',
  '转人工',
  '毕业生就业协议怎么签',
  'Can the school charge an internship deposit?',
  '实习要买保险吗',
  '重新开始',
];

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

const db = await createTestDatabase();
const assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db });
await assistant.answerer(); // build the search index before the clock starts
const core = new ConversationCore(assistant, new SqlConversationStore(assistant.db), { rateEveryAnswers: 0 });
const fake = await FakeBotApi.start();
const waiting = new Map<number, (turn: TelegramTurn) => void>();
const telegram = await startTelegram({
  token: fake.token,
  core,
  inbox: new Inbox(db),
  apiRoot: fake.url,
  maxConnections: Number(values.connections),
  log: createLogger(values.log),
  onTurn: (turn) => waiting.get(turn.updateId)?.(turn),
});

const latencies: number[] = [];
const coreMs: number[] = [];
let failures = 0;

async function student(index: number): Promise<void> {
  const chatId = 10_000 + index;
  for (let n = 0; n < perStudent; n += 1) {
    const line = script[(n + index) % script.length]!;
    const before = fake.sent(chatId).length;
    const update = line === 'sticker' ? fake.pushSticker(chatId) : fake.pushText(chatId, line);
    const pushedAt = fake.pushedAt(update.update_id)!;
    const turn = await new Promise<TelegramTurn | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), 120_000);
      waiting.set(update.update_id, (done) => {
        clearTimeout(timer);
        resolve(done);
      });
    });
    waiting.delete(update.update_id);
    const replies = fake.sent(chatId).slice(before);
    if (!turn || replies.length === 0) {
      failures += 1;
      continue;
    }
    latencies.push(Math.max(...replies.map((reply) => reply.at)) - pushedAt);
    coreMs.push(turn.ms);
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: students }, (_, index) => student(index)));
const seconds = (performance.now() - started) / 1000;
await telegram.stop();
await fake.close();
await assistant.close();

latencies.sort((a, b) => a - b);
coreMs.sort((a, b) => a - b);
const messages = latencies.length;
const round = (value: number) => Math.round(value * 10) / 10;
console.log(
  JSON.stringify(
    {
      students,
      messagesPerStudent: perStudent,
      apiConnections: Number(values.connections),
      handled: messages,
      failures,
      seconds: round(seconds),
      messagesPerSecond: round(messages / seconds),
      latencyMs: { p50: round(percentile(latencies, 50)), p95: round(percentile(latencies, 95)), p99: round(percentile(latencies, 99)), max: round(latencies.at(-1) ?? NaN) },
      // handler start → last send acknowledged, inside the bot
      botTurnMs: { p50: round(percentile(coreMs, 50)), p95: round(percentile(coreMs, 95)) },
    },
    null,
    2,
  ),
);
