import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Update } from 'grammy/types';
import { Assistant } from '../../src/assistant.ts';
import { loadConfig } from '../../src/config.ts';
import { ConversationCore } from '../../src/conversation/core.ts';
import { SqlConversationStore } from '../../src/conversation/conversation-store.ts';
import { Inbox } from '../../src/conversation/inbox.ts';
import type { Database } from '../../src/store/database.ts';
import { createTestDatabase } from '../../src/store/testing.ts';
import { FakeBotApi, type SentMessage } from './fake-bot-api.ts';
import { startTelegram, type TelegramHandle, type TelegramTurn } from './index.ts';

/**
 * Students on Telegram, end to end: the real conversation core and knowledge base on an embedded
 * database, the bot polling a fake Bot API over HTTP.
 */
describe('Telegram end to end, with the real core', { timeout: 120_000 }, () => {
  let db: Database;
  let fake: FakeBotApi;
  let telegram: TelegramHandle;
  const turns: TelegramTurn[] = [];

  /** Opens the assistant and core on the database (again, after a "restart") and starts polling. */
  const start = async (): Promise<TelegramHandle> => {
    const assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db });
    const core = new ConversationCore(assistant, new SqlConversationStore(assistant.db), { rateEveryAnswers: 0 });
    return startTelegram({ token: fake.token, core, inbox: new Inbox(db), apiRoot: fake.url, onTurn: (turn) => turns.push(turn) });
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    fake = await FakeBotApi.start();
    telegram = await start();
  }, 120_000);
  afterAll(async () => {
    await telegram?.stop();
    await fake?.close();
    await db?.close();
  });

  const handled = (update: Update, times = 1) => turns.filter((turn) => turn.updateId === update.update_id).length >= times;

  /** Pushes an update and returns what the bot sent to the chat in answer to it. */
  const exchange = async (chatId: number, push: () => Update): Promise<SentMessage[]> => {
    const before = fake.sent(chatId).length;
    const update = push();
    await fake.waitFor(() => handled(update), 60_000, () => `update ${update.update_id} to be handled`);
    return fake.sent(chatId).slice(before);
  };
  const say = (chatId: number, text: string) => exchange(chatId, () => fake.pushText(chatId, text));
  const buttonsOf = (message: SentMessage | undefined) => message?.replyMarkup?.inline_keyboard.flat().map((button) => button.text) ?? [];

  it('answers a policy question with a 《…》 citation', async () => {
    const [answer, ...rest] = await say(101, '实习单位能扣我身份证吗？');
    expect(rest).toEqual([]);
    expect(answer!.text).toMatch(/^不可以。/u);
    expect(answer!.text).toMatch(/《关于进一步规范中等职业学校管理全面提升中等职业教育质量的意见》二、11\./u);
  });

  it('shows the help menu as buttons; pressing 职业规划 starts the career dialogue, and its choices are buttons too', async () => {
    const [menu] = await say(101, '/start');
    expect(buttonsOf(menu)).toEqual(expect.arrayContaining(['职业规划', '转人工']));
    const [first] = await exchange(101, () => fake.press(101, '职业规划'));
    expect(first!.text).toContain('职业规划');
    expect(first!.text).toContain('哪类学校');
    expect(buttonsOf(first)).toEqual(['中职', '高职', '本科']);
    expect(fake.markupEdits.some((edit) => edit.messageId === menu!.messageId)).toBe(true);
    const [grade] = await exchange(101, () => fake.press(101, '中职'));
    expect(grade!.text).toContain('几年级');
  });

  it('hands the student to a teacher on 转人工, mid-dialogue', async () => {
    const [reply] = await say(101, '转人工');
    expect(reply!.text).toContain('老师');
  });

  it('asks for text when a sticker or a photo comes', async () => {
    const [sticker] = await exchange(101, () => fake.pushSticker(101));
    expect(sticker!.text).toContain('表情');
    expect(sticker!.text).toContain('文字');
    const [photo] = await exchange(101, () => fake.pushPhoto(101));
    expect(photo!.text).toContain('图片');
  });

  it('answers an update delivered twice once (the inbox has it already)', async () => {
    const update = fake.pushText(102, '实习可以收押金吗？');
    await fake.waitFor(() => handled(update));
    const count = fake.sent(102).length;
    expect(count).toBeGreaterThan(0);
    fake.redeliver(update);
    await fake.waitFor(() => fake.pending === 0, 30_000, () => 'the redelivery to be confirmed');
    const next = fake.pushText(102, '/help');
    await fake.waitFor(() => handled(next));
    expect(turns.filter((turn) => turn.updateId === update.update_id).map((turn) => turn.handledAs)).toEqual(['policy']);
    expect(fake.sent(102)).toHaveLength(count + 1);
  });

  it('retries a 429 on sendMessage and delivers the answer once', async () => {
    fake.failNext('sendMessage', { status: 429, retryAfter: 1 });
    const replies = await say(103, '中职学校要配几名职业指导老师？');
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toContain('《中等职业学校职业指导工作规定》');
    expect(fake.calls.filter((call) => call.method === 'sendMessage' && call.status === 429)).toHaveLength(1);
  });

  it('writes a whole career plan through buttons and text, and sends it as a Markdown file', async () => {
    await say(104, '职业规划');
    const [grade] = await exchange(104, () => fake.press(104, '高职'));
    await exchange(104, () => fake.press(104, buttonsOf(grade)[0]!));
    for (const answer of ['数控技术', '辽宁沈阳', '跳过', '跳过']) await say(104, answer);
    let [last] = fake.sent(104).slice(-1);
    await exchange(104, () => fake.press(104, buttonsOf(last)[0]!)); // intention
    for (let item = 0; item < 24; item += 1) await say(104, String((item % 5) + 1));
    [last] = fake.sent(104).slice(-1);
    const done = await exchange(104, () => fake.press(104, buttonsOf(last)[0]!)); // priority
    const file = done.find((message) => message.document);
    expect(file?.document?.fileName).toMatch(/^职业规划-\d{4}-\d{2}-\d{2}\.md$/u);
    expect(file?.document?.content).toContain('数控技术');
    expect(done.some((message) => message.text?.includes('【你的职业规划建议】'))).toBe(true);
  });

  it('continues the conversation after a restart and does not answer old updates again', async () => {
    const question = fake.pushText(105, '中职学校要配几名职业指导老师？');
    await fake.waitFor(() => handled(question));
    expect(fake.sent(105)).toHaveLength(1);

    await telegram.stop();
    // The new process is handed the last update again, as Telegram does when it was not confirmed.
    fake.redeliver(question);
    const followUp = fake.pushText(105, '这个是哪个文件规定的？');
    telegram = await start();

    await fake.waitFor(() => handled(followUp) && fake.pending === 0, 60_000);
    const sent = fake.sent(105);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.text).toContain('《中等职业学校职业指导工作规定》第十五条');
    expect(turns.filter((turn) => turn.updateId === question.update_id).map((turn) => turn.handledAs)).toEqual(['policy']);
  });
});
