import type { HTMLElement, Node as HtmlNode } from 'node-html-parser';
import { loadOnFirstUse } from '../load-on-first-use.ts';
import { DocumentFormatError } from './document.ts';

const fflate = loadOnFirstUse<typeof import('fflate')>('fflate');
const htmlParser = loadOnFirstUse<typeof import('node-html-parser')>('node-html-parser');

/** The kinds of file a document can be uploaded as. */
export type SourceKind = 'md' | 'txt' | 'docx' | 'pdf' | 'html';

/** The largest upload accepted (bytes). */
export const maxDocumentBytes = 20 * 1024 * 1024;

/** File name endings accepted, for directory scans and the upload form. */
export const acceptedExtensions = ['.md', '.markdown', '.txt', '.docx', '.pdf', '.html', '.htm'] as const;

/**
 * What a .docx (a zip) may hold, checked from its central directory before anything is unpacked:
 * a Word file whose XML unpacks to tens of megabytes of tiny paragraphs (a "zip bomb") is refused
 * instead of being handed to the parser.
 */
export const docxLimits = {
  /** Files inside the archive. */
  maxEntries: 2000,
  /** Unpacked size of any one file inside (bytes). */
  maxEntryBytes: 20 * 1024 * 1024,
  /** Unpacked size of all the XML together (.xml and .rels files, bytes). */
  maxXmlBytes: 20 * 1024 * 1024,
  /** Unpacked size of everything together, images included (bytes). */
  maxTotalBytes: 64 * 1024 * 1024,
  /** Unpacked : packed size of a file over {@link docxLimits.ratioCheckedFrom} bytes; Word's own XML packs about 5–20 : 1. */
  maxCompressionRatio: 100,
  ratioCheckedFrom: 1024 * 1024,
} as const;

const megabytes = (bytes: number): string => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

/**
 * Refuses a .docx whose zip central directory marks it as a bomb: more than
 * {@link docxLimits.maxEntries} files, a file or the XML or the whole past its unpacked-size
 * limit, or a file packed more tightly than {@link docxLimits.maxCompressionRatio} : 1. Nothing is
 * unpacked here (fflate reads the directory and skips every file), so it is quick on the main thread.
 *
 * @example checkDocxArchive(await readFile('规定.docx'), '规定.docx') // throws DocumentFormatError on a bomb
 */
export function checkDocxArchive(bytes: Uint8Array, name: string): void {
  const refuse = (reason: string): never => {
    throw new DocumentFormatError(name, `${reason}，疑似恶意构造的压缩包，已拒绝 / refused as a possible zip bomb`);
  };
  let entries = 0;
  let xmlBytes = 0;
  let totalBytes = 0;
  try {
    fflate().unzipSync(bytes, {
      filter: (file) => {
        entries += 1;
        if (entries > docxLimits.maxEntries) refuse(`Word 文件内含超过 ${docxLimits.maxEntries} 个部件 (more than ${docxLimits.maxEntries} entries)`);
        if (file.originalSize > docxLimits.maxEntryBytes) {
          refuse(`Word 文件内的 ${file.name} 解压后有 ${megabytes(file.originalSize)}，超过 ${megabytes(docxLimits.maxEntryBytes)} (entry past the unpacked-size limit)`);
        }
        if (/\.(xml|rels)$/iu.test(file.name)) xmlBytes += file.originalSize;
        totalBytes += file.originalSize;
        if (xmlBytes > docxLimits.maxXmlBytes) refuse(`Word 文件的 XML 解压后超过 ${megabytes(docxLimits.maxXmlBytes)} (XML past the unpacked-size limit)`);
        if (totalBytes > docxLimits.maxTotalBytes) refuse(`Word 文件解压后超过 ${megabytes(docxLimits.maxTotalBytes)} (unpacked size past the limit)`);
        if (file.originalSize > docxLimits.ratioCheckedFrom && file.originalSize > file.size * docxLimits.maxCompressionRatio) {
          refuse(
            `Word 文件内的 ${file.name} 压缩比为 ${Math.round(file.originalSize / Math.max(1, file.size))} : 1，超过 ${docxLimits.maxCompressionRatio} : 1 (compression ratio marks a bomb)`,
          );
        }
        return false;
      },
    });
  } catch (error) {
    if (error instanceof DocumentFormatError) throw error;
    throw new DocumentFormatError(name, `Word 文件已损坏或无法读取 / the Word file cannot be read (${(error as Error).message.split('\n')[0]})`);
  }
}

