import type { KnowledgeBase } from './knowledge-base.ts';
import { scrubPersonalData } from './gaps.ts';
import type { PolicyDocument } from './types.ts';

/**
 * The school's own Q&A (校内问答, issue 15): a teacher's reply to a question the bot could not
 * answer becomes an entry (第N条) of one document, `school-qa`, whose front matter says
 * `type: 校内答复` and whose issuer is the school. Each entry is the student's question (scrubbed
 * of personal data) as a heading, who answered it and when as a sub-heading, and the answer as
 * the numbered clause, so retrieval finds the clause by the question and an answer quotes the
 * teacher's words:
 *
 *     ## 问：实习期间学校能扣押我的身份证吗？
 *
 *     ### 李老师答复（2026-12-02）
 *
 *     第一条 不能。……
 *
 * A proposal is a new draft version with the entry appended; it is reviewed, evaluated and
 * published (or withdrawn, or rolled back) like any document version.
 */

/** The front-matter `type` of the school's own answers: cited with who answered, and caveated as not a policy document. */
export const schoolAnswerType = '校内答复';

/** The id of the school's Q&A document. */
export const schoolQaDocId = 'school-qa';

/** The most entries one document holds (the chunker reads 第N条 up to 第九百九十九条). */
export const maxSchoolQaEntries = 999;

/** One question and its answer. */
export interface SchoolQaEntry {
  /** 1, 2, …: the entry is cited as 第N条 in Chinese numerals. */
  number: number;
  question: string;
  answer: string;
  /** Who answered (the teacher's display name). */
  author: string;
  /** ISO date of the answer. */
  date: string;
}

/** What a proposal needs. */
export interface SchoolAnswerProposal {
  question: string;
  answer: string;
  author: string;
  /** ISO date (China time) of the answer. */
  date: string;
  /** The school's name (`schoolName()`). */
  school: string;
  /** Who proposed it, as the knowledge base's history names actors (`web:wang.li`). */
  actor?: string | null;
}

/** A proposal that could not be made (empty text, or the document is full). */
export class SchoolQaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchoolQaError';
  }
}

/**
 * The school's name from the `SCHOOL_NAME` setting, `本校` when unset.
 *
 * @example schoolName({ SCHOOL_NAME: '郑州市财贸学校' }) // '郑州市财贸学校'
 */
export function schoolName(environment: Record<string, string | undefined> = process.env): string {
  return environment.SCHOOL_NAME?.trim() || '本校';
}

/** The title of the school's Q&A document. */
export function schoolQaTitle(school: string): string {
  return `${school}就业指导问答`;
}

const digits = '零一二三四五六七八九';

/**
 * 1–999 in Chinese numerals as clause numbers are written.
 *
 * @example chineseNumber(12) // '十二'
 * @example chineseNumber(105) // '一百零五'
 */
export function chineseNumber(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 999) throw new RangeError(`no clause number for ${n}`);
  const hundreds = Math.floor(n / 100);
  const tens = Math.floor((n % 100) / 10);
  const ones = n % 10;
  let text = hundreds > 0 ? `${digits[hundreds]}百` : '';
  if (tens > 0) text += hundreds === 0 && tens === 1 ? '十' : `${digits[tens]}十`;
  else if (hundreds > 0 && ones > 0) text += '零';
  if (ones > 0) text += digits[ones];
  return text;
}

