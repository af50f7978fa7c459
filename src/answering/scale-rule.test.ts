import { describe, expect, it } from 'vitest';
import { countsIn, quantityFrom, scaleResults, type StatedCount } from './scale-rule.ts';

const count = (value: number, noun: string | null = null): StatedCount => ({ value, noun, words: '' });

const computers = '信息查询室为在校学生查询就业信息场所。用于学生查询就业信息的电脑按毕业生规模配备，1000人以下的不少于10台，1000人以上每增加200人增加1台。';
const hall = '招聘会议厅为用人单位与在校学生进行供需见面、双向选择活动的场所。其使用面积按毕业生规模计算，1000名以下的要达到200平方米，每增加500名毕业生增加50平方米。';
const ratio = '学校就业指导与服务职能部门要按照专职人员与应届毕业生的比例不低于1：500和“专业化、职业化、专家化”的标准，配备就业指导专职人员。';

describe('quantityFrom', () => {
  it('reads digits and Chinese numerals, the short way of saying them too', () => {
    expect(quantityFrom('1,500')).toBe(1500);
    expect(quantityFrom('一千五百')).toBe(1500);
    expect(quantityFrom('一千五')).toBe(1500);
    expect(quantityFrom('两千三')).toBe(2300);
    expect(quantityFrom('1.5万')).toBe(15000);
    expect(quantityFrom('十二')).toBe(12);
    expect(quantityFrom('很多')).toBeNull();
  });
});

describe('countsIn', () => {
  it('finds an exact count with what it counts, the noun before or after the number', () => {
    expect(countsIn('我们学校1500个毕业生要配几个')).toEqual([{ value: 1500, noun: '毕业生', words: '1500个毕业生' }]);
    expect(countsIn('我们毕业生才800人呢')).toEqual([{ value: 800, noun: '毕业生', words: '毕业生才800人' }]);
    expect(countsIn('那要是1600人呢')).toEqual([{ value: 1600, noun: null, words: '1600人' }]);
    expect(countsIn('what if we have 1800 graduates?')).toEqual([{ value: 1800, noun: '毕业生', words: '1800 graduates' }]);
    expect(countsIn('我们省有40所学校')).toEqual([{ value: 40, noun: '学校', words: '40所学校' }]);
  });

  it('leaves out approximate counts and bounds: no computation from a guess', () => {
    for (const text of ['毕业生不到一千', '八百来个毕业生', '2000多人', '大概1500人', '1000名以下的学校']) expect(countsIn(text)).toEqual([]);
  });
});

describe('scaleResults', () => {
  it('computes a ratio for the side the student counted, rounding a minimum up', () => {
    expect(scaleResults(ratio, count(1500, '毕业生'))).toMatchObject([
      { rule: '专职人员与应届毕业生的比例不低于1：500', steps: ['1500 ÷ 500 = 3'], value: 3, amount: '3名专职人员', minimum: true, roundedUp: false },
    ]);
    expect(scaleResults(ratio, count(1600))).toMatchObject([{ steps: ['1600 ÷ 500 = 3.2'], value: 4, roundedUp: true }]);
  });

  it('computes a tiered rule: the base amount up to a size, then whole steps', () => {
    expect(scaleResults(computers, count(1600))).toMatchObject([
      { rule: '1000人以下的不少于10台，1000人以上每增加200人增加1台', steps: ['1600 − 1000 = 600', '600 ÷ 200 = 3', '10 + 3 × 1 = 13'], amount: '13台' },
    ]);
    expect(scaleResults(hall, count(3000, '毕业生'))).toMatchObject([{ amount: '400平方米', minimum: true }]);
    expect(scaleResults(computers, count(800, '毕业生'))).toMatchObject([{ steps: ['800 ≤ 1000'], amount: '10台' }]);
  });

  it('reads each sentence of a clause as its own rule', () => {
    expect(scaleResults(`${computers}\n${hall}`, count(2000)).map(({ amount }) => amount)).toEqual(['15台', '300平方米']);
  });

  it('computes a rule per so many, and a share of a total, from any document’s wording', () => {
    expect(scaleResults('各校按照每300名学生至少配备1名心理健康教育专职教师。', count(900, '学生'))).toMatchObject([{ value: 3, amount: '3名心理健康教育专职教师', minimum: true }]);
    expect(scaleResults('每年进行抽查，抽查比例不低于学校总数的15%。', count(50, '学校'))).toMatchObject([{ steps: ['50 × 15% = 7.5'], value: 8, roundedUp: true }]);
  });

  it('says nothing when the rule leaves the amount in doubt or counts something else', () => {
    // a part of a step: does 100 more graduates add a computer?
    expect(scaleResults(computers, count(1100))).toEqual([]);
    // an exact rule that does not divide evenly
    expect(scaleResults('高校按照每500名毕业生配备1名专职就业指导人员。', count(1200, '毕业生'))).toEqual([]);
    // teachers counted, the ratio counts graduates
    expect(scaleResults(ratio, count(40, '教师'))).toEqual([]);
    expect(scaleResults('贴息资金由自治区本级财政和市、县财政按6:4的比例分担。', count(1000))).toEqual([]);
    expect(scaleResults('面向全体学生，担保机构与经办银行的比例为8:2。', count(2000))).toEqual([]);
  });
});