const startsWith = (bytes: Uint8Array, signature: number[]): boolean => signature.every((byte, i) => bytes[i] === byte);

function extensionOf(name: string): string {
  const match = /\.[^./\\]+$/u.exec(name);
  return match ? match[0].toLowerCase() : '';
}

/**
 * What a file really is, by its first bytes (a zip for .docx, `%PDF` for PDF, an OLE header for
 * the old .doc), then by its name for text. A name that promises another kind than the bytes is
 * refused, as are kinds zhiyin does not read.
 *
 * @example sniffKind(await readFile('规定.docx'), '规定.docx') // 'docx'
 */
export function sniffKind(bytes: Uint8Array, name: string): SourceKind {
  const ext = extensionOf(name);
  if (bytes.length === 0) throw new DocumentFormatError(name, '文件是空的 / the file is empty');
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
    if (ext !== '.docx') throw new DocumentFormatError(name, `这是一个 ZIP 压缩文件，只接受 Word (.docx) / a zip archive: only Word .docx files are accepted`);
    return 'docx';
  }
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'pdf';
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0])) {
    throw new DocumentFormatError(name, '这是旧版 Word (.doc) 文件，请另存为 .docx 后再上传 / an old Word .doc file: save it as .docx first');
  }
  if (ext === '.docx') throw new DocumentFormatError(name, '文件名是 .docx，但内容不是 Word 文档 / named .docx but is not a Word document');
  if (ext === '.pdf') throw new DocumentFormatError(name, '文件名是 .pdf，但内容不是 PDF / named .pdf but is not a PDF');
  const sample = bytes.subarray(0, 4096);
  if (sample.includes(0)) throw new DocumentFormatError(name, '这是二进制文件，不是文本 / a binary file, not text');
  if (ext === '.html' || ext === '.htm') return 'html';
  if (ext === '.md' || ext === '.markdown') return 'md';
  if (ext === '.txt' || ext === '') {
    const head = new TextDecoder('utf-8', { fatal: false }).decode(sample).trimStart().toLowerCase();
    return head.startsWith('<!doctype html') || head.startsWith('<html') ? 'html' : 'txt';
  }
  throw new DocumentFormatError(name, `不支持的文件类型 ${ext}；可上传 ${acceptedExtensions.join(' ')} / unsupported file type`);
}

/** Text bytes as a string: UTF-8, else GB18030 (common for Chinese .txt files), else an error naming the file. */
export function decodeText(bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    try {
      return new TextDecoder('gb18030', { fatal: true }).decode(bytes);
    } catch {
      throw new DocumentFormatError(name, '文本编码无法识别（请存为 UTF-8）/ the text is neither UTF-8 nor GB18030');
    }
  }
}

