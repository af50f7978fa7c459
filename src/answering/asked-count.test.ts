import { describe, expect, it } from 'vitest';
import { countAsked, countFit, statesCount } from './asked-count.ts';

describe('countAsked', () => {
  it('reads the unit a count question names, with the units that count the same thing', () => {
    expect(countAsked('学校一年开几次就业专题会')?.units).toContain('次');
    expect(countAsked('就业指导课一学期有多少课时')?.units).toEqual(expect.arrayContaining(['课时', '学时', '节']));
    expect(countAsked('要有几年工作经验')?.units).toEqual(expect.arrayContaining(['年', '月', '工作日']));
  });

  it('leaves the unit open for 几个 and 多少 without one, and for English', () => {
    expect(countAsked('学校要配几个老师')).toEqual({ units: [], things: true });
    expect(countAsked('经费最少要花多少')).toEqual({ units: [], things: true });
    expect(countAsked('How many career teachers must a school have?')).toEqual({ units: [], things: true });
  });

  it('is no count question for which ones, which year or a number the student states', () => {
    for (const question of ['中职要坚持哪几个原则', '第几条规定的', '大几开始上职业规划课', '我们十几个人能一起去实习吗', '学校就几个人，能不能多派点老师', '几年级开始实习', '多少钱', '有多少部门负责']) {
      expect(countAsked(question)?.units.length ?? 0, question).toBe(0);
    }
    expect(countAsked('中职要坚持哪几个原则')).toBeNull();
    expect(countAsked('我们十几个人能一起去实习吗')).toBeNull();
  });
});

describe('statesCount', () => {
  it('finds a number followed by the unit asked, in digits or Chinese numerals', () => {
    expect(statesCount('校党委会每年至少召开两次专题会议。', countAsked('一年开几次会')!)).toBe(true);
    expect(statesCount('具有1年以上相关工作经验。', countAsked('要几年经验')!)).toBe(true);
    expect(statesCount('见习期限一般为半年。', countAsked('见习要几个月')!)).toBe(true);
  });

  it('does not take a number that counts something else', () => {
    expect(statesCount('校党委会每年至少召开两次专题会议。', countAsked('有多少课时')!)).toBe(false);
    expect(statesCount('（2）开展政策咨询时，应印制政策解读手册。', countAsked('一年开几次会')!)).toBe(false);
  });

  it('does not answer hours in a day with a length of months, nor months with hours', () => {
    expect(statesCount('确保学生至少有半年时间在用人单位实习。', countAsked('实习一天最多干几个小时')!)).toBe(false);
    expect(statesCount('每天实习时间最多8小时。', countAsked('实习一天最多干几个小时')!)).toBe(true);
    expect(statesCount('每天实习时间最多8小时。', countAsked('见习要几个月')!)).toBe(false);
  });

  it('takes a list, a ratio or N个 for a count of things', () => {
    expect(statesCount('应坚持以下原则：以学生为本原则；循序渐进原则；协同推进原则。', countAsked('有几个原则')!)).toBe(true);
    expect(statesCount('专职人员与应届毕业生的比例不低于1：500。', countAsked('要配多少名专职人员')!)).toBe(true);
    expect(statesCount('每所高校要有3个以上的就业见习基地。', countAsked('至少要有几家见习基地')!)).toBe(true);
  });

  it('takes a rule that none is due, or that says how the number is set', () => {
    expect(statesCount('不得向学生收取实习押金。', countAsked('实习押金交多少')!)).toBe(true);
    expect(statesCount('按毕业生规模配备电脑。', countAsked('要配几台电脑')!)).toBe(true);
  });

  it('reads lessons attended as the lessons asked for', () => {
    expect(statesCount('校长每学期听课至少 10 次。', countAsked('校长一学期听几节课')!)).toBe(true);
  });
});

describe('countFit', () => {
  it('tells a lead that counts something else from one with no number', () => {
    expect(countFit('就业指导课有多少课时', ['校党委会每年至少召开两次专题会议。'])).toBe('counts-something-else');
    expect(countFit('就业指导课有多少课时', ['要把就业指导课列入公共必修课。'])).toBe('no-count');
    expect(countFit('一年开几次会', ['每年至少召开两次专题会议。'])).toBe('counted');
    expect(countFit('实习单位能收押金吗', ['不得收取押金。'])).toBe('not-a-count');
  });
});
