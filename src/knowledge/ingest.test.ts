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
import { sampleDocx, sampleHtml, samplePdf, sampleTxt } from './testing-fixtures.ts';
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
