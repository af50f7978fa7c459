import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadLexicon, type Lexicon } from '../retrieval/lexicon.ts';

/** The lexicon files administrators edit in the web admin. */
export const editableLexiconFiles = {
  synonyms: { file: 'synonyms.tsv', title: '同义词表', help: '一行一组，Tab 分隔；每组第一个词是文件中的原词，后面是学生的说法。一个词只放进一组。以 # 开头的行是注释。' },
  glossary: { file: 'glossary.tsv', title: '英汉词表', help: '一行一条：英文（小写）<Tab>中文[<Tab>中文…]，中文为文件中的检索词。以 # 开头的行是注释。' },
} as const;
export type EditableLexicon = keyof typeof editableLexiconFiles;

/** A problem with an edited lexicon file, by line number (1-based). */
export interface LexiconProblem {
  line: number;
  message: string;
}

const maxFileChars = 512 * 1024;
const maxTermChars = 40;

/**
 * Checks an edited lexicon file: synonyms need two or more terms per line and a term in one group
 * only; glossary lines need a lower-case English phrase and at least one Chinese term. Empty list:
 * the file is fine.
 *
 * @example validateLexicon('synonyms', '教师\t老师\n') // []
 */
export function validateLexicon(kind: EditableLexicon, text: string): LexiconProblem[] {
  const problems: LexiconProblem[] = [];
  if (text.length > maxFileChars) return [{ line: 0, message: `文件太大（最多 ${maxFileChars / 1024} KB）` }];
  const seen = new Map<string, number>();
  text.split(/\r?\n/u).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    if (/[\u0000-\u0008\u000b-\u001f\u007f]/u.test(raw)) {
      problems.push({ line, message: '含有控制字符' });
      return;
    }
    const fields = raw.split('\t').map((field) => field.trim());
    if (fields.some((field) => field === '')) problems.push({ line, message: '有空的字段（两个 Tab 之间或行首行尾多了 Tab）' });
    const terms = fields.filter(Boolean);
    if (terms.some((term) => [...term].length > maxTermChars)) problems.push({ line, message: `词太长（最多 ${maxTermChars} 字）` });
    if (kind === 'synonyms') {
      if (terms.length < 2) problems.push({ line, message: '一组至少两个词，用 Tab 分隔' });
      for (const term of terms) {
        const first = seen.get(term);
        if (first !== undefined && first !== line) problems.push({ line, message: `“${term}”已在第 ${first} 行出现：一个词只放进一组` });
        else seen.set(term, line);
      }
    } else {
      const [english, ...chinese] = terms;
      if (!english || !/^[a-z0-9][a-z0-9 '+.&/-]*$/u.test(english)) problems.push({ line, message: '第一列应是小写英文（字母、数字、空格、连字符）' });
      if (chinese.length === 0) problems.push({ line, message: '至少要有一个中文词' });
      else if (chinese.some((term) => /^[a-z ]+$/u.test(term))) problems.push({ line, message: '第二列起应是中文检索词，不是英文' });
    }
  });
  return problems;
}

/** The text of an editable lexicon file ('' when it does not exist yet). */
export async function readLexiconFile(dir: string, kind: EditableLexicon): Promise<string> {
  try {
    return await readFile(path.join(dir, editableLexiconFiles[kind].file), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

/**
 * Validates and writes a lexicon file atomically (a temporary file in the same directory, then a
 * rename), then reloads the lexicon into `lexicon` in place, so that searches holding it use the
 * new lists at once. Throws with the problems when the text is invalid; nothing is written then.
 *
 * @example await saveLexiconFile(dir, 'synonyms', text, assistant.lexicon);
 */
export async function saveLexiconFile(dir: string, kind: EditableLexicon, text: string, lexicon?: Lexicon): Promise<void> {
  const problems = validateLexicon(kind, text);
  if (problems.length > 0) throw new LexiconError(problems);
  const target = path.join(dir, editableLexiconFiles[kind].file);
  const temporary = path.join(dir, `.${editableLexiconFiles[kind].file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const normalised = `${text.replace(/\r\n?/gu, '\n').replace(/\n*$/u, '')}\n`;
  try {
    await writeFile(temporary, normalised, { encoding: 'utf8', flag: 'wx' });
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  if (lexicon) reloadLexicon(lexicon, dir);
}

/** Reads the lexicon again into an existing object (synonyms, glossary, hints, stopwords; not jieba's dictionary). */
export function reloadLexicon(lexicon: Lexicon, dir: string): void {
  const fresh = loadLexicon(dir);
  lexicon.synonyms = fresh.synonyms;
  lexicon.glossary = fresh.glossary;
  lexicon.questionHints = fresh.questionHints;
  for (const word of fresh.stopwords) lexicon.stopwords.add(word);
  for (const word of fresh.englishStopwords) lexicon.englishStopwords.add(word);
}

/** An invalid lexicon file, with every problem. */
export class LexiconError extends Error {
  constructor(readonly problems: LexiconProblem[]) {
    super(`lexicon: ${problems.map((problem) => `line ${problem.line}: ${problem.message}`).join('; ')}`);
    this.name = 'LexiconError';
  }
}
