/**
 * Plain text (from a .txt, a PDF, a Word file or a web page) into the Markdown the clause chunker
 * reads: headings marked with `#`, one blank line between clauses, the lines of one article kept
 * together, and hard line breaks inside sentences (PDF, some .txt) joined again.
 */

const cn = '[一二三四五六七八九十百零〇]+';
const chapter = new RegExp(`^第${cn}[章节编]`, 'u');
const article = new RegExp(`^第${cn}条`, 'u');
const chineseSection = new RegExp(`^${cn}、`, 'u');
const parenthesised = new RegExp(`^（${cn}）`, 'u');
const appendix = /^(?:附录[A-Z]|附件\s*\d*)/u;
const dotted = /^(\d+(?:\.\d+)*)\s+(?=\S)/u;
const subItem = new RegExp(`^(?:（${cn}）|[（(]\\d+[)）]|\\d+[.．、](?!\\d)|[①-⑳])`, 'u');
/** A line ending a sentence or a clause: such a line is never joined to the next one. */
const terminal = /[。！？；：!?;:」』”’）)】]$/u;

/** Noise that converters leave: Word bookmarks, page numbers, form feeds. */
export function cleanLines(text: string): string[] {
  return text
    .replace(/^\uFEFF/u, '')
    .replace(/\r\n?/gu, '\n')
    .replace(/\f/gu, '\n')
    .replace(/\[bookmark:[^\]]*\]/gu, '')
    .replace(/[\u00a0\u2002\u2003\u2009]/gu, ' ')
    .split('\n')
    .map((line) => line.replace(/^[\s\u3000]+|[\s\u3000]+$/gu, ''))
    .filter((line) => !/^[-—–－\s]*\d{1,4}[-—–－\s]*$/u.test(line) && !/^第\s*\d+\s*页(?:\s*[,，/／]?\s*共\s*\d+\s*页)?$/u.test(line));
}

/** Whether a line is a structural marker a new block starts at. */
function startsStructure(line: string): boolean {
  return chapter.test(line) || article.test(line) || chineseSection.test(line) || parenthesised.test(line) || appendix.test(line) || subItem.test(line) || /^\d+(?:\.\d+)+\s/u.test(line) || line.startsWith('|') || line.startsWith('#');
}

const orgLine = /^(?:[\u4e00-\u9fa5（）()]{2,30}(?:人民政府|办公厅|办公室|委员会|厅|部|局|委|中心|学校|学院|大学|总工会|联合会)[\s、，,]*)+$/u;
const dateLine = /^[\d〇零○一二三四五六七八九十]{4}\s*年\s*[\d一二三四五六七八九十]{1,2}\s*月\s*[\d一二三四五六七八九十]{1,3}\s*日$/u;
const noteLine = /^[（(][^）)]{2,20}[）)]$/u;
/** A line of the closing signature: an issuing body, the date, or a note like （此件主动公开）. */
const isSignatureLine = (line: string): boolean => orgLine.test(line) || dateLine.test(line) || noteLine.test(line);
/** A line above the title: an issuing body or a document number (鲁人社字〔2023〕12号). */
const isHeaderLine = (line: string): boolean => orgLine.test(line.replace(/文件$/u, '')) || /〔\d{4}〕|\[\d{4}\]\s*\d+\s*号|第\s*\d+\s*号$/u.test(line);

const short = (line: string, limit = 30): boolean => [...line].length <= limit && !/[。；！？]/u.test(line);

/** The heading level (2–6) a line is, or 0 for body text. */
function headingLevel(line: string): number {
  if (line.startsWith('#')) return 0;
  if (chapter.test(line) && short(line)) return 2;
  if (chineseSection.test(line) && short(line)) return 2;
  if (appendix.test(line) && short(line, 40)) return 2;
  if (parenthesised.test(line) && short(line) && !terminal.test(line)) return 3;
  const number = dotted.exec(line);
  if (number && short(line, 30) && !terminal.test(line) && !/[，、]/u.test(line)) return Math.min(6, number[1]!.split('.').length + 1);
  return 0;
}

