import { describe, expect, it } from 'vitest';
import { DocumentFormatError, noticeOf, parseDocument } from './document.ts';

const frontMatter = (fields: Record<string, string>): string =>
  ['---', ...Object.entries(fields).map(([key, value]) => `${key}: ${value}`), '---'].join('\n');

const validFields = {
  id: '"liaoning-zhongzhi-quality"',
  title: '"关于进一步规范中等职业学校管理全面提升中等职业教育质量的意见"',
  issuer: '"辽宁省教育厅"',
  region: '"辽宁省"',
  date: 'null',
  date_note: '"文中未注明日期"',
  status: '"in-force"',
  audience: '"中等职业学校"',
  source: '"004_811d48db21a755ad.txt"',
  issuer_note: '"由正文推断"',
};

const body = '# 标题\n\n## 二、进一步规范中等职业学校办学行为\n\n11. 严格规范实习管理。不得扣押学生的居民身份证。\n';
const markdown = `${frontMatter(validFields)}\n${body}`;

/** The error parseDocument throws for a text, so that its message can be read. */
function formatError(text: string, source = 'broken.md'): DocumentFormatError {
  try {
    parseDocument(text, source);
  } catch (error) {
    expect(error).toBeInstanceOf(DocumentFormatError);
    return error as DocumentFormatError;
  }
  throw new Error('parseDocument accepted the document');
}

describe('parseDocument', () => {
  it('reads the front matter fields and the body after it', () => {
    const document = parseDocument(markdown, 'liaoning.md');
    expect(document).toMatchObject({
      id: 'liaoning-zhongzhi-quality',
      title: '关于进一步规范中等职业学校管理全面提升中等职业教育质量的意见',
      issuer: '辽宁省教育厅',
      region: '辽宁省',
      date: null,
      dateNote: '文中未注明日期',
      status: 'in-force',
      audience: '中等职业学校',
    });
    expect(document.body).toBe(body.trim());
  });

  it('keeps front-matter keys it does not know in meta, and only those', () => {
    const { meta } = parseDocument(markdown, 'liaoning.md');
    expect(meta).toEqual({ source: '004_811d48db21a755ad.txt', issuer_note: '由正文推断' });
  });

  it('keeps the cover notice’s title and number (文号) in meta, checked as text', () => {
    const notice = { notice_title: '"关于印发《浙江省职业学校学生实习管理办法》的通知"', notice_number: '"浙教职成〔2024〕12号"' };
    const { meta } = parseDocument(`${frontMatter({ ...validFields, ...notice })}\n${body}`, 'x.md');
    expect(noticeOf(meta)).toEqual({ noticeTitle: '关于印发《浙江省职业学校学生实习管理办法》的通知', noticeNumber: '浙教职成〔2024〕12号' });
    expect(noticeOf({})).toEqual({ noticeTitle: null, noticeNumber: null });
    expect(formatError(`${frontMatter({ ...validFields, notice_number: '[12]' })}\n${body}`).message).toMatch(/notice_number/u);
  });

  it('reads a stated date as YYYY-MM-DD, quoted or not', () => {
    expect(parseDocument(`${frontMatter({ ...validFields, date: '"2023-11-23"' })}\n${body}`, 'x.md').date).toBe('2023-11-23');
    expect(parseDocument(`${frontMatter({ ...validFields, date: '2023-11-23' })}\n${body}`, 'x.md').date).toBe('2023-11-23');
  });

  it('treats a missing date and date note as unknown', () => {
    const { date: _date, date_note: _note, ...rest } = validFields;
    const document = parseDocument(`${frontMatter(rest)}\n${body}`, 'x.md');
    expect(document.date).toBeNull();
    expect(document.dateNote).toBeNull();
  });

  it('reads a file saved with a byte-order mark and Windows line ends like any other', () => {
    const windows = `\uFEFF${markdown.replace(/\n/gu, '\r\n')}`;
    const parsed = parseDocument(windows, 'liaoning.md');
    expect(parsed).toEqual(parseDocument(markdown, 'liaoning.md'));
    expect(parsed.body).not.toContain('\r');
  });

  it('rejects a document without front matter, naming the file', () => {
    const error = formatError(body, 'no-front-matter.md');
    expect(error.source).toBe('no-front-matter.md');
    expect(error.message).toMatch(/^no-front-matter\.md: missing front matter/u);
  });

  it('rejects front matter that is not YAML, naming the file', () => {
    const error = formatError(`---\ntitle: [unclosed\n---\n${body}`, 'bad-yaml.md');
    expect(error.message).toMatch(/^bad-yaml\.md: front matter is not valid YAML/u);
  });

  it('names the file and the field when a required field is missing', () => {
    const { title: _title, ...rest } = validFields;
    const error = formatError(`${frontMatter(rest)}\n${body}`, 'untitled.md');
    expect(error.message).toMatch(/^untitled\.md: front matter: /u);
    expect(error.message).toContain('title');
    expect(error.message).not.toContain('issuer');
  });

  it.each([
    ['id', '"Liaoning_Quality"'],
    ['date', '"2023/11/23"'],
    ['status', '"repealed"'],
    ['region', '""'],
  ])('names the file and the field when %s has a bad value', (field, value) => {
    const error = formatError(`${frontMatter({ ...validFields, [field]: value })}\n${body}`, 'bad-field.md');
    expect(error.message).toMatch(new RegExp(`^bad-field\\.md: front matter: ${field}: `, 'u'));
  });

  it('rejects a document with nothing after the front matter', () => {
    const error = formatError(`${frontMatter(validFields)}\n\n   \n`, 'empty-body.md');
    expect(error.message).toBe('empty-body.md: the document has no text after the front matter');
  });
});
