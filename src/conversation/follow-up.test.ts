import { describe, expect, it } from 'vitest';
import type { Citation } from '../answering/types.ts';
import { numberFrom, pointIn, pointOf, resolveFollowUp } from './follow-up.ts';
import type { LastTurn } from './types.ts';

const article4: Citation = {
  doc: 'moe-2018-zhongzhi-guidance',
  title: '中等职业学校职业指导工作规定',
  locator: '第四条',
  text: '第四条 中等职业学校职业指导工作应坚持以下原则：\n（一）以学生为本原则。通过开展…\n（二）循序渐进原则。坚持从…\n（三）教育与服务相结合原则。',
};

const last = (resolved: string, citations: Citation[] = [article4]): LastTurn => ({
  question: resolved,
  resolved,
  outcome: 'answer',
  citations,
  language: 'zh',
});

describe('resolveFollowUp', () => {
  it('swaps the kind of school, in the documents’ own words: 中职 → 高职 asks about 高校', () => {
    expect(resolveFollowUp('那高职呢？', last('中职学校要配几名职业指导老师?'))).toEqual({
      kind: 'rewrite',
      question: '高校要配几名职业指导老师?',
    });
    expect(resolveFollowUp('中职呢', last('高校就业指导经费有什么要求?'))).toEqual({ kind: 'rewrite', question: '中职学校就业指导经费有什么要求?' });
  });

  it('recognises a swap to a school the documents do not cover', () => {
    expect(resolveFollowUp('那普通高中呢？', last('中职学校职业指导工作实行什么负责制?'))).toEqual({ kind: 'uncovered', subject: '普通高中' });
    expect(resolveFollowUp('那研究生呢', last('中职学生申请国家资助要满足什么条件?'))).toEqual({ kind: 'uncovered', subject: '研究生' });
  });

  it('swaps the region, in English too', () => {
    expect(resolveFollowUp('辽宁呢', last('山东省要评多少门职业指导金课?'))).toEqual({ kind: 'rewrite', question: '辽宁省要评多少门职业指导金课?' });
    expect(resolveFollowUp('What about Shandong?', last('how many career guidance stars does henan select?'))).toEqual({
      kind: 'rewrite',
      question: 'how many career guidance stars does shandong select?',
    });
  });

  it('adds the new words when the previous question named no such thing', () => {
    expect(resolveFollowUp('那押金呢？', last('实习单位能扣我身份证吗?'))).toEqual({ kind: 'rewrite', question: '实习单位能扣我身份证吗? 押金' });
  });

  it('keeps the region and kind of school but drops the old topic when the follow-up names a new one', () => {
    expect(resolveFollowUp('那押金呢？', last('辽宁中职生最小多大可以去顶岗实习?'))).toEqual({ kind: 'rewrite', question: '辽宁 中职 押金' });
    expect(resolveFollowUp('那信息查询室的电脑呢', last('河南高校的招聘会议厅要多大面积?'))).toEqual({
      kind: 'rewrite',
      question: '河南 高校 信息查询室的电脑',
    });
  });

  it('keeps the whole previous question when the follow-up asks something new about the same topic', () => {
    expect(resolveFollowUp('那要多久？', last('辽宁中职学校要给新生建立什么档案?'))).toEqual({
      kind: 'rewrite',
      question: '辽宁中职学校要给新生建立什么档案? 要多久',
    });
  });

  it('recognises a question about the source', () => {
    for (const message of ['这个是哪个文件规定的？', '出处是什么', '依据是什么？', 'Which document says that?']) {
      expect(resolveFollowUp(message, last('实习押金合法吗')), message).toEqual({ kind: 'source' });
    }
  });

  it('recognises a numbered point, in Chinese or Arabic numerals', () => {
    expect(resolveFollowUp('详细说说第二点', last('原则有哪些'))).toEqual({ kind: 'point', index: 2 });
    expect(resolveFollowUp('第3条是什么', last('原则有哪些'))).toEqual({ kind: 'point', index: 3 });
  });

  it('leaves a complete question alone, and anything without a previous answer', () => {
    expect(resolveFollowUp('投诉多久会有处理结果？', last('中职学校要配几名职业指导老师?'))).toBeNull();
    expect(resolveFollowUp('那高职呢？', null)).toBeNull();
    expect(resolveFollowUp('那高职呢？', { ...last('中职学校要配几名老师'), outcome: 'abstain' })).toBeNull();
  });
});

