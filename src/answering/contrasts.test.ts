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

  it('tells a competition’s prizes and levels apart: a rule for the 二等奖 does not answer a 一等奖 question', () => {
    expect(speaksOfOtherSide('中职生省赛一等奖可以免试读高职吗', '获得省级竞赛二等奖的，职业技能测试成绩按满分计入总成绩。')).toBe(true);
    expect(speaksOfOtherSide('中职生省赛一等奖可以免试读高职吗', '获得省级竞赛一等奖的，可以免试推荐进入本省高等职业学校。')).toBe(false);
    expect(speaksOfOtherSide('国赛三等奖有奖金吗', '获得国家级竞赛三等奖或者省级竞赛一等奖的，给予总分加10分。')).toBe(false);
    expect(speaksOfOtherSide('How much for a 1st prize?', '获得二等奖的，每人奖励1万元。')).toBe(true);
    expect(speaksOfOtherSide('a 1st prize at the national vocational skills competition', '获得省级竞赛一等奖的学生，可直接认定中级工职业技能等级。')).toBe(true);
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

  it('asks about another prize the way it asked about the first ("那二等奖呢")', () => {
    expect(swapSide('那二等奖呢', '国赛一等奖能直接上本科不用考吗')).toBe('国赛二等奖能直接上本科不用考吗');
  });

  it('swaps nothing when the previous question named no side of that contrast', () => {
    expect(swapSide('那兼职的呢', '就业指导人员要什么证')).toBeNull();
    expect(swapSide('那押金呢', '专职就业指导人员要什么证')).toBeNull();
    expect(namesASide('what about the part-time ones?')).toBe(true);
    expect(namesASide('那押金呢')).toBe(false);
  });
});
