import { describe, expect, it } from 'vitest';
import { answerTypeIsStrict, answerTypeOf, holdsAnswerType } from './answer-types.ts';

describe('answerTypeOf', () => {
  it('reads an amount of money, a calendar date and the day a rule takes effect from students’ words', () => {
    expect(answerTypeOf('找工作补贴一共能拿多少钱啊')).toBe('money');
    expect(answerTypeOf('开店的补贴给多少')).toBe('money');
    expect(answerTypeOf('How much prize money do I get for a first prize?')).toBe('money');
    expect(answerTypeOf('how much subsidy can a graduate get')).toBe('money');
    expect(answerTypeOf('补贴一般几月份申请？')).toBe('date');
    expect(answerTypeOf('这个补贴政策从啥时候开始实行的')).toBe('effective');
    expect(answerTypeOf('When does this rule take effect?')).toBe('effective');
  });

  it('keeps how long and how many, and asks about eligibility only when nothing more specific is asked', () => {
    expect(answerTypeOf('投诉多久有结果')).toBe('duration');
    expect(answerTypeOf('中职学校要配几名职业指导老师')).toBe('quantity');
    expect(answerTypeOf('我有残疾证，找工作补贴能申请吗')).toBe('eligibility');
    expect(answerTypeOf('能领几次')).toBe('quantity');
    expect(answerTypeOf('实习单位能扣我身份证吗')).toBeNull();
  });

  it('does not take a document number (几号文) for a date', () => {
    expect(answerTypeOf('这是几号文件')).not.toBe('date');
  });
});

describe('holdsAnswerType', () => {
  it('finds an amount in 元, a date, and the sentence that sets a rule in force', () => {
    expect(holdsAnswerType('money', '求职创业补贴标准为每人2000元，一次性发放。')).toBe(true);
    expect(holdsAnswerType('money', '公示内容包括姓名和补贴金额。')).toBe(false);
    expect(holdsAnswerType('date', '毕业生应当于毕业学年的10月1日至11月30日期间提出申请。')).toBe(true);
    expect(holdsAnswerType('date', '应当在20个工作日内完成审核。')).toBe(false);
    expect(holdsAnswerType('effective', '本办法自2025年8月1日起施行，有效期5年。')).toBe(true);
    expect(holdsAnswerType('effective', '实行线上申领、学校初审的工作机制。')).toBe(false);
  });

  it('counts years (见习期最长3年, 有效期5年) as a quantity, but not the year of a date in a signature block', () => {
    expect(holdsAnswerType('quantity', '见习期限一般为3至12个月，最长不超过1年。')).toBe(true);
    expect(holdsAnswerType('quantity', '本办法自2025年4月1日起施行，有效期5年。')).toBe(true);
    expect(holdsAnswerType('quantity', '山东省人力资源和社会保障厅\n山东省教育厅\n2023年11月23日')).toBe(false);
    expect(holdsAnswerType('quantity', '2018年印发')).toBe(false);
  });

  it('treats only a figure or a date as an answer a clause states or not', () => {
    expect(['money', 'date', 'effective'].every((type) => answerTypeIsStrict(type as never))).toBe(true);
    expect(answerTypeIsStrict('quantity')).toBe(false);
    expect(answerTypeIsStrict('eligibility')).toBe(false);
    expect(answerTypeIsStrict(null)).toBe(false);
  });
});
