import { describe, expect, it } from 'vitest';
import type { Citation } from '../answering/types.ts';
import { numberFrom, pointOf, resolveFollowUp } from './follow-up.ts';
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
