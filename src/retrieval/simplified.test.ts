import { describe, expect, it } from 'vitest';
import { toSimplified } from './simplified.ts';

describe('toSimplified', () => {
  it('folds traditional characters and leaves simplified text, English and digits alone', () => {
    expect(toSimplified('實習單位能扣我身份證嗎？')).toBe('实习单位能扣我身份证吗？');
    expect(toSimplified('職業指導老師要不要參加培訓')).toBe('职业指导老师要不要参加培训');
    expect(toSimplified('实习单位能扣我身份证吗 ID card 16岁')).toBe('实习单位能扣我身份证吗 ID card 16岁');
  });
});
