import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assistant } from '../assistant.ts';
import { loadConfig } from '../config.ts';
import { ConversationCore } from '../conversation/core.ts';
import { SqlConversationStore } from '../conversation/conversation-store.ts';
import { createTestDatabase } from '../store/testing.ts';
import { chinaWeek, groupGaps, knowledgeGaps, scrubPersonalData, type GapQuestion } from './gaps.ts';

describe('scrubPersonalData', () => {
  it('masks phone, ID and long numbers, e-mail addresses and a name the student gives', () => {
    expect(scrubPersonalData('我叫王小明，电话13812345678，补贴怎么领')).toBe('我叫〔姓名〕，电话〔电话〕，补贴怎么领');
    expect(scrubPersonalData('身份证11010519491231002X丢了')).toBe('身份证〔身份证号〕丢了');
    expect(scrubPersonalData('学号20231234，邮箱 li.ming@example.edu.cn')).toBe('学号〔号码〕，邮箱 〔邮箱〕');
    expect(scrubPersonalData('我是李华同学，想问实习')).toBe('我是〔姓名〕同学，想问实习');
    expect(scrubPersonalData('座机 0371-66551234')).toBe('座机 〔电话〕');
  });

  it('keeps what is not personal: years, small numbers, ordinary sentences', () => {
    expect(scrubPersonalData('2026年毕业，实习3个月能拿补贴吗')).toBe('2026年毕业，实习3个月能拿补贴吗');
    expect(scrubPersonalData('我是中职学生，能专升本吗')).toBe('我是中职学生，能专升本吗');
  });
});

describe('chinaWeek', () => {
  it('names the ISO week in China time', () => {
    expect(chinaWeek(new Date('2026-12-02T10:00:00Z'))).toBe('2026-W49');
    // Sunday 23:30 UTC is Monday 07:30 in China: the next week
    expect(chinaWeek(new Date('2026-12-06T23:30:00Z'))).toBe('2026-W50');
    expect(chinaWeek(new Date('2027-01-01T04:00:00Z'))).toBe('2026-W53');
  });
});

describe('groupGaps', () => {
  const at = (iso: string): Date => new Date(iso);
  const words = (text: string): string[] => text.match(/实习补贴|实习|补贴|食堂|开门|几点/gu) ?? [];

  it('groups by nearest clause, else by the rarest word; counts per kind and week; newest distinct examples first', () => {
    const near = { doc: 'd', locator: '第三条' };
    const questions: GapQuestion[] = [
      { text: '实习补贴多少', kind: 'abstain', at: at('2026-11-24T02:00:00Z'), nearest: near },
      { text: '实习补贴多少', kind: 'clarify', at: at('2026-12-01T02:00:00Z'), nearest: near },
      { text: '实习补贴什么时候发', kind: 'low-rating', at: at('2026-12-02T02:00:00Z'), nearest: near },
      { text: '食堂几点开门', kind: 'abstain', at: at('2026-12-02T03:00:00Z'), nearest: null },
    ];
    const groups = groupGaps(questions, { words, rarity: (word) => (word === '食堂' ? 9 : 1) });
    expect(groups.map((group) => group.key)).toEqual(['d#第三条', 'terms:食堂']);
    const [first] = groups;
    expect(first!.count).toBe(3);
    expect(first!.byKind).toEqual({ abstain: 1, clarify: 1, 'low-confidence': 0, 'low-rating': 1 });
    expect(first!.weeks).toEqual([
      { week: '2026-W48', count: 1 },
      { week: '2026-W49', count: 2 },
    ]);
    expect(first!.examples.map((example) => example.text)).toEqual(['实习补贴什么时候发', '实习补贴多少']);
    expect(first!.terms).toEqual(['实习补贴']);
  });
});

describe('knowledgeGaps over real conversations', () => {
  let assistant: Assistant;
  let core: ConversationCore;

  beforeAll(async () => {
    assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db: await createTestDatabase() });
    core = new ConversationCore(assistant, new SqlConversationStore(assistant.db), { rateEveryAnswers: 1 });
  });
  afterAll(async () => assistant?.close());

  it('lists an abstained question and an answer rated 1 in their groups, with personal data masked and nothing of who asked', async () => {
    const abstained = await core.handle({ channel: 'test', userId: 'stu-1', kind: 'text', text: '我叫王小明，学校食堂晚上几点关门？' });
    expect(abstained.outcome).toBe('abstain');
    const answered = await core.handle({ channel: 'test', userId: 'stu-2', kind: 'text', text: '实习单位能扣我身份证吗？' });
    expect(answered.outcome).toBe('answer');
    const rated = await core.handle({ channel: 'test', userId: 'stu-2', kind: 'text', text: '1' });
    expect(rated.handledAs).toBe('rating');

    const groups = await knowledgeGaps(assistant.db, { since: new Date(Date.now() - 3600_000), words: (text) => assistant.tokenizer.words(text) });
    const all = groups.flatMap((group) => group.examples);
    const canteen = all.find((example) => example.text.includes('食堂'));
    expect(canteen).toMatchObject({ kind: 'abstain', text: '我叫〔姓名〕，学校食堂晚上几点关门？' });
    const lowRated = all.find((example) => example.kind === 'low-rating');
    expect(lowRated?.text).toBe('实习单位能扣我身份证吗？');
    const ratedGroup = groups.find((group) => group.examples.includes(lowRated!));
    expect(ratedGroup?.nearest).toEqual({ doc: 'liaoning-zhongzhi-quality', locator: '二、11.' }); // the clause it cited
    expect(JSON.stringify(groups)).not.toMatch(/stu-1|stu-2|王小明/u);
  });
});
