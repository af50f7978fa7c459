import type { Clause } from './types.ts';

export interface ChunkOptions {
  /** Clauses longer than this are split on line, sub-item or sentence ends. */
  maxChars?: number;
}

const cn = '[一二三四五六七八九十百零]+';
const articlePattern = new RegExp(`^(第${cn}条)`, 'u');
const dottedPattern = /^(\d+(?:\.\d+)+)(?=\s|[^\d.])/u;
const numberedPattern = /^(\d+)[.．、](?!\d)/u;
const parenthesisedPattern = new RegExp(`^(（${cn}）)`, 'u');
const subItemPattern = new RegExp(`^((?:（${cn}）)|(?:[（(]\\d+[)）]))`, 'u');
const headingMarkerPatterns: RegExp[] = [
  new RegExp(`^(第${cn}[章节])`, 'u'),
  new RegExp(`^(${cn}、)`, 'u'),
  new RegExp(`^(（${cn}）)`, 'u'),
  /^(附录[A-Z])/u,
  /^(表[A-Z]\.\d+)/u,
  /^(\d+(?:\.\d+)*)(?=\s)/u,
  /^(前言)$/u,
  /^(印发通知)$/u,
];

interface Block {
  headings: string[];
  lines: string[];
  locator: string;
  numbered: boolean;
}

function headingMarker(heading: string): string | null {
  for (const pattern of headingMarkerPatterns) {
    const match = pattern.exec(heading);
    if (match) return match[1]!;
  }
  return null;
}

/** The locator of a heading path: Chinese markers joined (`二、（一）`), or the deepest dotted number (`6.2`). */
function headingLocator(headings: string[]): string {
  const markers = headings.map(headingMarker).filter((marker): marker is string => marker !== null);
  const deepest = markers.at(-1);
  if (deepest === undefined) return '';
  if (/^\d/u.test(deepest)) return deepest;
  const chinese = markers.filter((marker) => !/^第.+章$/u.test(marker));
  return chinese.join(chinese.some((m) => m.startsWith('附录') || m.startsWith('表')) ? ' ' : '');
}

function blockLocator(firstLine: string, headings: string[]): { locator: string; numbered: boolean } {
  const prefix = headingLocator(headings);
  const article = articlePattern.exec(firstLine);
  if (article) return { locator: article[1]!, numbered: true };
  const dotted = dottedPattern.exec(firstLine);
  if (dotted) return { locator: dotted[1]!, numbered: true };
  const numbered = numberedPattern.exec(firstLine);
  if (numbered) return { locator: `${prefix}${numbered[1]}.`, numbered: true };
  const parenthesised = parenthesisedPattern.exec(firstLine);
  if (parenthesised && !/^\d/u.test(prefix)) return { locator: `${prefix}${parenthesised[1]}`, numbered: true };
  return { locator: prefix || '序言', numbered: false };
}

function isSignature(lines: string[]): boolean {
  return lines.every((line) => [...line].length <= 25 && !/[。：；]$/u.test(line));
}

function splitSentences(line: string): string[] {
  return line.match(/[^。！？；!?]+[。！？；!?]*[”’」）)]*/gu) ?? [line];
}

/** Cuts a long clause into parts of at most maxChars (a single longer sentence stays whole). */
function splitClause(lines: string[], maxChars: number): string[][] {
  const units: { text: string; newLine: boolean }[] = [];
  for (const line of lines) {
    const pieces = [...line].length > maxChars ? splitSentences(line) : [line];
    pieces.forEach((piece, index) => units.push({ text: piece, newLine: index === 0 }));
  }
  const total = units.reduce((sum, unit) => sum + [...unit.text].length, 0);
  const target = Math.ceil(total / Math.ceil(total / maxChars));
  const parts: { text: string; newLine: boolean }[][] = [];
  let current: { text: string; newLine: boolean }[] = [];
  let length = 0;
  for (const unit of units) {
    const unitLength = [...unit.text].length;
    const overTarget = length + unitLength > target && length + unitLength / 2 > target * 0.75;
    if (current.length > 0 && (overTarget || length + unitLength + current.length > maxChars)) {
      parts.push(current);
      current = [];
      length = 0;
    }
    current.push(unit);
    length += unitLength;
  }
  if (current.length > 0) {
    const measure = (part: { text: string }[]): number => part.reduce((sum, unit) => sum + [...unit.text].length + 1, 0);
    const previous = parts.at(-1);
    if (previous && measure(current) < target / 3 && measure(previous) + measure(current) <= maxChars) previous.push(...current);
    else parts.push(current);
  }
  return parts.map((part) => {
    const partLines: string[] = [];
    part.forEach((unit, index) => {
      if (index === 0 || unit.newLine) partLines.push(unit.text);
      else partLines[partLines.length - 1] += unit.text;
    });
    return partLines;
  });
}

