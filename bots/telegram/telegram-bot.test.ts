import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { Hono } from 'hono';
import pino from 'pino';
import type { InlineKeyboardMarkup } from 'grammy/types';
import type { InboundMessage, OutboundReply } from '../../src/conversation/types.ts';
import { redactedPaths } from '../../src/log.ts';
import { Outbox } from '../../src/escalation/outbox.ts';
import { Inbox } from '../../src/conversation/inbox.ts';
import type { Database } from '../../src/store/database.ts';
import { createTestDatabase } from '../../src/store/testing.ts';
import { FakeBotApi } from './fake-bot-api.ts';
import {
  createTelegramBot,
  inboxKeyOf,
  startTelegram,
  telegramChannel,
  telegramInboxHandler,
  telegramSender,
  telegramWebhook,
  type TelegramCore,
  type TelegramHandle,
} from './index.ts';
import { telegramTexts } from './telegram-bot.ts';

/** A stand-in for the conversation core: scripted replies, de-duplication by messageId like the real one. */
class ScriptedCore implements TelegramCore {
  readonly calls: InboundMessage[] = [];
  readonly #seen = new Set<string>();
  script: (message: InboundMessage) => OutboundReply[] | Promise<OutboundReply[]> = (message) => [
    { text: message.kind === 'text' ? `收到：${message.text ?? ''}` : `请发文字（${message.kind}${message.text ? `：${message.text}` : ''}）` },
  ];

  async handle(message: InboundMessage): Promise<{ replies: OutboundReply[]; handledAs: string }> {
    this.calls.push(message);
    if (message.messageId) {
      if (this.#seen.has(message.messageId)) return { replies: [], handledAs: 'duplicate' };
      this.#seen.add(message.messageId);
    }
    return { replies: await this.script(message), handledAs: 'policy' };
  }
}

/** Log lines, to check that no message text reaches them. */
function capturedLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { log: pino({ level: 'debug', redact: { paths: redactedPaths, censor: '[redacted]' } }, stream), lines };
}

/** One database for the file (the inbox lives in it), emptied of inbox rows before each test. */
let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.close());
beforeEach(async () => {
  await db.query('delete from inbound_messages');
});

const texts = (fake: FakeBotApi, chatId: number) => fake.sent(chatId).map((message) => message.text ?? `[file ${message.document?.fileName}]`);
const buttons = (markup: InlineKeyboardMarkup | undefined) => markup?.inline_keyboard.map((row) => row.map((button) => button.text));

