import { describe, expect, it } from 'vitest';
import { chunkDocument } from './chunker.ts';
import { documentFrom } from './document.ts';
import { answeredBy, chineseNumber, cleanAnswer, cleanQuestion, entriesOf, schoolAnswerType, schoolName, schoolQaDocument, type SchoolQaEntry } from './school-qa.ts';

const entries: SchoolQaEntry[] = [
  { number: 1, question: '就业推荐表什么时候发？', answer: '每年11月中旬由班主任统一发放。', author: '李老师', date: '2026-12-02' },
  { number: 2, question: '推荐表丢了怎么办？', answer: '带学生证到招生就业处补领。\n周五下午不办公。', author: '王老师', date: '2026-12-03' },
];

describe('the school’s Q&A document', () => {
  it('numbers entries as clauses are numbered', () => {
    expect([1, 9, 10, 11, 20, 99, 100, 101, 110, 999].map(chineseNumber)).toEqual(['一', '九', '十', '十一', '二十', '九十九', '一百', '一百零一', '一百一十', '九百九十九']);
    expect(() => chineseNumber(1000)).toThrow(RangeError);
  });

  it('is a 校内答复 document of the school whose entries chunk into 第N条 clauses carrying the question and who answered', () => {
    const document = schoolQaDocument('郑州市财贸学校', entries);
    expect(document).toMatchObject({ id: 'school-qa', title: '郑州市财贸学校就业指导问答', issuer: '郑州市财贸学校', type: schoolAnswerType, date: '2026-12-03', meta: { author: '王老师' } });
    const clauses = chunkDocument(document);
    expect(clauses.map((clause) => clause.locator)).toEqual(['第一条', '第二条']);
    expect(clauses[1]!.text).toBe('第二条 带学生证到招生就业处补领。\n周五下午不办公。');
    expect(clauses[1]!.context).toContain('问：推荐表丢了怎么办？');
    expect(answeredBy(clauses[0]!.headingPath)).toEqual({ author: '李老师', date: '2026-12-02' });
    expect(entriesOf(document.body)).toEqual(entries);
  });

  it('reads back through the front-matter check with its type', () => {
    const document = schoolQaDocument('本校', entries);
    const { id, title, issuer, region, date, status, audience, body, meta } = document;
    const read = documentFrom({ id, title, issuer, region, date, status, audience, ...meta }, body, 'school-qa.md');
    expect(read.type).toBe(schoolAnswerType);
    expect(entriesOf(read.body)).toEqual(entries);
  });

  it('keeps a proposal to one clause and without personal data', () => {
    expect(cleanQuestion('  我叫王小明，电话13812345678\n推荐表呢 ')).toBe('我叫〔姓名〕，电话〔电话〕 推荐表呢');
    expect(cleanQuestion('## 标题')).toBe('标题');
    expect(cleanAnswer('第一段\n\n# 不是标题\n| 不是表格')).toBe('第一段\n不是标题\n不是表格');
    const clauses = chunkDocument(schoolQaDocument('本校', [{ ...entries[0]!, answer: cleanAnswer('可以。\n\n1. 先找班主任\n2. 再去就业处') }]));
    expect(clauses.map((clause) => clause.locator)).toEqual(['第一条']);
  });

  it('takes the school’s name from SCHOOL_NAME, 本校 without it', () => {
    expect(schoolName({ SCHOOL_NAME: ' 郑州市财贸学校 ' })).toBe('郑州市财贸学校');
    expect(schoolName({})).toBe('本校');
  });
});