const blockTags = new Set(['p', 'div', 'section', 'article', 'main', 'li', 'ul', 'ol', 'dl', 'dt', 'dd', 'blockquote', 'pre', 'br', 'hr', 'tr', 'table', 'tbody', 'thead', 'tfoot', 'body', 'html', 'center', 'form', 'figure', 'figcaption', 'address', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
const droppedTags = 'script, style, noscript, nav, iframe, svg, template, head, button, select, input, textarea';

/** The text of a web page or of mammoth's HTML as lines: `#` headings, `|`-rows for tables, one line per paragraph. */
export function htmlToLines(html: string): { lines: string[]; title: string | null } {
  const root = htmlParser().parse(html, { comment: false, blockTextElements: { script: false, style: false, noscript: false, pre: true } });
  const title = root.querySelector('title')?.text.replace(/\s+/gu, ' ').trim() || null;
  for (const node of root.querySelectorAll(droppedTags)) node.remove();
  const lines: string[] = [];
  let inline = '';
  const flush = (): void => {
    const text = inline.replace(/[ \t\u00a0]+/gu, ' ').trim();
    if (text) lines.push(text);
    inline = '';
  };
  const cellText = (cell: HTMLElement): string => cell.text.replace(/\s+/gu, ' ').replace(/\|/gu, '｜').trim();
  const walk = (node: HtmlNode): void => {
    if (node.nodeType === 3) {
      inline += node.text.replace(/\s*\n\s*/gu, /[\u4e00-\u9fff]$/u.test(inline) ? '' : ' ');
      return;
    }
    if (node.nodeType !== 1) return;
    const element = node as HTMLElement;
    const tag = element.tagName?.toLowerCase() ?? '';
    if (tag === 'table') {
      flush();
      const rows = element.querySelectorAll('tr').map((row) => row.querySelectorAll('th, td').map(cellText));
      const width = Math.max(0, ...rows.map((row) => row.length));
      if (width <= 1) {
        for (const row of rows) if (row[0]) lines.push(row[0]);
      } else {
        lines.push('');
        for (const row of rows) if (row.some(Boolean)) lines.push(`| ${row.join(' | ')} |`);
        lines.push('');
      }
      return;
    }
    const heading = /^h([1-6])$/u.exec(tag);
    if (heading) {
      flush();
      const text = element.text.replace(/\s+/gu, ' ').trim();
      if (text) lines.push(`${'#'.repeat(Number(heading[1]))} ${text}`);
      return;
    }
    const block = blockTags.has(tag);
    if (block) flush();
    for (const child of element.childNodes) walk(child);
    if (block) flush();
  };
  walk(root);
  flush();
  return { lines, title };
}

/** What a file holds, as text the chunker can read. */
export interface ExtractedText {
  kind: SourceKind;
  /** Lines of text; `#` headings and `|` table rows where the source marked them. */
  text: string;
  /** The title the source itself marks (an HTML `<title>` or first `<h1>`), if any. */
  markedTitle: string | null;
  /** Whether line breaks are only between paragraphs (Word, web pages), so none need joining. */
  paragraphs: boolean;
}

/**
 * The text of a .txt, .docx, .pdf or .html file (Markdown is read by `parseDocument`). Anything
 * that cannot be read fails with a {@link DocumentFormatError} naming the file.
 *
 * @example const { text } = await extractText(await readFile('规定.pdf'), '规定.pdf', 'pdf');
 */
export async function extractText(bytes: Uint8Array, name: string, kind: Exclude<SourceKind, 'md'>): Promise<ExtractedText> {
  if (bytes.length > maxDocumentBytes) throw new DocumentFormatError(name, `文件太大（超过 ${maxDocumentBytes / 1024 / 1024} MB）/ the file is too large`);
  let result: ExtractedText;
  if (kind === 'txt') {
    result = { kind, text: decodeText(bytes, name), markedTitle: null, paragraphs: false };
  } else if (kind === 'html') {
    const { lines, title } = htmlToLines(decodeText(bytes, name));
    const h1 = lines.find((line) => /^# /u.test(line))?.slice(2) ?? null;
    result = { kind, text: lines.join('\n'), markedTitle: h1 ?? title, paragraphs: true };
  } else if (kind === 'docx') {
    checkDocxArchive(bytes, name);
    const { default: mammoth } = await import('mammoth');
    let html: string;
    try {
      html = (await mammoth.convertToHtml({ buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) })).value;
    } catch (error) {
      throw new DocumentFormatError(name, `Word 文件已损坏或无法读取 / the Word file cannot be read (${(error as Error).message.split('\n')[0]})`);
    }
    const { lines } = htmlToLines(html);
    const h1 = lines.find((line) => /^# /u.test(line))?.slice(2) ?? null;
    result = { kind, text: lines.join('\n'), markedTitle: h1, paragraphs: true };
  } else {
    const { extractText: pdfText, getDocumentProxy } = await import('unpdf');
    let pages: string[];
    try {
      const pdf = await getDocumentProxy(new Uint8Array(bytes));
      pages = (await pdfText(pdf, { mergePages: false })).text;
    } catch (error) {
      throw new DocumentFormatError(name, `PDF 文件已损坏或无法读取 / the PDF cannot be read (${(error as Error).message.split('\n')[0]})`);
    }
    result = { kind, text: pages.join('\n'), markedTitle: null, paragraphs: false };
  }
  if (result.text.replace(/[#|\s]/gu, '') === '') {
    throw new DocumentFormatError(
      name,
      kind === 'pdf' ? 'PDF 里没有可提取的文字（可能是扫描件，请先做文字识别）/ the PDF has no text layer (scanned? run OCR first)' : '文件里没有文字 / the file holds no text',
    );
  }
  return result;
}