/** Joins lines broken inside a sentence: a long line not ending a sentence, followed by a line that starts no new item. */
export function joinWrappedLines(lines: readonly string[]): string[] {
  const lengths = lines.filter((line) => line !== '').map((line) => [...line].length).sort((x, y) => x - y);
  const typical = lengths[Math.floor(lengths.length * 0.9)] ?? 0;
  const wrapAt = Math.max(20, Math.floor(typical * 0.8));
  const out: string[] = [];
  for (const line of lines) {
    const previous = out.at(-1);
    const joinable =
      previous !== undefined &&
      previous !== '' &&
      line !== '' &&
      !previous.startsWith('#') &&
      !previous.startsWith('|') &&
      !isHeaderLine(previous) &&
      !isSignatureLine(previous) &&
      !isSignatureLine(line) &&
      [...previous].length >= wrapAt &&
      !terminal.test(previous) &&
      headingLevel(previous) === 0 &&
      !startsStructure(line);
    if (joinable) out[out.length - 1] = /[A-Za-z0-9,]$/u.test(previous!) && /^[A-Za-z0-9]/u.test(line) ? `${previous} ${line}` : `${previous}${line}`;
    else out.push(line);
  }
  return out;
}

/**
 * Turns plain text into chunker Markdown. `title`, when given, becomes the `# ` line and its own
 * line is left out of the body. Lines of one article (第X条 … up to the next article or heading)
 * stay in one block, so its sub-items `（一）…` cite as that article. `reflow: false` keeps line
 * breaks as they are (Word and web pages break only between paragraphs).
 *
 * @example textToMarkdown('第一章 总则\n第一条 为了…\n（一）…', '某某规定')
 */
export function textToMarkdown(text: string, title?: string, options: { reflow?: boolean } = {}): string {
  const cleaned = cleanLines(text);
  const lines = options.reflow === false ? cleaned : joinWrappedLines(cleaned);
  const out: string[] = [];
  if (title) out.push(`# ${title}`, '');
  let titleSkipped = !title;
  let inArticle = false;
  const usesArticles = lines.some((line) => article.test(line));
  const content = lines.filter((line) => line !== '');
  let signatureFrom = content.length;
  while (signatureFrom > 1 && isSignatureLine(content[signatureFrom - 1]!)) signatureFrom -= 1;
  if (!content.slice(signatureFrom).some((line) => dateLine.test(line) || orgLine.test(line))) signatureFrom = content.length;
  const bare = (line: string): string => line.replace(/^#+\s*/u, '').replace(/\s+/gu, '');
  const titleAt = title ? content.findIndex((line) => bare(line) === bare(title)) : -1;
  for (const [index, line] of content.entries()) {
    if (index < titleAt && titleAt <= 6 && isHeaderLine(line)) continue;
    if (index >= signatureFrom) {
      inArticle = false;
      out.push(line, '');
      continue;
    }
    if (!titleSkipped && title && bare(line) === bare(title)) {
      titleSkipped = true;
      continue;
    }
    if (line.startsWith('|')) {
      inArticle = false;
      out.push(line);
      continue;
    }
    if (out.at(-1)?.startsWith('|')) out.push('');
    if (line.startsWith('#')) {
      inArticle = false;
      out.push(line, '');
      continue;
    }
    const level = headingLevel(line);
    if (level > 0) {
      inArticle = false;
      out.push(`${'#'.repeat(level)} ${line}`, '');
      continue;
    }
    if (usesArticles && article.test(line)) {
      inArticle = true;
      out.push(line, '');
      continue;
    }
    if (inArticle) {
      // Another paragraph of the same article: on the next line of its block.
      if (out.at(-1) === '') out.pop();
      out.push(line, '');
      continue;
    }
    out.push(line, '');
  }
  return out
    .join('\n')
    .replace(/\n{3,}/gu, '\n\n')
    .trim();
}

/** The heading of the section that keeps a cover notice's text apart from the document it issues. */
export const noticeHeading = '印发通知';

/**
 * A cover notice's text (关于印发《……》的通知, addressees, "现将……印发给你们", signature) as a
 * section of its own after the document it issues: under `## 印发通知`, its paragraphs are cited
 * as 印发通知 and never as a clause or a 序言 of the document.
 *
 * @example noticeSection('关于印发《某办法》的通知\n各市教育局：\n现将《某办法》印发给你们。')
 */
export function noticeSection(text: string, options: { reflow?: boolean } = {}): string {
  // The notice's title and its number (文号) are lines of their own, never joined to the next.
  const cleaned = cleanLines(text).flatMap((line) => (/的通知$|^[\u4e00-\u9fa5]{1,15}\s*[〔［\[]\d{4}[〕］\]]\s*\d{1,4}\s*号$/u.test(line) ? [line, ''] : [line]));
  const lines = options.reflow === false ? cleaned : joinWrappedLines(cleaned);
  const paragraphs = lines.map((line) => line.replace(/^#+\s*/u, '').replace(/^\|/u, '｜')).filter((line) => line !== '');
  return paragraphs.length > 0 ? [`## ${noticeHeading}`, ...paragraphs].join('\n\n') : '';
}