describe('the Telegram bot against the fake Bot API', () => {
  let fake: FakeBotApi;
  let core: ScriptedCore;
  let telegram: TelegramHandle;
  let logged: ReturnType<typeof capturedLog>;
  let inbox: Inbox;

  beforeEach(async () => {
    fake = await FakeBotApi.start();
    core = new ScriptedCore();
    logged = capturedLog();
    inbox = new Inbox(db, { log: logged.log });
    telegram = await startTelegram({ token: fake.token, core, inbox, apiRoot: fake.url, log: logged.log });
  });
  afterEach(async () => {
    await telegram.stop();
    await fake.close();
  });

  it('hands a text to the core as the student, shows typing, sends the reply, and publishes the command menu', async () => {
    fake.pushText(42, '实习单位能扣我身份证吗？');
    await fake.waitForMessages(42, 1);
    expect(core.calls[0]).toEqual({ channel: 'telegram', userId: '42', messageId: `${fake.bot.id}:42:1`, kind: 'text', text: '实习单位能扣我身份证吗？' });
    expect(texts(fake, 42)).toEqual(['收到：实习单位能扣我身份证吗？']);
    expect(fake.sent(42)[0]!.parseMode).toBeUndefined();
    expect(fake.chatActions).toContainEqual(expect.objectContaining({ chatId: 42, action: 'typing' }));
    expect(fake.commands?.map((command) => command.command)).toEqual(['start', 'help', 'plan', 'myplan', 'human', 'restart', 'delete']);
  });

  it('maps the slash commands to the core’s Chinese commands', async () => {
    for (const command of ['/start', '/help', '/plan', '/myplan', '/human', '/restart', '/delete']) fake.pushText(43, command);
    await fake.waitForMessages(43, 7);
    expect(core.calls.map((call) => call.text)).toEqual(['帮助', '帮助', '职业规划', '我的规划', '转人工', '重新开始', '删除我的数据']);
  });

  it('shows choices as buttons and sends a pressed choice as the student’s text, once', async () => {
    core.script = (message) =>
      message.text === '帮助'
        ? [{ text: '我能做什么……', choices: ['职业规划', '我的规划', '转人工'].map((label) => ({ label, value: label })) }]
        : [{ text: `收到：${message.text}` }];
    fake.pushText(44, '/help');
    const [menu] = await fake.waitForMessages(44, 1);
    expect(buttons(menu!.replyMarkup)).toEqual([['职业规划', '我的规划', '转人工']]);
    const press = fake.press(44, '职业规划');
    await fake.waitForMessages(44, 2);
    expect(core.calls[1]).toMatchObject({ userId: '44', kind: 'text', text: '职业规划', messageId: `cb:${press.callback_query!.id}` });
    expect(fake.callbackAnswers).toEqual([{ id: press.callback_query!.id }]);
    expect(fake.markupEdits).toEqual([{ chatId: 44, messageId: menu!.messageId }]); // the keyboard is taken away
    expect(texts(fake, 44)[1]).toBe('收到：职业规划');
  });

  it('carries a choice whose value is too long for callback data by index', async () => {
    const value = '我想了解专升本的报名条件、考试科目以及录取规则，越详细越好';
    core.script = (message) => (message.text === '开始' ? [{ text: '选一个：', choices: [{ label: '专升本', value }] }] : [{ text: 'ok' }]);
    fake.pushText(45, '开始');
    await fake.waitForMessages(45, 1);
    fake.press(45, '专升本');
    await fake.waitForMessages(45, 2);
    expect(core.calls[1]!.text).toBe(value);
  });

  it('answers a button it no longer knows with a notice, without calling the core', async () => {
    fake.pushText(46, 'hi');
    const [sent] = await fake.waitForMessages(46, 1);
    fake.pushCallback(46, sent!.messageId, 'from-another-bot');
    await fake.waitFor(() => fake.callbackAnswers.length === 1);
    expect(fake.callbackAnswers[0]!.text).toBe(telegramTexts.staleButton);
    expect(core.calls).toHaveLength(1);
  });

  it('hands stickers, photos, voice, files and locations to the core with their kind and caption', async () => {
    fake.pushSticker(47);
    fake.pushPhoto(47);
    fake.pushPhoto(47, '这个实习合同合法吗');
    fake.pushVoice(47);
    fake.pushDocument(47, '合同.pdf');
    fake.pushLocation(47);
    await fake.waitForMessages(47, 6);
    expect(core.calls.map((call) => [call.kind, call.text])).toEqual([
      ['sticker', undefined],
      ['image', undefined],
      ['image', '这个实习合同合法吗'],
      ['voice', undefined],
      ['file', undefined],
      ['location', undefined],
    ]);
    expect(texts(fake, 47)[0]).toBe('请发文字（sticker）');
  });

  it('says that edits are not read in a private chat, and ignores them in a group', async () => {
    const original = fake.pushText(48, '实习押金');
    await fake.waitForMessages(48, 1);
    fake.pushEdit(48, original.message!.message_id, '实习押金合法吗');
    await fake.waitForMessages(48, 2);
    expect(texts(fake, 48)[1]).toBe(telegramTexts.edited);
    expect(fake.sent(48)[1]!.replyTo).toBe(original.message!.message_id);
    const groupMessage = fake.pushGroupText(-1001, 7, '@zhiyin_test_bot 实习押金');
    await fake.waitForMessages(-1001, 1);
    fake.pushEdit(-1001, groupMessage.message!.message_id, '@zhiyin_test_bot 实习工资');
    fake.pushGroupText(-1001, 7, '@zhiyin_test_bot 完了');
    await fake.waitForMessages(-1001, 2);
    expect(texts(fake, -1001)).toEqual(['收到：实习押金', '收到：完了']);
    expect(core.calls).toHaveLength(3);
  });

  it('in a group answers only a mention or a reply to the bot, per student, as a reply', async () => {
    fake.pushGroupText(-1002, 7, '大家好，明天几点集合？');
    fake.pushGroupText(-1002, 8, '@someone_else 你好');
    const mentioned = fake.pushGroupText(-1002, 7, '@zhiyin_test_bot 实习押金合法吗');
    const [answer] = await fake.waitForMessages(-1002, 1);
    expect(core.calls).toHaveLength(1);
    expect(core.calls[0]).toMatchObject({ userId: '-1002:7', text: '实习押金合法吗' });
    expect(answer!.replyTo).toBe(mentioned.message!.message_id);
    fake.pushGroupText(-1002, 8, '那高职呢？', { replyTo: answer!.messageId });
    fake.pushGroupText(-1002, 9, '@zhiyin_test_bot');
    fake.pushGroupText(-1002, 9, '/help@zhiyin_test_bot');
    fake.pushGroupText(-1002, 9, '/help@another_bot');
    await fake.waitForMessages(-1002, 4);
    expect(core.calls.slice(1).map((call) => [call.userId, call.text])).toEqual([
      ['-1002:8', '那高职呢？'],
      ['-1002:9', '帮助'],
      ['-1002:9', '帮助'],
    ]);
  });

  it('splits a long reply, keyboard on the last part, and sends a document as a file', async () => {
    const long = Array.from({ length: 30 }, (_, index) => `第${index + 1}段：` + '依据《中等职业学校职业指导工作规定》第十五条。'.repeat(12)).join('\n\n');
    core.script = () => [
      { text: long, choices: [{ label: '1', value: '1' }, { label: '2', value: '2' }] },
      { text: '你的规划在文件里。', document: { fileName: '职业规划-2026-11-25.md', mimeType: 'text/markdown', content: '# 职业规划\n\n- 目标：数控技术员\n' } },
    ];
    fake.pushText(49, '长');
    await fake.waitFor(() => fake.sent(49).some((message) => message.document));
    const sent = fake.sent(49);
    const textParts = sent.slice(0, -2);
    expect(textParts.length).toBeGreaterThanOrEqual(3);
    expect(textParts.map((part) => part.text).join('\n\n')).toBe(long);
    expect(textParts.slice(0, -1).every((part) => part.replyMarkup === undefined)).toBe(true);
    expect(buttons(textParts.at(-1)!.replyMarkup)).toEqual([['1', '2']]);
    expect(sent.at(-2)!.text).toBe('你的规划在文件里。');
    expect(sent.at(-1)!.document).toMatchObject({ fileName: '职业规划-2026-11-25.md', content: '# 职业规划\n\n- 目标：数控技术员\n' });
  });

  it('retries a 429 after retry_after and a 500, delivering each reply once', async () => {
    fake.failNext('sendMessage', { status: 429, retryAfter: 1 });
    fake.pushText(50, '一');
    await fake.waitForMessages(50, 1);
    fake.failNext('sendMessage', { status: 500 });
    fake.pushText(50, '二');
    await fake.waitForMessages(50, 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(texts(fake, 50)).toEqual(['收到：一', '收到：二']);
    expect(fake.calls.filter((call) => call.method === 'sendMessage').map((call) => call.status)).toEqual([429, 200, 500, 200]);
  }, 20_000);

  it('shows typing before the answer and never after it; a typing Telegram refused is not retried and holds nothing up', async () => {
    fake.pushText(52, '一');
    await fake.waitForMessages(52, 1);
    expect(fake.timeline(52).map((entry) => ('action' in entry ? entry.action : entry.text))).toEqual(['typing', '收到：一']);
    // a typing is worth nothing late (and the answer would wait for it): Telegram's retry_after is not waited for
    fake.failNext('sendChatAction', { status: 429, retryAfter: 1 });
    fake.pushText(52, '二');
    await fake.waitForMessages(52, 2, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(texts(fake, 52)).toEqual(['收到：一', '收到：二']);
    expect(fake.calls.filter((call) => call.method === 'sendChatAction').map((call) => call.status)).toEqual([200, 429]);
  }, 30_000);

  it('answers a redelivered update once: the inbox has it already, the core is not asked again', async () => {
    const update = fake.pushText(51, '实习押金');
    await fake.waitForMessages(51, 1);
    fake.redeliver(update);
    await fake.waitFor(() => fake.pending === 0, 30_000, () => 'the redelivery to be confirmed');
    fake.pushText(51, '下一个');
    await fake.waitForMessages(51, 2);
    expect(texts(fake, 51)).toEqual(['收到：实习押金', '收到：下一个']);
    expect(core.calls.map((call) => call.text)).toEqual(['实习押金', '下一个']);
    expect(logged.lines.join('')).toContain('telegram update received before: not handled again');
  });

  it('keeps one chat’s messages in order while the core takes its time', async () => {
    core.script = async (message) => {
      await new Promise((resolve) => setTimeout(resolve, message.text === '1' ? 150 : 5));
      return [{ text: `收到：${message.text}` }];
    };
    for (const text of ['1', '2', '3']) fake.pushText(52, text);
    fake.pushText(53, '别人');
    await fake.waitForMessages(53, 1);
    await fake.waitForMessages(52, 3);
    expect(texts(fake, 52)).toEqual(['收到：1', '收到：2', '收到：3']);
  });

  it('apologises when the core fails', async () => {
    core.script = () => {
      throw new Error('database is down: 实习押金');
    };
    fake.pushText(54, '实习押金');
    await fake.waitForMessages(54, 1);
    expect(texts(fake, 54)).toEqual([telegramTexts.failed]);
  });

  it('never logs message text', async () => {
    core.script = () => {
      throw new Error('core failed on 秘密问题');
    };
    fake.pushText(55, '秘密问题');
    await fake.waitForMessages(55, 1);
    core.script = () => [{ text: '秘密回答' }];
    fake.pushText(55, '秘密问题二');
    await fake.waitForMessages(55, 2);
    await telegram.stop();
    const log = logged.lines.join('');
    expect(log).toContain('telegram message handled');
    expect(log).not.toMatch(/秘密/u);
  });

  it('stops: an update pushed after stop waits for the next start', async () => {
    await telegram.stop();
    fake.pushText(56, '停了以后');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fake.sent(56)).toEqual([]);
    telegram = await startTelegram({ token: fake.token, core, inbox: new Inbox(db), apiRoot: fake.url });
    await fake.waitForMessages(56, 1);
    expect(texts(fake, 56)).toEqual(['收到：停了以后']);
  });

  it('confirms no update it could not store: while the database refuses, Telegram keeps them; then each is answered once, in order', async () => {
    await telegram.stop();
    /** The real inbox, with the database refusing the first `failures` writes. */
    class RefusingInbox extends Inbox {
      failures = 2;
      override async receive(...args: Parameters<Inbox['receive']>): ReturnType<Inbox['receive']> {
        if (this.failures > 0) {
          this.failures -= 1;
          throw new Error('database is down');
        }
        return super.receive(...args);
      }
    }
    const inbox = new RefusingInbox(db);
    for (const text of ['一', '二', '三']) fake.pushText(58, text);
    telegram = await startTelegram({ token: fake.token, core, inbox, apiRoot: fake.url, pollTimeoutSeconds: 1 });
    await fake.waitForMessages(58, 3);
    await fake.waitFor(() => fake.pending === 0, 30_000, () => `${fake.pending} updates not confirmed`);
    expect(inbox.failures).toBe(0);
    expect(texts(fake, 58)).toEqual(['收到：一', '收到：二', '收到：三']);
    expect(core.calls.filter((call) => call.userId === '58').map((call) => call.text)).toEqual(['一', '二', '三']);
  });

  it('stores an update before confirming it, and at start answers what a stopped process stored but never handled', async () => {
    await telegram.stop();
    // what a process that died after storing (and confirming) these updates left in the inbox
    const left = [fake.pushText(57, '存了没答'), fake.pushText(57, '第二条')];
    for (const update of left) {
      const { externalId, conversationKey } = inboxKeyOf(fake.bot.id, update);
      expect(await new Inbox(db).receive(telegramChannel, externalId, conversationKey, update)).toBe('new');
    }
    // Telegram still hands them out (never confirmed by an offset): stored once, answered once
    telegram = await startTelegram({ token: fake.token, core, inbox: new Inbox(db), apiRoot: fake.url });
    await fake.waitForMessages(57, 2);
    await fake.waitFor(() => fake.pending === 0, 30_000, () => `${fake.pending} updates not confirmed`);
    expect(texts(fake, 57)).toEqual(['收到：存了没答', '收到：第二条']);
    expect(core.calls.filter((call) => call.userId === '57')).toHaveLength(2);
  });
});

describe('starting the Telegram channel', () => {
  it('rejects a wrong token (getMe says 401) instead of polling', async () => {
    const fake = await FakeBotApi.start();
    try {
      await expect(startTelegram({ token: '999:wrong', core: new ScriptedCore(), inbox: new Inbox(db), apiRoot: fake.url })).rejects.toMatchObject({ error_code: 401 });
    } finally {
      await fake.close();
    }
  });
});

describe('the Telegram webhook', () => {
  let fake: FakeBotApi;
  afterEach(async () => fake?.close());

  /** A webhook instance on the file's database: its own bot and inbox, handling from the inbox. */
  const instance = async (core: TelegramCore): Promise<{ app: Hono; inbox: Inbox }> => {
    const bot = createTelegramBot({ token: fake.token, core, apiRoot: fake.url });
    const inbox = new Inbox(db);
    await inbox.start(telegramChannel, telegramInboxHandler(bot));
    const app = new Hono();
    app.post('/telegram/webhook', telegramWebhook(bot, 'the-secret_1', { inbox }));
    return { app, inbox };
  };
  const post = (target: Hono, body: unknown, secret?: string) =>
    target.request('/telegram/webhook', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
      body: JSON.stringify(body),
    });

  it('rejects a wrong secret with 401, answers 200 once the update is stored, and handles it from the inbox once', async () => {
    fake = await FakeBotApi.start();
    const core = new ScriptedCore();
    const { app, inbox } = await instance(core);
    const update = fake.pushText(60, '实习押金');
    expect((await post(app, update, 'wrong')).status).toBe(401);
    expect((await post(app, update)).status).toBe(401);
    expect((await db.query('select 1 from inbound_messages')).rows).toHaveLength(0);
    expect((await post(app, update, 'the-secret_1')).status).toBe(200);
    // the 200 came after the row was committed
    expect((await db.query('select 1 from inbound_messages')).rows).toHaveLength(1);
    expect((await post(app, update, 'the-secret_1')).status).toBe(200); // Telegram retried
    await inbox.idle(telegramChannel);
    expect(texts(fake, 60)).toEqual(['收到：实习押金']);
    expect(core.calls).toHaveLength(1);
    expect(() => telegramWebhook(createTelegramBot({ token: fake.token, core }), '', { inbox })).toThrow(/secret/u);
  });

  it('handles a repeated update once (200, nothing done), edits and button presses too, on every instance of one database; a wrong secret stores nothing', async () => {
    fake = await FakeBotApi.start();
    const core = new ScriptedCore();
    const first = await instance(core);
    const second = await instance(core);
    const idle = async () => {
      await first.inbox.idle(telegramChannel);
      await second.inbox.idle(telegramChannel);
    };
    const update = fake.pushText(61, '实习押金');
    expect((await post(first.app, update, 'the-secret_1')).status).toBe(200);
    expect((await post(first.app, update, 'the-secret_1')).status).toBe(200);
    expect((await post(second.app, update, 'the-secret_1')).status).toBe(200);
    await idle();
    expect(core.calls).toHaveLength(1);
    expect(texts(fake, 61)).toEqual(['收到：实习押金']);
    // The core does not de-duplicate edits (they never reach it): the inbox does.
    const edit = fake.pushEdit(61, update.message!.message_id, '实习押金多少钱');
    expect((await post(first.app, edit, 'the-secret_1')).status).toBe(200);
    expect((await post(second.app, edit, 'the-secret_1')).status).toBe(200);
    await idle();
    expect(texts(fake, 61)).toEqual(['收到：实习押金', telegramTexts.edited]);
    // A request with a wrong secret does not use up the update.
    const next = fake.pushText(61, '转人工');
    expect((await post(first.app, next, 'wrong-secret')).status).toBe(401);
    expect((await post(first.app, next, 'the-secret_1')).status).toBe(200);
    await idle();
    expect(texts(fake, 61)).toEqual(['收到：实习押金', telegramTexts.edited, '收到：转人工']);
    expect((await post(first.app, { message: {} }, 'the-secret_1')).status).toBe(400);
  });
});

