/**
 * Small policy files in every accepted format, made in the test from the same text: a Word file
 * (the `docx` writer), a PDF (pdfkit, with an embedded Noto CJK font when the machine has one —
 * Debian's fonts-noto-cjk — else Latin text), a web page, a .txt and a Markdown file.
 */
import { existsSync } from 'node:fs';

/** The Noto CJK font Debian's fonts-noto-cjk installs, when present. */
export const cjkFont = ['/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc'].find((file) => existsSync(file)) ?? null;

/** A short regulation: header, title, two chapters of articles with sub-items, signature. */
export const sampleLines = [
  '山东省教育厅 山东省人力资源和社会保障厅',
  '关于规范学生实习管理的通知',
  '第一章 总则',
  '第一条 为规范职业学校学生实习管理，保障学生合法权益，制定本通知。',
  '第二条 本通知适用于全省中等职业学校。',
  '第二章 实习管理',
  '第三条 实习单位不得有下列行为：',
  '（一）向学生收取实习押金；',
  '（二）扣押学生的居民身份证。',
  '第四条 学生每日实习时间不超过8小时。',
  '山东省教育厅',
  '山东省人力资源和社会保障厅',
  '2023年5月12日',
];

/**
 * A cover notice that issues a 办法, as provinces publish them: the issuers, the notice's title
 * (关于印发《……》的通知) and number, addressees, "现将……印发给你们", the signature and date —
 * then the 办法 itself, with its own title, chapters and articles and its own 施行 date.
 */
export const coverNoticeLines = [
  '浙江省教育厅 浙江省人力资源和社会保障厅',
  '关于印发《浙江省职业学校学生实习管理办法》的通知',
  '浙教职成〔2024〕12号',
  '各市教育局、人力资源和社会保障局，各职业学校：',
  '为规范职业学校学生实习工作，维护学生、学校和实习单位的合法权益，经研究，现将《浙江省职业学校学生实习管理办法》印发给你们，请结合实际认真贯彻执行。',
  '浙江省教育厅',
  '浙江省人力资源和社会保障厅',
  '2024年3月15日',
  '（此件主动公开）',
  '浙江省职业学校学生实习管理办法',
  '第一章 总则',
  '第一条 为规范职业学校学生实习工作，保障学生合法权益，根据《职业学校学生实习管理规定》，结合我省实际，制定本办法。',
  '第二条 本办法适用于我省中等职业学校和高等职业学校。',
  '第二章 实习组织',
  '第三条 实习单位不得有下列情形：',
  '（一）安排学生从事高空、井下等危险作业；',
  '（二）向学生收取实习押金或者扣押学生的居民身份证。',
  '第四条 学生每日实习时间不超过8小时，每周不超过40小时。',
  '第三章 附则',
  '第五条 本办法由省教育厅负责解释，自2024年5月1日起施行。',
];

/**
 * A cover notice whose heading names no issuer (a web page's copy): the issuers are only in its
 * signature, dated in Chinese numerals, and the 办法 applies 自印发之日起.
 */
export const signedNoticeLines = [
  '皖教秘职成〔2023〕45号',
  '关于印发《安徽省中等职业学校毕业生就业指导工作办法》的通知',
  '各市教育局，各中等职业学校：',
  '现将《安徽省中等职业学校毕业生就业指导工作办法》印发给你们，请认真贯彻执行。执行中遇到的问题，请及时报告省教育厅职业教育与成人教育处。',
  '安徽省教育厅　　安徽省人力资源和社会保障厅',
  '二〇二三年九月八日',
  '安徽省中等职业学校毕业生就业指导工作办法',
  '第一章 总则',
  '第一条 为做好中等职业学校毕业生就业指导工作，促进毕业生就业创业，制定本办法。',
  '第二条 本办法适用于全省中等职业学校。',
  '第二章 机构和人员',
  '第三条 中等职业学校应当设立就业指导机构，配备专职就业指导教师。',
  '第四条 专职就业指导教师与毕业生的比例不低于1:300。',
  '第三章 指导和服务',
  '第五条 学校应当为每名毕业生建立就业指导档案。',
  '第六条 学校每学年至少组织两次校园招聘活动。',
  '第七条 学校应当对家庭经济困难毕业生给予重点帮扶。',
  '第四章 附则',
  '第八条 本办法由省教育厅负责解释。',
  '第九条 本办法自印发之日起施行。',
];

/** The sample as a .txt file. */
export function sampleTxt(lines: readonly string[] = sampleLines): Uint8Array {
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}

/** The sample as a web page, with navigation and a script that must not be read. */
export function sampleHtml(lines: readonly string[] = sampleLines): Uint8Array {
  const [issuer, title, ...rest] = lines;
  const body = rest.map((line) => (/^第.章/u.test(line) ? `<h2>${line}</h2>` : `<p>${line}</p>`)).join('\n');
  return new TextEncoder().encode(
    `<!doctype html><html><head><meta charset="utf-8"><title>${title} - 门户网站</title><script>var tracking = "不要读我";</script><style>p{color:red}</style></head>` +
      `<body><nav><a href="/">首页</a> | <a href="/news">新闻</a></nav><div class="doc"><p>${issuer}</p><h1>${title}</h1>\n${body}\n` +
      `<table><tr><th>项目</th><th>要求</th></tr><tr><td>实习押金</td><td>不得收取</td></tr></table></div></body></html>`,
  );
}