/** A question on one line, scrubbed of personal data, nothing Markdown would read as structure. */
export function cleanQuestion(question: string): string {
  return scrubPersonalData(question.replace(/\s+/gu, ' ').trim()).replace(/^[#|｜>\s]+/u, '');
}

/**
 * An answer as one clause: its lines kept, blank lines dropped (a blank line would start another
 * clause), nothing at a line start that Markdown reads as a heading or a table.
 */
export function cleanAnswer(answer: string): string {
  return answer
    .split(/\r?\n/u)
    .map((line) => line.trim().replace(/^[#|｜>]+\s*/u, ''))
    .filter((line) => line !== '')
    .join('\n');
}

const attributionPattern = /^(.+)答复（(\d{4}-\d{2}-\d{2})）$/u;

/**
 * Who answered an entry and when, from its clause's headings (null for a clause that is not an entry).
 *
 * @example answeredBy(['问：实习押金能退吗？', '李老师答复（2026-12-02）']) // { author: '李老师', date: '2026-12-02' }
 */
export function answeredBy(headingPath: readonly string[]): { author: string; date: string } | null {
  for (const heading of [...headingPath].reverse()) {
    const match = attributionPattern.exec(heading);
    if (match) return { author: match[1]!, date: match[2]! };
  }
  return null;
}

/** The entries of a school Q&A body, in order. */
export function entriesOf(body: string): SchoolQaEntry[] {
  const entries: SchoolQaEntry[] = [];
  const sections = body.split(/^## 问：/mu).slice(1);
  for (const section of sections) {
    const match = /^(.+)\n+### (.+)\n+第[一二三四五六七八九十百零]+条 ([\s\S]*)$/u.exec(section.trim());
    if (!match) continue;
    const by = answeredBy([match[2]!.trim()]);
    if (!by) continue;
    entries.push({ number: entries.length + 1, question: match[1]!.trim(), answer: match[3]!.trim(), author: by.author, date: by.date });
  }
  return entries;
}

/** The Markdown body of the school's Q&A with these entries. */
export function schoolQaBody(school: string, entries: readonly SchoolQaEntry[]): string {
  const parts = [`# ${schoolQaTitle(school)}`];
  for (const entry of entries) {
    parts.push(`## 问：${entry.question}`, `### ${entry.author}答复（${entry.date}）`, `第${chineseNumber(entry.number)}条 ${entry.answer}`);
  }
  return `${parts.join('\n\n')}\n`;
}

/**
 * The school's Q&A document with these entries: issuer the school, `type: 校内答复`, the author
 * and date of its latest entry.
 */
export function schoolQaDocument(school: string, entries: readonly SchoolQaEntry[]): PolicyDocument & { meta: Record<string, unknown> } {
  const latest = entries.at(-1);
  return {
    id: schoolQaDocId,
    title: schoolQaTitle(school),
    issuer: school,
    region: school,
    date: latest?.date ?? null,
    dateNote: latest ? null : '尚无条目',
    status: 'in-force',
    audience: `${school}学生`,
    type: schoolAnswerType,
    body: schoolQaBody(school, entries),
    meta: { type: schoolAnswerType, author: latest?.author ?? null },
  };
}

/**
 * The version a new entry is appended to: the newest draft above the published version (so
 * proposals waiting for review add up), else the published version, else nothing — a withdrawn
 * or rolled-back version is never built on.
 */
async function baseOf(kb: KnowledgeBase): Promise<PolicyDocument | null> {
  const versions = await kb.versionsOf(schoolQaDocId);
  const published = versions.find((version) => version.state === 'published') ?? null;
  const drafts = versions.filter((version) => version.state === 'draft' && version.version > (published?.version ?? 0));
  const base = drafts.sort((x, y) => y.version - x.version)[0] ?? published;
  return base ? ((await kb.getVersion(schoolQaDocId, base.version))?.document ?? null) : null;
}

/**
 * Proposes a teacher's answer as the next entry of the school's Q&A: a new draft version with the
 * entry appended, for an administrator to review, evaluate and publish.
 *
 * @example const { version, number } = await proposeSchoolAnswer(kb, { question, answer, author: '李老师', date: '2026-12-02', school: schoolName() });
 */
export async function proposeSchoolAnswer(kb: KnowledgeBase, proposal: SchoolAnswerProposal): Promise<{ docId: string; version: number; number: number }> {
  const question = cleanQuestion(proposal.question);
  const answer = cleanAnswer(proposal.answer);
  if (question === '' || answer === '') throw new SchoolQaError('问题和答复都不能为空。');
  const base = await baseOf(kb);
  const entries = base ? entriesOf(base.body) : [];
  if (entries.length >= maxSchoolQaEntries) throw new SchoolQaError(`校内问答最多 ${maxSchoolQaEntries} 条。`);
  const entry: SchoolQaEntry = { number: entries.length + 1, question, answer, author: proposal.author.trim() || '老师', date: proposal.date };
  const document = schoolQaDocument(proposal.school, [...entries, entry]);
  const { created, unchanged } = await kb.addDrafts([{ document }], { actor: proposal.actor ?? null });
  const version = created[0]?.version ?? unchanged[0]!.version;
  return { docId: schoolQaDocId, version, number: entry.number };
}