describe('the Telegram outbox sender', () => {
  it('queues the replies Telegram refuses in the outbox, which sends them once Telegram takes them again', async () => {
    const fake = await FakeBotApi.start();
    const outbox = new Outbox(db);
    const core = new ScriptedCore();
    const telegram = await startTelegram({ token: fake.token, core, inbox: new Inbox(db), apiRoot: fake.url, outbox, pollTimeoutSeconds: 1 });
    try {
      fake.failNext('sendMessage', { status: 400, description: 'service unavailable for this chat' }, 1);
      fake.pushText(90, '实习押金');
      await expect.poll(async () => (await db.query(`select 1 from outbox where channel = 'telegram' and recipient = '90'`)).rows.length, { timeout: 30_000 }).toBe(1);
      expect(texts(fake, 90)).toEqual([]);
      expect(await outbox.deliverDue()).toMatchObject({ sent: 1 });
      expect(await outbox.deliverDue()).toMatchObject({ sent: 0 });
      expect(texts(fake, 90)).toEqual(['收到：实习押金']);
    } finally {
      await telegram.stop();
      await fake.close();
    }
  });

  it('delivers a teacher’s reply through a real Outbox exactly once; a group student gets it privately', async () => {
    const fake = await FakeBotApi.start();
    const db = await createTestDatabase();
    try {
      const bot = createTelegramBot({ token: fake.token, core: new ScriptedCore(), apiRoot: fake.url });
      const outbox = new Outbox(db);
      outbox.register('telegram', telegramSender(bot.api));
      await outbox.enqueue('telegram', '42', '老师回复：押金可以要求退还。');
      await outbox.enqueue('telegram', '-1001:7', '老师回复：请私聊。');
      expect(await outbox.deliverDue()).toEqual({ sent: 2, retried: 0, failed: 0 });
      expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 0 });
      expect(texts(fake, 42)).toEqual(['老师回复：押金可以要求退还。']);
      expect(texts(fake, 7)).toEqual(['老师回复：请私聊。']);
      expect(fake.sent(-1001)).toEqual([]);
    } finally {
      await db.close();
      await fake.close();
    }
  });
});