function readBlocks(body: string): Block[] {
  const blocks: Block[] = [];
  const headings: string[] = [];
  let lines: string[] = [];
  let table: string[][] = [];
  const flush = (): void => {
    if (lines.length > 0) {
      const { locator, numbered } = blockLocator(lines[0]!, headings);
      blocks.push({ headings: [...headings], lines, locator, numbered });
    }
    lines = [];
  };
  const flushTable = (): void => {
    const [header, ...rows] = table;
    const prefix = headingLocator(headings);
    const columns = header ? [header.join(' ')] : [];
    for (const cells of rows) {
      blocks.push({ headings: [...headings, ...columns], lines: [cells.join(' ')], locator: `${prefix} ${cells[0]}`.trim(), numbered: true });
    }
    table = [];
  };
  for (const rawLine of body.split('\n')) {
    const line = rawLine.trim();
    const heading = /^(#{1,6})\s+(.+)$/u.exec(line);
    if (line.startsWith('|')) {
      flush();
      if (!/^\|[\s:|-]+\|$/u.test(line)) table.push(line.slice(1, line.endsWith('|') ? -1 : undefined).split('|').map((cell) => cell.trim()));
      continue;
    }
    if (table.length > 0) flushTable();
    if (heading) {
      flush();
      const level = heading[1]!.length;
      if (level === 1) continue;
      headings.length = Math.min(headings.length, level - 2);
      headings[level - 2] = heading[2]!.trim();
      continue;
    }
    if (line === '') flush();
    else lines.push(line);
  }
  flush();
  if (table.length > 0) flushTable();
  return blocks;
}

/**
 * Cuts a document body into citable clauses: one per 第X条, numbered item (`1.`), `（一）`
 * paragraph, `5.1`-style clause or appendix-table row; unnumbered paragraphs under one heading
 * form one clause (under `## 印发通知`, the text of the notice that issued the document, cited
 * as 印发通知); long clauses are split on sub-item, line and sentence ends.
 *
 * @example chunkDocument({ id: 'moe', body: '## 第四章 师资队伍\n\n第十五条 中等职业学校应…' })[0].locator // '第十五条'
 */
export function chunkDocument(document: { id: string; body: string }, options: ChunkOptions = {}): Clause[] {
  const maxChars = options.maxChars ?? 260;
  const blocks = readBlocks(document.body);

  const merged: Block[] = [];
  for (const block of blocks) {
    const previous = merged.at(-1);
    if (previous && !block.numbered && !previous.numbered && previous.locator === block.locator) {
      previous.lines.push(...block.lines);
    } else {
      merged.push({ ...block, lines: [...block.lines] });
    }
  }
  const last = merged.at(-1);
  if (last && !last.numbered && merged.length > 1 && isSignature(last.lines)) last.locator = '落款';

  const clauses: Clause[] = [];
  for (const block of merged) {
    const text = block.lines.join('\n');
    const parts = [...text].length > maxChars ? splitClause(block.lines, maxChars) : [block.lines];
    const lead = splitSentences(block.lines[0]!)[0] ?? '';
    parts.forEach((partLines, index) => {
      const partText = partLines.join('\n');
      const subItem = subItemPattern.exec(partText);
      const markedLines = partLines.filter((line) => subItemPattern.test(line)).length;
      const locator = index > 0 && subItem && markedLines === 1 ? `${block.locator}${subItem[1]}` : block.locator;
      const ordinal = clauses.length;
      clauses.push({
        id: `${document.id}#${ordinal}`,
        docId: document.id,
        locator,
        headingPath: block.headings,
        text: partText,
        context: [...block.headings, index > 0 ? lead : ''].filter(Boolean).join(' '),
        ordinal,
        part: index + 1,
        parts: parts.length,
      });
    });
  }
  return clauses;
}
