import { describe, expect, it } from 'vitest';
import { namesASide, speaksOfOtherSide, swapSide } from './contrasts.ts';

describe('speaksOfOtherSide', () => {
  it('tells a sentence about the other side only from one about the side asked or both', () => {
    expect(speaksOfOtherSide('兼职就业指导人员要求有证吗', '专职就业工作人员必须具有中级以上就业指导相关职业资格证书。')).toBe(true);
    expect(speaksOfOtherSide('兼职就业指导人员要求有证吗', '原则上要求兼职就业工作人员具有相关职业资格证书。')).toBe(false);
    expect(speaksOfOtherSide('兼职就业指导人员要求有证吗', '至少配备1名专兼职教师从事职业指导。')).toBe(false);
    expect(speaksOfOtherSide('Do part-time staff need a certificate?', '专职人员必须具有中级以上证书。')).toBe(true);
    expect(speaksOfOtherSide('跟岗实习要签协议吗', '进一步规范顶岗实习三方协议。')).toBe(true);
  });

  it('says nothing of a question that names no side, or both', () => {
    expect(speaksOfOtherSide('就业指导人员要什么证', '专职人员必须具有中级以上证书。')).toBe(false);
    expect(speaksOfOtherSide('专职和兼职人员各要什么证', '专职人员必须具有中级以上证书。')).toBe(false);
  });
});

describe('swapSide', () => {
  it('asks the previous question again about the other side, in the question’s language', () => {
    expect(swapSide('那兼职的呢', '专职就业指导人员要什么证')).toBe('兼职就业指导人员要什么证');
    expect(swapSide('那顶岗呢', '15岁能去跟岗实习吗')).toBe('15岁能去顶岗实习吗');
    expect(swapSide('what about part-time staff?', 'do full-time career staff need a certificate?')).toBe('do part-time career staff need a certificate?');
  });

  it('swaps nothing when the previous question named no side of that contrast', () => {
    expect(swapSide('那兼职的呢', '就业指导人员要什么证')).toBeNull();
    expect(swapSide('那押金呢', '专职就业指导人员要什么证')).toBeNull();
    expect(namesASide('what about the part-time ones?')).toBe(true);
    expect(namesASide('那押金呢')).toBe(false);
  });
});
