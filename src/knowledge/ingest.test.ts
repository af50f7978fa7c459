/**
 * Ingest of every accepted format from fixtures made here (txt, docx, pdf, html, md), metadata
 * taken from the text, the same clause locators whatever the format, and files that cannot be
 * read refused with a message naming them.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { knowledgeDir } from '../paths.ts';
import { chunkDocument } from './chunker.ts';
import { readDocumentDirectory } from './corpus.ts';
import { DocumentFormatError } from './document.ts';
import { sniffKind } from './formats.ts';
import { adoptKnownIds, previewClauses, readUpload } from './ingest.ts';
import { datesIn, extractMetadata, regionOf, suggestId } from './metadata.ts';
import { coverNoticeLines, sampleDocx, sampleHtml, samplePdf, sampleTxt, signedNoticeLines } from './testing-fixtures.ts';
import { textToMarkdown } from './text-to-markdown.ts';

const expectedLocators = ['第一条', '第二条', '第三条', '第四条'];

function locators(upload: { document: { id: string; body: string } }): string[] {
  return previewClauses(upload.document).map((clause) => clause.locator);
}

describe('reading uploads', () => {
  it('a .txt: title, issuers, signature date, region and audience from the text; articles as clauses', async () => {
    const upload = await readUpload(sampleTxt(), '实习通知.txt');
    expect(upload.source).toMatchObject({ name: '实习通知.txt', kind: 'txt' });
    expect(upload.document).toMatchObject({
      title: '关于规范学生实习管理的通知',
      issuer: '山东省教育厅、山东省人力资源和社会保障厅',
      date: '2023-05-12',
      region: '山东省',
      status: 'in-force',
      audience: '中等职业学校',
    });
    expect(upload.missing).toEqual([]);
    expect(locators(upload)).toEqual([...expectedLocators, '落款']);
    const article3 = previewClauses(upload.document).find((clause) => clause.locator === '第三条')!;
    expect(article3.text).toContain('（一）向学生收取实习押金');
    expect(article3.text).toContain('（二）扣押学生的居民身份证');
    expect(upload.document.id).toMatch(/^shandong-2023-/u);
  });

  it('a GB18030 .txt reads like UTF-8', async () => {
    const { execFileSync } = await import('node:child_process');
    const gbk = execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: Buffer.from(sampleTxt()) });
    const upload = await readUpload(new Uint8Array(gbk), 'gbk.txt');
    expect(upload.document.title).toBe('关于规范学生实习管理的通知');
    expect(locators(upload)).toContain('第四条');
  });

  it('a Word file (.docx): the same document and clauses', async () => {
    const upload = await readUpload(await sampleDocx(), '实习通知.docx');
    expect(upload.source.kind).toBe('docx');
    expect(upload.document).toMatchObject({ title: '关于规范学生实习管理的通知', date: '2023-05-12', region: '山东省' });
    expect(locators(upload)).toEqual([...expectedLocators, '落款']);
    expect(upload.document.body).toContain('## 第二章 实习管理');
  });

  it('a web page (.html): scripts, styles and navigation left out, the table kept as rows', async () => {
    const upload = await readUpload(sampleHtml(), 'notice.html');
    expect(upload.source.kind).toBe('html');
    expect(upload.document.title).toBe('关于规范学生实习管理的通知');
    expect(upload.document.body).not.toContain('不要读我');
    expect(upload.document.body).not.toContain('首页');
    expect(locators(upload)).toEqual(expect.arrayContaining(expectedLocators));
    expect(previewClauses(upload.document).some((clause) => clause.text.includes('实习押金 不得收取'))).toBe(true);
    expect(upload.document.id).toBe('notice');
  });

  it('a PDF: text extracted page by page (Chinese with an embedded Noto CJK font; Latin where none is installed)', async () => {
    const { bytes, chinese } = await samplePdf();
    const upload = await readUpload(bytes, '通知.pdf');
    expect(upload.source.kind).toBe('pdf');
    if (chinese) {
      expect(upload.document).toMatchObject({ title: '关于规范学生实习管理的通知', date: '2023-05-12', region: '山东省' });
      expect(locators(upload)).toEqual([...expectedLocators, '落款']);
    } else {
      expect(upload.document.body).toContain('Internship companies shall not charge deposits');
      expect(upload.missing).toEqual(expect.arrayContaining(['issuer', 'region']));
    }
  });

  it('Markdown keeps its front matter; the admin’s corrections go on top', async () => {
    const markdown = '---\nid: sample\ntitle: 样例\nissuer: 教育部\nregion: 全国\nstatus: in-force\naudience: 中等职业学校\neffective_from: 2024-09-01\n---\n第一条 甲。\n';
    const upload = await readUpload(new TextEncoder().encode(markdown), 'sample.md', { region: '山东省', expiresOn: '2030-12-31' });
    expect(upload.document).toMatchObject({ id: 'sample', title: '样例', region: '山东省' });
    expect(upload.effectiveFrom).toBe('2024-09-01');
    expect(upload.expiresOn).toBe('2030-12-31');
    await expect(readUpload(new TextEncoder().encode('# 没有 front matter\n\n第一条 甲。'), 'bare.md')).rejects.toThrow(/bare\.md.*front matter/u);
  });

  it('a 征求意见稿 is a draft; what the text does not say is listed for the admin', async () => {
    const upload = await readUpload(new TextEncoder().encode('某某办法（征求意见稿）\n第一条 甲。\n第二条 乙。\n'), 'draft.txt');
    expect(upload.document.status).toBe('draft');
    expect(upload.missing).toEqual(expect.arrayContaining(['issuer', 'region', 'audience']));
    expect(upload.document.dateNote).toBe('文中未注明日期');
  });

  it('refuses what it cannot read, naming the file, by content and not by name', async () => {
    const refuse = async (bytes: Uint8Array, name: string, reason: RegExp): Promise<void> => {
      const error = await readUpload(bytes, name).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DocumentFormatError);
      expect((error as Error).message).toContain(name);
      expect((error as Error).message).toMatch(reason);
    };
    await refuse(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6]), 'broken.docx', /Word/u);
    await refuse(new TextEncoder().encode('%PDF-1.7\n1 0 obj garbage'), 'broken.pdf', /PDF/u);
    await refuse(sampleTxt(), 'pretend.pdf', /not a PDF/u);
    await refuse(sampleTxt(), 'pretend.docx', /not a Word/u);
    await refuse(await sampleDocx(), 'renamed.zip.txt', /zip/iu);
    await refuse(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), 'old.doc', /\.doc/u);
    await refuse(new Uint8Array([0x41, 0x00, 0x42]), 'binary.txt', /binary/u);
    await refuse(new Uint8Array(), 'empty.txt', /empty/u);
    await refuse(new Uint8Array(21 * 1024 * 1024), 'huge.txt', /too large/u);
    await refuse(new TextEncoder().encode('<html><body><script>x</script></body></html>'), 'blank.html', /no text/u);
    await refuse(sampleTxt(), 'notes.exe', /unsupported/u);
  });

  it('sniffs by magic bytes', async () => {
    expect(sniffKind(await sampleDocx(), 'a.docx')).toBe('docx');
    expect(sniffKind((await samplePdf()).bytes, 'a.pdf')).toBe('pdf');
    expect(sniffKind(sampleHtml(), 'page.txt')).toBe('html');
    expect(sniffKind(sampleTxt(), 'noextension')).toBe('txt');
  });

  it('never uses a client path: only the base name is kept, for display', async () => {
    const upload = await readUpload(sampleTxt(), '../../etc/passwd.txt');
    expect(upload.source.name).toBe('passwd.txt');
    const windows = await readUpload(sampleTxt(), 'C:\\Users\\x\\..\\通知.txt');
    expect(windows.source.name).toBe('通知.txt');
  });

  it('a file of a known title becomes a new version of that document', async () => {
    const upload = await readUpload(sampleTxt(), 'x.txt');
    const [adopted] = adoptKnownIds([upload], [{ docId: 'sd-internship', title: '关于规范学生实习管理的通知' }]);
    expect(adopted!.document.id).toBe('sd-internship');
  });
});

describe('a cover notice that issues a 办法 (关于印发《……办法》的通知 + the 办法)', () => {
  const articles = ['第一条', '第二条', '第三条', '第四条', '第五条'];

  it('is cited by the 办法: its title, its articles as clauses; the notice’s title and 文号 kept as front matter', async () => {
    const upload = await readUpload(sampleTxt(coverNoticeLines), '实习办法.txt');
    expect(upload.document).toMatchObject({
      title: '浙江省职业学校学生实习管理办法',
      issuer: '浙江省教育厅、浙江省人力资源和社会保障厅',
      date: '2024-03-15',
      region: '浙江省',
      status: 'in-force',
    });
    expect(upload.document.meta).toMatchObject({ notice_title: '关于印发《浙江省职业学校学生实习管理办法》的通知', notice_number: '浙教职成〔2024〕12号' });
    expect(upload.document.body.startsWith('# 浙江省职业学校学生实习管理办法\n\n## 第一章 总则\n\n第一条 ')).toBe(true);
    const clauses = previewClauses(upload.document);
    expect(clauses.map((clause) => clause.locator)).toEqual([...articles, '印发通知']);
    expect(clauses[0]!.headingPath).toEqual(['第一章 总则']);
    expect(clauses.find((clause) => clause.locator === '第三条')!.text).toContain('（二）向学生收取实习押金');
    // The notice's text is one section of its own, never an article's or a 序言.
    const notice = clauses.at(-1)!;
    expect(notice.headingPath).toEqual(['印发通知']);
    expect(notice.text).toContain('现将《浙江省职业学校学生实习管理办法》印发给你们');
    expect(notice.text).toContain('2024年3月15日');
    expect(clauses.filter((clause) => clause.locator !== '印发通知').some((clause) => /现将|各市教育局|2024年3月15日/u.test(clause.text))).toBe(false);
    expect(upload.document.id).toMatch(/^zhejiang-2024-/u);
  });

  it('applies from the 办法’s own 施行 date, the notice’s date staying the document date; the admin can change it', async () => {
    const upload = await readUpload(sampleTxt(coverNoticeLines), '实习办法.txt');
    expect(upload.effectiveFrom).toBe('2024-05-01');
    expect(upload.document.meta.extraction_notes).toEqual(expect.arrayContaining(['日期：印发通知落款日期', '施行日期：正文“自2024年5月1日起施行”']));
    expect((await readUpload(sampleTxt(coverNoticeLines), 'x.txt', { effectiveFrom: '2024-09-01' })).effectiveFrom).toBe('2024-09-01');
    expect((await readUpload(sampleTxt(coverNoticeLines), 'x.txt', { effectiveFrom: null })).effectiveFrom).toBeNull();
  });

  it('stops applying when its 有效期 ends, counted from its 施行 date; the admin can change or clear it', async () => {
    const lines = coverNoticeLines.map((line) => line.replace('自2024年5月1日起施行。', '自2024年5月1日起施行，有效期3年。'));
    const upload = await readUpload(sampleTxt(lines), '实习办法.txt');
    expect(upload).toMatchObject({ effectiveFrom: '2024-05-01', expiresOn: '2027-04-30' });
    expect(upload.document.meta.extraction_notes).toContain('失效日期：正文“有效期3年”');
    expect((await readUpload(sampleTxt(lines), 'x.txt', { expiresOn: '2028-12-31' })).expiresOn).toBe('2028-12-31');
    expect((await readUpload(sampleTxt(lines), 'x.txt', { expiresOn: null })).expiresOn).toBeNull();
    // without a 有效期 the upload has no end
    expect((await readUpload(sampleTxt(coverNoticeLines), 'x.txt')).expiresOn).toBeNull();
  });

  it('reads the same from a Word file (the notice’s title as Heading 1) and a web page', async () => {
    for (const [bytes, name] of [[await sampleDocx(coverNoticeLines), '实习办法.docx'], [sampleHtml(coverNoticeLines), 'notice.html']] as const) {
      const upload = await readUpload(bytes, name);
      expect(upload.document).toMatchObject({ title: '浙江省职业学校学生实习管理办法', issuer: '浙江省教育厅、浙江省人力资源和社会保障厅', date: '2024-03-15' });
      expect(upload.document.meta.notice_number).toBe('浙教职成〔2024〕12号');
      expect(upload.effectiveFrom).toBe('2024-05-01');
      expect(locators(upload)).toEqual(expect.arrayContaining([...articles, '印发通知']));
      expect(locators(upload)).not.toContain('序言');
    }
  });

  it('takes the issuers from the notice’s signature when its heading names none, and 自印发之日起施行 as the notice’s date', async () => {
    for (const [bytes, name] of [[sampleTxt(signedNoticeLines), '就业指导.txt'], [await sampleDocx(signedNoticeLines), '就业指导.docx']] as const) {
      const upload = await readUpload(bytes, name);
      expect(upload.document).toMatchObject({
        title: '安徽省中等职业学校毕业生就业指导工作办法',
        issuer: '安徽省教育厅、安徽省人力资源和社会保障厅',
        date: '2023-09-08',
        region: '安徽省',
        audience: '中等职业学校',
      });
      expect(upload.missing).toEqual([]);
      expect(upload.effectiveFrom).toBe('2023-09-08');
      expect(upload.document.meta).toMatchObject({ notice_number: '皖教秘职成〔2023〕45号' });
      expect(upload.document.meta.extraction_notes).toContain('发文机关：印发通知落款');
      expect(locators(upload)).toEqual(['第一条', '第二条', '第三条', '第四条', '第五条', '第六条', '第七条', '第八条', '第九条', '印发通知']);
    }
  });

  it('a .txt with a PDF’s hard line breaks: sentences joined again, the notice’s title and 文号 kept apart', async () => {
    const wrapped = coverNoticeLines.flatMap((line) => line.match(/.{1,26}/gu)!);
    expect(wrapped.length).toBeGreaterThan(coverNoticeLines.length);
    const upload = await readUpload(sampleTxt(wrapped), '实习办法.txt');
    expect(upload.document).toMatchObject({ title: '浙江省职业学校学生实习管理办法', date: '2024-03-15' });
    expect(upload.effectiveFrom).toBe('2024-05-01');
    const clauses = previewClauses(upload.document);
    expect(clauses.map((clause) => clause.locator)).toEqual([...articles, '印发通知']);
    expect(clauses[0]!.text).toBe(coverNoticeLines[11]);
    expect(clauses.at(-1)!.text.split('\n').slice(0, 2)).toEqual(['关于印发《浙江省职业学校学生实习管理办法》的通知', '浙教职成〔2024〕12号']);
  });

  it('a PDF of the notice reads the same (where a CJK font is installed)', async () => {
    const { bytes, chinese } = await samplePdf(coverNoticeLines);
    if (!chinese) return;
    const upload = await readUpload(bytes, '实习办法.pdf');
    expect(upload.document).toMatchObject({ title: '浙江省职业学校学生实习管理办法', date: '2024-03-15' });
    expect(locators(upload)).toEqual([...articles, '印发通知']);
  });

  it('a notice uploaded without the 办法 it issues is the notice itself', async () => {
    const upload = await readUpload(sampleTxt(coverNoticeLines.slice(0, 9)), 'notice.txt');
    expect(upload.document.title).toBe('关于印发《浙江省职业学校学生实习管理办法》的通知');
    expect(upload.document.meta.notice_title).toBeUndefined();
    expect(locators(upload)).not.toContain('印发通知');
  });

  it('a new notice of a known 办法 becomes its next version', async () => {
    const upload = await readUpload(sampleTxt(coverNoticeLines), 'x.txt');
    const [adopted] = adoptKnownIds([upload], [{ docId: 'zj-internship', title: '浙江省职业学校学生实习管理办法' }]);
    expect(adopted!.document.id).toBe('zj-internship');
  });
});

describe('the original policy texts as .txt uploads', () => {
  it('give the clause locators of the curated Markdown documents', async () => {
    const curated = await readDocumentDirectory(path.join(knowledgeDir, 'documents'));
    const originals = (await readdir(path.join(knowledgeDir, 'originals'))).filter((name) => name.endsWith('.txt'));
    let common = 0;
    let total = 0;
    for (const name of originals) {
      const upload = await readUpload(await readFile(path.join(knowledgeDir, 'originals', name)), name);
      const document = curated.find((d) => d.meta.source === name)!;
      const want = new Set(chunkDocument(document).map((clause) => clause.locator));
      const got = new Set(locators(upload));
      total += want.size;
      common += [...want].filter((locator) => got.has(locator)).length;
      expect(upload.document.title.replace(/\s/gu, '')).toBe(document.title.replace(/\s/gu, ''));
    }
    expect(common / total).toBeGreaterThan(0.92);
  });

  it('read issuer, date and region where the text states them', async () => {
    const shandong = await readUpload(await readFile(path.join(knowledgeDir, 'originals', '001_6b6e95c9a2e4cba1.txt')), '001.txt');
    expect(shandong.document).toMatchObject({ issuer: '山东省人力资源和社会保障厅、山东省教育厅', date: '2023-11-23', region: '山东省' });
    const lasa = await readUpload(await readFile(path.join(knowledgeDir, 'originals', '003_e91eeba2d6c6e821.txt')), '003.txt');
    expect(lasa.document.region).toBe('拉萨市');
  });
});

describe('metadata from text', () => {
  it('reads dates in digits and in Chinese numerals', () => {
    expect(datesIn('二〇二三年十一月二十三日印发；2024年3月1日起施行')).toEqual(['2023-11-23', '2024-03-01']);
  });

  it('names the region of the issuer, a city, or 全国 for a ministry', () => {
    expect(regionOf('拉萨市人力资源和社会保障局')).toBe('拉萨市');
    expect(regionOf('教育部办公厅')).toBe('全国');
    expect(regionOf('广西壮族自治区教育厅')).toBe('广西壮族自治区');
    expect(regionOf('浙江教育厅')).toBe('浙江省');
  });

  it('takes the title from 《》 when there is no heading line', () => {
    expect(extractMetadata('现将《中等职业学校学生实习管理办法》印发给你们，请遵照执行。\n第一条 甲。').title).toBe('中等职业学校学生实习管理办法');
  });

  it('suggests ids from ASCII file names, else region, year and title initials', () => {
    expect(suggestId('任意', null, null, 'MOE-2018 guidance.docx')).toBe('moe-2018-guidance');
    expect(suggestId('关于加强职业指导队伍建设的指导意见', '山东省', '2023-11-23', '通知.pdf')).toBe('shandong-2023-gyjqzyzddw');
  });

  it('joins lines a PDF broke inside a sentence, but not headings or items', () => {
    const long = '学校应当建立健全学生实习管理制度，明确实习岗位、实习时间、实习报酬和实习期间的安全';
    const markdown = textToMarkdown(`一、总体要求\n${long}\n保障责任。\n（一）实习管理\n${long}\n保障责任。`, undefined);
    expect(markdown).toContain(`${long}保障责任。`);
    expect(markdown).toContain('## 一、总体要求');
    expect(markdown).toContain('### （一）实习管理');
  });
});
