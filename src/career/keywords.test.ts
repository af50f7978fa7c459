import { describe, expect, it } from 'vitest';
import { keywordsIn } from './keywords.ts';

describe('keywords in a text', () => {
  it('lets a longer keyword hide the shorter ones inside it', () => {
    expect(keywordsIn('电子商务', ['电子', '电子商务', '商务'])).toEqual(['电子商务']);
    expect(keywordsIn('帮同学修电脑', ['修', '电脑', '修电脑', '电'])).toEqual(['修电脑']);
    expect(keywordsIn('坐火车去旅行', ['车', '火车', '旅行'])).toEqual(['火车', '旅行']);
  });

  it('counts a short keyword where it stands on its own, once, in reading order', () => {
    expect(keywordsIn('机械设计与制造，也做设计', ['设计', '机械设计', '制造'])).toEqual(['机械设计', '制造', '设计']);
    expect(keywordsIn('修车、修车', ['修车'])).toEqual(['修车']);
  });

  it('ignores width and case', () => {
    expect(keywordsIn('拍ＶＬＯＧ', ['vlog'])).toEqual(['vlog']);
    expect(keywordsIn('', ['车'])).toEqual([]);
  });
});