/** The sample as a Word file: title as Heading 1, chapters as Heading 2, articles as paragraphs. */
export async function sampleDocx(lines: readonly string[] = sampleLines): Promise<Uint8Array> {
  const { Document, HeadingLevel, Packer, Paragraph } = await import('docx');
  const [issuer, title, ...rest] = lines;
  const document = new Document({
    sections: [
      {
        children: [
          new Paragraph({ text: issuer! }),
          new Paragraph({ text: title!, heading: HeadingLevel.HEADING_1 }),
          ...rest.map((line) => new Paragraph({ text: line, ...(/^第.章/u.test(line) ? { heading: HeadingLevel.HEADING_2 } : {}) })),
        ],
      },
    ],
  });
  return new Uint8Array(await Packer.toBuffer(document));
}

/** Latin lines for a PDF when no CJK font is installed. */
export const latinLines = ['Provincial Department of Education', 'Notice on Internship Management', 'Article 1 Internship companies shall not charge deposits.', 'Article 2 Students work at most 8 hours a day.'];

/**
 * The sample as a PDF (one line per text line). With a CJK font the Chinese sample, else the
 * Latin one (`chinese` says which).
 */
export async function samplePdf(lines: readonly string[] = sampleLines): Promise<{ bytes: Uint8Array; chinese: boolean }> {
  const { default: PDFDocument } = await import('pdfkit');
  const chinese = cjkFont !== null;
  const pdf = new PDFDocument({ size: 'A4', margin: 50, info: { Title: 'sample' } });
  const chunks: Buffer[] = [];
  pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve) => pdf.on('end', () => resolve()));
  if (chinese) pdf.font(cjkFont!, cjkFont!.includes('Sans') ? 'NotoSansCJKsc-Regular' : 'NotoSerifCJKsc-Regular');
  pdf.fontSize(12);
  for (const line of chinese ? lines : latinLines) pdf.text(line);
  pdf.end();
  await ended;
  return { bytes: new Uint8Array(Buffer.concat(chunks)), chinese };
}

const topics = ['实习', '就业', '职业指导', '学籍', '资助', '创业', '培训', '招生', '考核', '安全'];
const verbs = ['应当', '不得', '可以', '须', '鼓励'];
const objects = ['建立管理制度', '收取费用', '配备专职教师', '开展咨询服务', '签订三方协议', '购买责任保险', '公开相关信息', '组织技能竞赛'];

/**
 * A generated policy document in Markdown with front matter: `clauses` articles of made-up but
 * well-formed rules, distinct per index (for load tests and the bench).
 *
 * @example await writeFile('gen-0001.md', syntheticMarkdown(1, 10));
 */
export function syntheticMarkdown(index: number, clauses: number, marker = ''): string {
  const cn = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
  const numeral = (n: number): string => (n < 10 ? cn[n]! : n < 20 ? `十${n % 10 ? cn[n % 10] : ''}` : `${cn[Math.floor(n / 10)]}十${n % 10 ? cn[n % 10] : ''}`);
  const lines = [
    '---',
    `id: gen-${String(index).padStart(5, '0')}`,
    `title: 第${index}号${topics[index % topics.length]}管理办法${marker}`,
    'issuer: 测试教育厅',
    'region: 全国',
    'date: 2024-01-01',
    'status: in-force',
    'audience: 中等职业学校',
    '---',
    `# 第${index}号${topics[index % topics.length]}管理办法`,
    '',
    '## 第一章 总则',
    '',
  ];
  for (let i = 1; i <= clauses; i += 1) {
    const topic = topics[(index + i) % topics.length]!;
    lines.push(`第${numeral(Math.min(i, 99))}条 ${marker}编号${index}-${i}的${topic}事项，学校${verbs[(index * 7 + i) % verbs.length]}${objects[(index + i * 3) % objects.length]}，期限为${(index % 28) + i}个工作日。`, '');
  }
  return lines.join('\n');
}

/** A Word document.xml holding `paragraphs` (raw `<w:p>` XML). */
export const documentXml = (paragraphs: string): string =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${paragraphs}</w:body></w:document>`;

/** `count` tiny paragraphs, each `text(i)` (a single 一 by default). */
export function tinyParagraphs(count: number, text: (i: number) => string = () => '一'): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i += 1) parts.push(`<w:p><w:r><w:t>${text(i)}</w:t></w:r></w:p>`);
  return parts.join('');
}

/** The sample .docx with its word/document.xml replaced by `xml` and `extra` parts added, zipped at `level`. */
export async function docxWithXml(xml: string, options: { level?: 0 | 1 | 6 | 9; extra?: Record<string, Uint8Array> } = {}): Promise<Uint8Array> {
  const { strToU8, unzipSync, zipSync } = await import('fflate');
  const parts: Record<string, Uint8Array> = { ...unzipSync(await sampleDocx()) };
  parts['word/document.xml'] = strToU8(xml);
  return zipSync({ ...parts, ...options.extra }, { level: options.level ?? 9 });
}

/** A docx bomb (issue 12): 60 MB of tiny paragraphs packed into well under 1 MB. */
export const docxBomb = (): Promise<Uint8Array> => docxWithXml(documentXml(tinyParagraphs(1_500_000)));

/**
 * A .docx that passes the zip checks (about 4 MB of tiny numbered paragraphs, packed about 10 : 1)
 * but takes mammoth far longer than the parse time limit.
 */
export const slowDocx = (): Promise<Uint8Array> => docxWithXml(documentXml(tinyParagraphs(180_000, (i) => `第${i}条 ${(i * 7919).toString(36)}`)), { level: 1 });
