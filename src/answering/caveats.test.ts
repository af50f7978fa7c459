import { describe, expect, it } from 'vitest';
import type { DocumentInfo } from '../knowledge/snapshot.ts';
import type { Clause } from '../knowledge/types.ts';
import { Replies } from '../prompts.ts';
import { caveatsFor, dateText, issuedYear } from './caveats.ts';

const replies = new Replies();
const now = new Date('2025-06-01T00:00:00Z');

const nationalRecent: DocumentInfo = {
  id: 'national',
  title: '全国文件',
  issuer: '教育部',
  region: '全国',
  date: '2023-11-23',
  dateNote: null,
  status: 'in-force',
  audience: '中等职业学校',
};

const clause = (text = '中等职业学校应至少配备1名专兼职教师从事职业指导。'): Clause => ({
  id: 'national#0',
  docId: 'national',
  locator: '第十五条',
  headingPath: [],
  text,
  context: '',
  ordinal: 0,
  part: 1,
  parts: 1,
});

const caveats = (question: string, document: DocumentInfo, text?: string): string[] =>
  caveatsFor(question, [{ clause: clause(text), document }], 'zh', replies, now);

describe('caveatsFor', () => {
  it('has nothing to add for a recent national document in force', () => {
    expect(caveats('中职学校要配几名职业指导老师？', nationalRecent)).toEqual([]);
  });

  it('says a school’s own answer is the school’s, not a policy document — and not that it binds one region only', () => {
    const schoolAnswer: DocumentInfo = { ...nationalRecent, id: 'school-qa', title: '郑州市财贸学校就业指导问答', issuer: '郑州市财贸学校', region: '郑州市财贸学校', date: '2012-12-02', type: '校内答复' };
    expect(caveats('推荐表什么时候发？上大学还要吗', schoolAnswer)).toEqual([
      '这是郑州市财贸学校老师对同类问题的答复，代表学校自己的做法，不是政策文件；具体办理请以学校的最新通知为准，有疑问可以再问老师。',
    ]);
  });

  it('says when the cited version has expired or a newer version replaced it', () => {
    const expired: DocumentInfo = {
      ...nationalRecent,
      versionInfo: { number: 2, state: 'published', effectiveFrom: '2024-01-01', expiresOn: '2025-01-01', publishedOn: '2023-12-01' },
    };
    expect(caveats('中职学校要配几名职业指导老师？', expired).join('')).toContain('有效期到2025-01-01为止');
    const superseded: DocumentInfo = {
      ...nationalRecent,
      versionInfo: { number: 1, state: 'superseded', effectiveFrom: null, expiresOn: null, publishedOn: '2023-11-23', supersededBy: { number: 2, effectiveFrom: '2025-03-01', publishedOn: '2025-02-01' } },
    };
    expect(caveats('中职学校要配几名职业指导老师？', superseded).join('')).toContain('已被第2版（2025-03-01起施行）取代');
    const upcoming: DocumentInfo = {
      ...nationalRecent,
      versionInfo: { number: 3, state: 'published', effectiveFrom: '2025-09-01', expiresOn: null, publishedOn: '2025-05-20' },
    };
    expect(caveats('中职学校要配几名职业指导老师？', upcoming).join('')).toContain('自2025-09-01起施行，目前还没有生效');
  });

  it('says a regional document binds its own region and audience only', () => {
    const liaoning = { ...nationalRecent, region: '辽宁省' };
    expect(caveats('实习押金', liaoning)).toEqual([replies.render('zh', 'caveat_regional', { region: '辽宁省', audience: '中等职业学校' })]);
  });

  it('says a regional service standard binds service bodies, not schools', () => {
    const lhasa = { ...nationalRecent, region: '拉萨市', audience: '高校及中职毕业生就业指导服务机构' };
    expect(caveats('投诉多久有结果', lhasa)).toEqual([replies.render('zh', 'caveat_regional_service', { region: '拉萨市' })]);
  });

  it('warns that a draft is not in force', () => {
    expect(caveats('投诉多久有结果', { ...nationalRecent, status: 'draft' })).toEqual([replies.render('zh', 'caveat_draft')]);
  });

  it('warns that a document ten or more years old may be out of date, by its date or its date note', () => {
    const dated = caveats('就业指导课', { ...nationalRecent, date: '2015-03-01' });
    expect(dated).toEqual([replies.render('zh', 'caveat_old', { when: '2015-03-01' })]);
    const noted = caveats('就业指导课', { ...nationalRecent, date: null, dateNote: '约2008年' });
    expect(noted).toEqual([replies.render('zh', 'caveat_old', { when: '约2008年' })]);
    expect(caveats('就业指导课', { ...nationalRecent, date: '2016-03-01' })).toEqual([]);
  });

  it('warns when the document is about another kind of school than the question', () => {
    const aboutSecondary = caveats('大学生实习能收押金吗', nationalRecent);
    expect(aboutSecondary).toEqual([replies.render('zh', 'caveat_audience', { audience: '中等职业学校' })]);
    const aboutUniversities = caveats('中职生能参加吗', { ...nationalRecent, audience: '普通高等学校毕业生' });
    expect(aboutUniversities).toEqual([replies.render('zh', 'caveat_audience', { audience: '普通高等学校毕业生' })]);
    expect(caveats('中职生能参加吗', { ...nationalRecent, audience: '高校及中职毕业生' })).toEqual([]);
  });

  it('warns when the rule depends on the student’s age', () => {
    expect(caveats('实习要家长同意吗', nationalRecent, '未满 18 周岁的学生参加顶岗实习应征得监护人同意。')).toEqual([
      replies.render('zh', 'caveat_age'),
    ]);
  });

  it('gives each caveat once, however many cited clauses call for it', () => {
    const liaoning = { ...nationalRecent, region: '辽宁省', date: null, dateNote: '约2008年' };
    const cited = [
      { clause: clause(), document: liaoning },
      { clause: { ...clause(), id: 'national#1' }, document: liaoning },
    ];
    const result = caveatsFor('实习押金', cited, 'zh', replies, now);
    expect(result).toHaveLength(2);
    expect(new Set(result).size).toBe(2);
  });

  it('speaks English to an English question', () => {
    const [regional] = caveatsFor('deposit', [{ clause: clause(), document: { ...nationalRecent, region: '辽宁省' } }], 'en', replies, now);
    expect(regional).toBe(replies.render('en', 'caveat_regional', { region: '辽宁省', audience: '中等职业学校' }));
    expect(regional).toMatch(/^This is a 辽宁省 document/u);
  });
});

describe('issuedYear', () => {
  it('reads the year from the date, or an approximate one from the date note', () => {
    expect(issuedYear({ date: '2023-11-23', dateNote: null })).toBe(2023);
    expect(issuedYear({ date: null, dateNote: '文中未注明日期（约2008年，“十一五”期间）' })).toBe(2008);
    expect(issuedYear({ date: null, dateNote: '标准草案，文中未注明日期' })).toBeNull();
    expect(issuedYear({ date: null, dateNote: null })).toBeNull();
  });
});

describe('dateText', () => {
  it('shows a known date as it is', () => {
    expect(dateText({ date: '2023-11-23', dateNote: null }, 'zh', replies)).toBe('2023-11-23');
  });

  it('says what is known about an unknown date instead of guessing one', () => {
    expect(dateText({ date: null, dateNote: '文中未注明发布日期（约2018年）' }, 'zh', replies)).toBe('日期：文中未注明发布日期（约2018年）');
    expect(dateText({ date: null, dateNote: null }, 'zh', replies)).toBe('日期：文中未注明');
    expect(dateText({ date: null, dateNote: null }, 'en', replies)).toBe('date: not stated in the document');
  });
});
