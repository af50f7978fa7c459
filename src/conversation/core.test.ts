import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Assistant } from '../assistant.ts';
import { loadConfig } from '../config.ts';
import { createTestDatabase } from '../store/testing.ts';
import { ConversationCore } from './core.ts';
import { MemoryConversationStore, SqlConversationStore } from './conversation-store.ts';
import type { InboundMessage } from './types.ts';

const text = (userId: string, message: string, messageId?: string): InboundMessage => ({
  channel: 'test',
  userId,
  kind: 'text',
  text: message,
  ...(messageId ? { messageId } : {}),
});

describe('the conversation core', () => {
  let assistant: Assistant;
  let store: SqlConversationStore;
  let core: ConversationCore;

  beforeAll(async () => {
    assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db: await createTestDatabase() });
    store = new SqlConversationStore(assistant.db);
    core = new ConversationCore(assistant, store, { rateEveryAnswers: 0, now: () => new Date('2026-11-25T08:00:00Z') });
  });
  afterAll(async () => assistant?.close());

  it('answers a policy question with its citation and keeps both sides in the history', async () => {
    const turn = await core.handle(text('alice', '实习单位能扣我身份证吗？'));
    expect(turn.outcome).toBe('answer');
    expect(turn.handledAs).toBe('policy');
    expect(turn.citations[0]).toMatchObject({ doc: 'liaoning-zhongzhi-quality', locator: '二、11.' });
    const { id } = await store.open('test', 'alice');
    const history = await store.history(id);
    expect(history.map((message) => message.role)).toEqual(['student', 'assistant']);
    expect(history[0]!.text).toBe('实习单位能扣我身份证吗？');
  });

  it('resolves "那高职呢？" against the previous question', async () => {
    await core.handle(text('bob', '中职学校要配几名职业指导老师？'));
    const turn = await core.handle(text('bob', '那高职呢？'));
    expect(turn.handledAs).toBe('follow-up');
    expect(turn.answered).toBeDefined();
    const { state } = await store.open('test', 'bob');
    expect(state.lastTurn?.resolved).toContain('高校');
    expect(turn.citations[0]).toMatchObject({ doc: 'henan-gaoxiao-employment-services' });
    expect(state.lastTurn?.resolved).not.toContain('中职');
  });

  it('names the source of the previous answer when asked "这个是哪个文件规定的？"', async () => {
    await core.handle(text('carol', '中职学校要配几名职业指导老师？'));
    const turn = await core.handle(text('carol', '这个是哪个文件规定的？'));
    expect(turn.handledAs).toBe('follow-up');
    expect(turn.replies[0]!.text).toContain('《中等职业学校职业指导工作规定》第十五条');
    expect(turn.replies[0]!.text).toContain('教育部');
    // the clauses it read from, though no search ran, are what it retrieved
    expect(turn.retrieved.map(({ doc, locator }) => ({ doc, locator }))).toEqual(turn.citations.map(({ doc, locator }) => ({ doc, locator })));
    expect(turn.retrieved[0]).toMatchObject({ doc: 'moe-2018-zhongzhi-guidance', locator: '第十五条' });
  });

  it('quotes the second point of the clause just cited', async () => {
    await core.handle(text('dave', '中职学校职业指导工作应坚持哪些原则？'));
    const turn = await core.handle(text('dave', '详细说说第二点'));
    expect(turn.handledAs).toBe('follow-up');
    expect(turn.replies[0]!.text).toContain('（二）循序渐进原则');
  });

  it('answers a complete new question on its own, not as a follow-up', async () => {
    await core.handle(text('erin', '中职学校要配几名职业指导老师？'));
    const turn = await core.handle(text('erin', '投诉多久会有处理结果？'));
    expect(turn.handledAs).toBe('policy');
    expect(turn.citations.some((citation) => citation.locator === '8.5')).toBe(true);
    // it starts a new frame: the next follow-up reads this question, not the one before
    const { state } = await store.open('test', 'erin');
    expect(state.lastTurn?.resolved).toBe('投诉多久会有处理结果？');
  });

  it('swaps the kind of school and leaves out a region that has no rules for it ("那中职呢" after a 河南 university question)', async () => {
    await core.handle(text('fay', '河南这边大学的就业指导课是必修吗'));
    const turn = await core.handle(text('fay', '那中职呢'));
    expect(turn.handledAs).toBe('follow-up');
    expect(turn.citations[0]).toMatchObject({ doc: 'moe-2018-zhongzhi-guidance', locator: '第十条' });
    // and says that 河南's document is not written for 中职 before answering from one that is
    expect(turn.replies[0]!.text).toMatch(/^河南省的《关于进一步做好普通高等学校毕业生就业指导与服务工作的意见》不是针对中职学校写的，它适用于普通高等学校毕业生。/u);
  });

  it('says a region’s documents do not serve the kind of school asked about instead of answering from an unrelated clause', async () => {
    await core.handle(text('gus', '辽宁中职资助 啥样的学生能申请'));
    const turn = await core.handle(text('gus', '那河南呢'));
    expect(turn.outcome).toBe('abstain');
    expect(turn.citations).toEqual([]);
    expect(turn.replies.map((reply) => reply.text)).toEqual(['河南省的《关于进一步做好普通高等学校毕业生就业指导与服务工作的意见》不是针对中职学校写的，它适用于普通高等学校毕业生。']);
  });

  it('answers who issued or when a document was issued when the student names it by its region, with the clause that says so', async () => {
    const turn = await core.handle(text('jon', '山东这份职业指导意见是哪天发的'));
    expect(turn.outcome).toBe('answer');
    expect(turn.replies[0]!.text.split('\n')[0]).toBe('《关于加强职业指导队伍建设的指导意见》｜山东省人力资源和社会保障厅、山东省教育厅｜山东省｜2023-11-23');
    expect(turn.citations).toMatchObject([{ doc: 'shandong-2023-guidance-workforce', locator: '落款' }]);
    expect(turn.retrieved).toMatchObject([{ doc: 'shandong-2023-guidance-workforce', locator: '落款' }]);
    // and the next question reads on from that document
    const next = await core.handle(text('jon', '这是哪个部门发的'));
    expect(next.handledAs).toBe('follow-up');
    expect(next.replies[0]!.text).toContain('山东省教育厅');
  });

  it('answers "那2000人呢" from the clause just cited when a clarifying question would offer it first', async () => {
    await core.handle(text('ida', '招聘会那个大厅要多大啊 我们毕业生不到一千'));
    const turn = await core.handle(text('ida', '那2000人呢'));
    expect(turn.outcome).toBe('answer');
    expect(turn.citations[0]).toMatchObject({ doc: 'henan-gaoxiao-employment-services', locator: '四、（六）' });
    expect(turn.replies[0]!.text).toContain('至少要300平方米');
  });

  it('computes a cited scale rule for the number of graduates a follow-up states', async () => {
    await core.handle(text('hal', '河南高校办招聘会的场地面积有什么要求'));
    const turn = await core.handle(text('hal', '我们学校3000个毕业生呢'));
    expect(turn.outcome).toBe('answer');
    expect(turn.replies[0]!.text.split('\n')[0]).toBe(
      '按「1000名以下的要达到200平方米，每增加500名毕业生增加50平方米」算：你们3000名毕业生，3000 − 1000 = 2000，2000 ÷ 500 = 4，200 + 4 × 50 = 400，至少要400平方米。',
    );
  });

  it('answers "谁发的" and "哪年的" with the clause of the document that says it (the signature block)', async () => {
    await core.handle(text('gus', '山东职业指导之星评几个'));
    const who = await core.handle(text('gus', '谁发的？'));
    expect(who.handledAs).toBe('follow-up');
    expect(who.citations[0]).toMatchObject({ doc: 'shandong-2023-guidance-workforce', locator: '落款' });
    expect(who.replies[0]!.text).toContain('山东省教育厅');
    const when = await core.handle(text('gus', '这是哪年的文件？'));
    expect(when.citations[0]).toMatchObject({ locator: '落款' });
    expect(when.replies[0]!.text).toContain('2023');
  });

  it('asks which province "那我们省呢" means, answers for the one named, and remembers it', async () => {
    await core.handle(text('quinn', '河南高校专职就业指导人员按多少比例配'));
    const asked = await core.handle(text('quinn', '那我们省呢'));
    expect(asked.outcome).toBe('abstain');
    expect(asked.replies[0]!.text).toContain('哪个省');
    expect(asked.replies[0]!.choices?.map((choice) => choice.label)).toContain('山东省');
    const named = await core.handle(text('quinn', '山东'));
    expect(named.outcome).toBe('answer');
    expect(named.citations[0]?.doc).toBe('shandong-2023-guidance-workforce');
    await core.handle(text('quinn', '河南高校的就业指导经费有没有规定最低多少'));
    const again = await core.handle(text('quinn', '那我们省呢'));
    expect(again.handledAs).toBe('follow-up');
    expect(again.replies[0]!.text).not.toContain('哪个省');
  });

  it('says the document has no procedure when "具体怎么申请" finds only the rule just quoted', async () => {
    const rule = await core.handle(text('rosa', '辽宁中职的学生资助 非全日制的能申请吗'));
    expect(rule.outcome).toBe('answer');
    const steps = await core.handle(text('rosa', '具体怎么申请'));
    expect(steps.outcome).toBe('abstain');
    expect(steps.replies[0]!.text).toContain(`《${rule.citations[0]!.title}》里没有写到这一点`);
  });

  it('asks a question that announces a change of subject without the announcement, and starts a new frame with it', async () => {
    await core.handle(text('tess', '山东职业指导之星评几个'));
    const turn = await core.handle(text('tess', '对了 换个问题 中职毕业算什么学历'));
    expect(turn.outcome).toBe('answer');
    expect(turn.citations[0]).toMatchObject({ doc: 'lasa-draft-graduate-guidance-standard', locator: '3.1' });
    const { state } = await store.open('test', 'tess');
    expect(state.lastTurn?.resolved).toBe('中职毕业算什么学历');
  });

  it('answers a follow-up from the clause just quoted when a clarifying question would offer that clause first', async () => {
    // alone, "学校外边的人也可以去咨询吗" gets a clarifying question whose first choice is 第八条
    const alone = await core.handle(text('uma', '学校外边的人也可以去咨询吗'));
    expect(alone.answered?.choices?.[0]).toMatchObject({ doc: 'moe-2018-zhongzhi-guidance', locator: '第八条' });
    await core.handle(text('vic', '中职的职业生涯咨询是怎么做的'));
    const turn = await core.handle(text('vic', '学校外边的人也可以去咨询吗'));
    expect(turn.outcome).toBe('answer');
    expect(turn.citations[0]).toMatchObject({ doc: 'moe-2018-zhongzhi-guidance', locator: '第八条' });
    expect(turn.replies[0]!.text.split('\n')[0]).toContain('面向社会');
  });

  it('reads "那河南呢" after a question that got no answer as that question about 河南', async () => {
    const unanswered = await core.handle(text('sam', '广东应届生就业补贴能领多少钱'));
    expect(unanswered.outcome).toBe('abstain');
    const swapped = await core.handle(text('sam', '那河南呢'));
    expect(swapped.handledAs).toBe('follow-up');
  });

  it('shows the menu for 帮助 with buttons', async () => {
    const turn = await core.handle(text('frank', '帮助'));
    expect(turn.handledAs).toBe('command');
    expect(turn.replies[0]!.text).toContain('职业规划');
    expect(turn.replies[0]!.choices?.map((choice) => choice.label)).toContain('转人工');
  });

  it('escalates 转人工 and a crisis from any state, a crisis with hotline numbers', async () => {
    const person = await core.handle(text('gina', '转人工'));
    expect(person.outcome).toBe('escalate');
    expect(person.escalation).toEqual({ reason: 'person' });
    const crisis = await core.handle(text('gina', '我不想活了'));
    expect(crisis.escalation).toEqual({ reason: 'crisis' });
    expect(crisis.replies[0]!.text).toMatch(/12355|12356/u);
  });

  it('handles a duplicate delivery (same channel message id) once', async () => {
    const first = await core.handle(text('hana', '实习押金合法吗', 'update-1001'));
    const again = await core.handle(text('hana', '实习押金合法吗', 'update-1001'));
    expect(first.replies.length).toBeGreaterThan(0);
    expect(again.handledAs).toBe('duplicate');
    expect(again.replies).toEqual([]);
    const { id } = await store.open('test', 'hana');
    expect((await store.history(id)).filter((message) => message.role === 'student')).toHaveLength(1);
  });

  it('answers a redelivered message that a stopped process recorded but never answered, then treats repeats as duplicates', async () => {
    const { id } = await store.open('test', 'hugo');
    // recorded and kept in the history, then the process stopped before answering
    expect(await store.firstDelivery('test', 'update-2002', id)).toBe('new');
    await store.append(id, 'student', '实习押金合法吗', { kind: 'text', messageId: 'update-2002' });
    const retried = await core.handle(text('hugo', '实习押金合法吗', 'update-2002'));
    expect(retried.handledAs).toBe('policy');
    expect(retried.replies.length).toBeGreaterThan(0);
    const again = await core.handle(text('hugo', '实习押金合法吗', 'update-2002'));
    expect(again.handledAs).toBe('duplicate');
    const history = await store.history(id);
    expect(history.filter((stored) => stored.role === 'student')).toHaveLength(1);
    expect(history.filter((stored) => stored.role === 'assistant').length).toBeGreaterThan(0);
  });

  it('replies clearly to a sticker, picture or voice message and keeps a record of it', async () => {
    for (const kind of ['sticker', 'image', 'voice', 'file', 'location'] as const) {
      const turn = await core.handle({ channel: 'test', userId: 'ivan', kind });
      expect(turn.handledAs).toBe('unsupported');
      expect(turn.replies[0]!.text).toContain('文字');
    }
    const { id } = await store.open('test', 'ivan');
    expect((await store.history(id)).filter((message) => message.role === 'student').map((message) => message.text)).toEqual([
      '[sticker]',
      '[image]',
      '[voice]',
      '[file]',
      '[location]',
    ]);
  });

  it('answers a long message from the question it buries, read with the region the background names', async () => {
    const turn = await core.handle(
      text('lena', '我在河南一个高职读大三 下学期要去厂里顶岗 我妈觉得太早了 去了也是打杂 室友说随便去两周就能回来 我自己也拿不准 就想问下 按规定到底要在单位实习多久'),
    );
    expect(turn.outcome).toBe('answer');
    expect(turn.citations[0]).toMatchObject({ doc: 'henan-gaoxiao-employment-services' });
    expect(turn.replies[0]!.text.split('\n')[0]).toContain('半年');
    // the history keeps what the student wrote, all of it
    const { id } = await store.open('test', 'lena');
    expect((await store.history(id))[0]!.text).toContain('我妈觉得太早了');
  });

  it('replies to empty, emoji-only and very long messages without failing', async () => {
    for (const message of ['', '   ', '😀😀', '实'.repeat(5000)]) {
      const turn = await core.handle(text('judy', message));
      expect(turn.replies[0]!.text.length).toBeGreaterThan(0);
      expect(turn.outcome).toBe('abstain');
    }
  });

  it('asks for a rating after the first answer, stores a 1–5 reply and aggregates it', async () => {
    const rating = new ConversationCore(assistant, store, { rateEveryAnswers: 3 });
    const answered = await rating.handle(text('kate', '实习单位能扣我身份证吗？'));
    expect(answered.replies.at(-1)!.text).toContain('1–5');
    const rated = await rating.handle(text('kate', '５'));
    expect(rated.handledAs).toBe('rating');
    const summary = await store.ratingSummary();
    expect(summary.find((row) => row.subject === 'answer')).toMatchObject({ count: 1, average: 5 });
  });

  it('deletes a student’s data only after confirmation', async () => {
    await core.handle(text('leo', '实习押金合法吗'));
    const ask = await core.handle(text('leo', '删除我的数据'));
    expect(ask.replies[0]!.text).toContain('确认删除');
    const cancelled = await core.handle(text('leo', '算了'));
    expect(cancelled.replies[0]!.text).toContain('没有删除');
    const { id } = await store.open('test', 'leo');
    expect((await store.history(id)).length).toBeGreaterThan(0);
    await core.handle(text('leo', '删除我的数据'));
    const deleted = await core.handle(text('leo', '确认删除'));
    expect(deleted.replies[0]!.text).toContain('已删除');
    const { rows } = await assistant.db.query<{ n: number }>('select count(*)::int as n from conversations where id = $1', [id]);
    expect(rows[0]!.n).toBe(0);
  });

  it('keeps one student’s messages in order while another student is answered alongside', async () => {
    const order: string[] = [];
    const slow = new ConversationCore(assistant, new MemoryConversationStore(), { rateEveryAnswers: 0 });
    await Promise.all([
      slow.handle(text('mia', '中职学校要配几名职业指导老师？')).then(() => order.push('mia-1')),
      slow.handle(text('mia', '那高职呢？')).then((turn) => {
        order.push('mia-2');
        expect(turn.handledAs).toBe('follow-up');
      }),
      slow.handle(text('ned', '实习押金合法吗')).then(() => order.push('ned-1')),
    ]);
    expect(order.indexOf('mia-1')).toBeLessThan(order.indexOf('mia-2'));
  });
});

describe('a conversation across a restart', () => {
  let dataDir: string;
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  it('continues the follow-up after the process stops and starts again', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'zhiyin-restart-'));
    const config = loadConfig({ LOG_LEVEL: 'silent', ZHIYIN_DATA_DIR: dataDir });
    const first = await Assistant.open(config);
    await new ConversationCore(first, new SqlConversationStore(first.db), { rateEveryAnswers: 0 }).handle(
      text('olga', '中职学校要配几名职业指导老师？'),
    );
    await first.close();

    const second = await Assistant.open(config);
    try {
      const turn = await new ConversationCore(second, new SqlConversationStore(second.db), { rateEveryAnswers: 0 }).handle(
        text('olga', '这个是哪个文件规定的？'),
      );
      expect(turn.handledAs).toBe('follow-up');
      expect(turn.replies[0]!.text).toContain('第十五条');
    } finally {
      await second.close();
    }
  });
});