describe('pointOf', () => {
  it('finds the n-th sub-item of a clause', () => {
    expect(pointOf(article4, 2)).toBe('（二）循序渐进原则。坚持从…');
    expect(pointOf(article4, 9)).toBeNull();
  });

  it('falls back to the n-th sentence of a clause without sub-items', () => {
    const clause = { ...article4, text: '8.2 服务机构应采取问卷调查等形式。及时评价服务质量。' };
    expect(pointOf(clause, 2)).toBe('及时评价服务质量。');
  });
});

describe('pointIn', () => {
  const part = (locator: string, text: string): Citation => ({ ...article4, locator, text });
  const split = [
    part('第四条', '第四条 中等职业学校职业指导工作应坚持以下原则：\n（一）以学生为本原则。\n（二）循序渐进原则。坚持从实际出发。'),
    part('第四条（三）', '（三）教育与服务相结合原则。'),
    part('第四条（四）', '（四）协同推进原则。贯穿全过程。'),
  ];

  it('counts the points of every cited part of a split clause, and cites the part holding the point', () => {
    expect(pointIn(split, 2)).toEqual({ text: '（二）循序渐进原则。坚持从实际出发。', citation: split[0] });
    expect(pointIn(split, 4)).toEqual({ text: '（四）协同推进原则。贯穿全过程。', citation: split[2] });
    expect(pointIn(split, 5)).toBeNull();
  });

  it('takes the first cited clause with that many numbered points, else the n-th sentence of an unnumbered first clause', () => {
    const prose = { ...article4, doc: 'henan', locator: '四、（七）', text: '要高度重视兼职人员。要组织轮训。有条件的学校要参加培训。' };
    const list = { ...article4, doc: 'lasa', locator: '4.2.1', text: '4.2.1 从业人员应具备下列条件：\n（1）熟悉政策；\n（2）具备知识；\n（3）具有一年以上工作经历。' };
    expect(pointIn([prose, list], 3)).toEqual({ text: '（3）具有一年以上工作经历。', citation: list });
    expect(pointIn([prose], 2)).toEqual({ text: '要组织轮训。', citation: prose });
  });
});

describe('numberFrom', () => {
  it.each([
    ['二', 2],
    ['十', 10],
    ['十一', 11],
    ['二十三', 23],
    ['7', 7],
    ['甲', null],
  ] as const)('%s → %s', (text, value) => {
    expect(numberFrom(text)).toBe(value);
  });
});

describe('follow-ups as slot substitution', () => {
  it('replaces the age of the previous question, or adds it', async () => {
    const { ageIn } = await import('./follow-up.ts');
    expect(ageIn('如果我15岁呢')).toBe(15);
    expect(ageIn('那十七周岁呢')).toBe(17);
    expect(ageIn("what if I'm 15?")).toBe(15);
    expect(ageIn('第15条')).toBeNull();
    expect(resolveFollowUp('如果我15岁呢', last('17岁去跟岗实习需要爸妈同意吗'))).toEqual({ kind: 'rewrite', question: '15岁去跟岗实习需要爸妈同意吗' });
    expect(resolveFollowUp('那15岁呢', last('能去顶岗实习吗'))).toEqual({ kind: 'rewrite', question: '能去顶岗实习吗 15周岁' });
  });

  it('answers which year, who issued it and what the file is called from the previous citation', () => {
    for (const question of ['这是哪年的文件', '谁发的', '发文单位是哪个', '文件全名叫啥', 'who issued it?', 'what year was that?']) {
      expect(resolveFollowUp(question, last('中职学校要配几名职业指导老师?'))).toEqual({ kind: 'source' });
    }
  });

  it('adds the kind of school when the previous question named none', () => {
    expect(resolveFollowUp('那中职呢', last('就业指导课是必修吗'))).toEqual({ kind: 'rewrite', question: '中职学校 就业指导课是必修吗' });
  });

  it('starts a new frame for a complete new question', () => {
    expect(resolveFollowUp('实习单位可以收押金吗', last('中职学校要配几名职业指导老师?'))).toBeNull();
  });
});
