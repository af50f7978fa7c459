import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { generationConfigured, type Config } from '../config.ts';
import { chunkDocument } from './chunker.ts';
import { parseDocument } from './document.ts';
import { wholeClauses, type WholeClause } from './diff.ts';
import type { Clause, PolicyDocument } from './types.ts';

/**
 * Question variants of a clause (关联问题): student-style questions stored with a clause of a
 * document version and indexed with it, so that everyday wording ("实习要交押金吗") reaches the
 * document's formal terms ("不得向学生收取实习押金"). A variant belongs to a whole clause (the parts
 * of a split clause share it), named by its key (the locator, `#2` for a repeated one) and the hash
 * of its text: a new version of the document keeps the variants of clauses whose text did not
 * change and drops those of changed ones.
 */

/** Where a variant came from: the shipped file, the configured model, or an administrator. */
export type VariantSource = 'file' | 'model' | 'admin';

/** A stored variant. */
export interface ClauseVariant {
  id: number;
  docId: string;
  version: number;
  /** The whole clause's key: its locator, `#2`, `#3` for a locator used again. */
  clauseKey: string;
  /** {@link clauseTextHash} of the clause text the variant was written for. */
  textHash: string;
  question: string;
  source: VariantSource;
  createdBy: string | null;
  createdAt: Date;
}

/** A variant to store with a version. */
export interface NewVariant {
  clauseKey: string;
  textHash: string;
  question: string;
  source: VariantSource;
  createdBy: string | null;
}

/** A whole clause with the hash of its text. */
export interface HashedClause extends WholeClause {
  hash: string;
}

/** Longest variant, in characters: a question, not a second clause. */
export const maxVariantLength = 120;

/**
 * The hash that says whether a clause's text changed: whitespace is ignored, as clause diffs
 * ignore it.
 *
 * @example clauseTextHash('第一条 甲。') === clauseTextHash('第一条  甲。') // true
 */
export function clauseTextHash(text: string): string {
  return createHash('sha256').update(text.replace(/\s+/gu, '')).digest('hex').slice(0, 32);
}

/** A version's whole clauses with their text hashes. */
export function hashedClauses(clauses: readonly Pick<Clause, 'locator' | 'text' | 'part' | 'ordinal'>[]): HashedClause[] {
  return wholeClauses(clauses).map((whole) => ({ ...whole, hash: clauseTextHash(whole.text) }));
}

/** A variant as typed: one line, spaces folded, at most {@link maxVariantLength} characters (null when empty). */
export function cleanVariant(text: string): string | null {
  const clean = text.replace(/\s+/gu, ' ').trim();
  if (clean === '') return null;
  return [...clean].slice(0, maxVariantLength).join('');
}

/**
 * Gives each clause (every part of a split clause) the questions of its whole clause, where the
 * stored hash still matches the clause's text.
 *
 * @example attachVariants(chunkDocument(document), [{ clauseKey: '第十五条', textHash, question: '学校要有几个职业指导老师' }])
 */
export function attachVariants<T extends Clause>(clauses: readonly T[], variants: readonly Pick<NewVariant, 'clauseKey' | 'textHash' | 'question'>[]): T[] {
  if (variants.length === 0) return [...clauses];
  const byKey = new Map<string, Pick<NewVariant, 'textHash' | 'question'>[]>();
  for (const variant of variants) {
    const list = byKey.get(variant.clauseKey) ?? [];
    list.push(variant);
    byKey.set(variant.clauseKey, list);
  }
  const byOrdinal = new Map<number, string[]>();
  for (const whole of hashedClauses(clauses)) {
    const questions = (byKey.get(whole.key) ?? []).filter((variant) => variant.textHash === whole.hash).map((variant) => variant.question);
    if (questions.length > 0) for (const ordinal of whole.ordinals) byOrdinal.set(ordinal, questions);
  }
  return clauses.map((clause) => {
    const questions = byOrdinal.get(clause.ordinal);
    return questions ? { ...clause, variants: questions } : clause;
  });
}

// ---- the shipped variants: knowledge/variants/<document-id>.tsv ---------------------------------

/** A problem of a variants file, by line. */
export class VariantFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: { line: number; message: string }[],
  ) {
    super(`${file}: ${problems.map((problem) => `line ${problem.line}: ${problem.message}`).join('; ')}`);
    this.name = 'VariantFileError';
  }
}

/**
 * Reads a variants file: `locator<TAB>question` lines; blank lines and lines starting with `#`
 * are skipped.
 *
 * @example parseVariantFile('# 第十五条\n第十五条\t学校要配几个职业指导老师？\n', 'x.tsv') // [{ key: '第十五条', question: '学校要配几个职业指导老师？', line: 2 }]
 */
export function parseVariantFile(text: string, file: string): { key: string; question: string; line: number }[] {
  const entries: { key: string; question: string; line: number }[] = [];
  const problems: { line: number; message: string }[] = [];
  text
    .replace(/^\uFEFF/u, '')
    .split(/\r?\n/u)
    .forEach((raw, index) => {
      const line = index + 1;
      if (raw.trim() === '' || raw.trimStart().startsWith('#')) return;
      const fields = raw.split('\t');
      if (fields.length !== 2) return void problems.push({ line, message: 'expected "locator<TAB>question"' });
      const key = fields[0]!.trim();
      const question = cleanVariant(fields[1]!);
      if (key === '' || question === null) return void problems.push({ line, message: 'empty locator or question' });
      if ([...fields[1]!.trim()].length > maxVariantLength) return void problems.push({ line, message: `question longer than ${maxVariantLength} characters` });
      entries.push({ key, question, line });
    });
  if (problems.length > 0) throw new VariantFileError(file, problems);
  return entries;
}

/** The shipped questions of one document: by clause key, with the hash of the text they were written for. */
export type ShippedDocumentVariants = ReadonlyMap<string, { hash: string; questions: string[] }>;

/** The shipped variants of every document that has a file, by document id. */
export type ShippedVariants = ReadonlyMap<string, ShippedDocumentVariants>;

/**
 * Pairs a document's variants file with the document it was written for: each line must name a
 * clause of the document (the locator, `#2` for a repeated one), and records that clause's text
 * hash, so that the questions are attached only where a version has the same text.
 */
export function shippedVariantsOf(document: Pick<PolicyDocument, 'id' | 'body'>, text: string, file: string): ShippedDocumentVariants {
  const clauses = new Map(hashedClauses(chunkDocument(document)).map((whole) => [whole.key, whole]));
  const result = new Map<string, { hash: string; questions: string[] }>();
  const problems: { line: number; message: string }[] = [];
  for (const { key, question, line } of parseVariantFile(text, file)) {
    const clause = clauses.get(key);
    if (!clause) {
      problems.push({ line, message: `${document.id} has no clause "${key}"` });
      continue;
    }
    const entry = result.get(key) ?? { hash: clause.hash, questions: [] };
    if (!entry.questions.includes(question)) entry.questions.push(question);
    result.set(key, entry);
  }
  if (problems.length > 0) throw new VariantFileError(file, problems);
  return result;
}

/** Where the shipped variants files live, beside a documents directory (`knowledge/documents` → `knowledge/variants`). */
export function variantsDirFor(documentsDir: string): string {
  return path.join(path.dirname(path.resolve(documentsDir)), 'variants');
}

/**
 * Reads `<variantsDir>/<document-id>.tsv` for the documents of `documentsDir`. A file for a
 * document that is not there is skipped; a line naming no clause of its document fails the read,
 * naming the file and line. No variants directory: no shipped variants.
 *
 * @example const shipped = await loadShippedVariants('knowledge/documents'); shipped.get('moe-2018-zhongzhi-guidance')?.get('第十五条')
 */
export async function loadShippedVariants(documentsDir: string, variantsDir = variantsDirFor(documentsDir)): Promise<ShippedVariants> {
  if (!existsSync(variantsDir) || !existsSync(documentsDir)) return new Map();
  const files = (await readdir(variantsDir)).filter((name) => name.endsWith('.tsv')).sort();
  if (files.length === 0) return new Map();
  const documents = new Map<string, PolicyDocument>();
  for (const name of (await readdir(documentsDir)).filter((file) => file.endsWith('.md'))) {
    const document = parseDocument(await readFile(path.join(documentsDir, name), 'utf8'), name);
    documents.set(document.id, document);
  }
  const shipped = new Map<string, ShippedDocumentVariants>();
  for (const name of files) {
    const document = documents.get(name.slice(0, -'.tsv'.length));
    if (!document) continue;
    shipped.set(document.id, shippedVariantsOf(document, await readFile(path.join(variantsDir, name), 'utf8'), name));
  }
  return shipped;
}

// ---- generation with a model ------------------------------------------------------------------

/** Writes student-style questions for a clause (the configured chat model at ingest). */
export interface VariantGenerator {
  /** For the cache: a generator's questions are reused only by the same model and prompt. */
  readonly name: string;
  /** How many questions per clause. */
  readonly count: number;
  /** Questions for one clause; an empty list when the model gave nothing usable. Throws when the call failed. */
  generate(clause: { title: string; locator: string; text: string; headingPath: string[] }): Promise<string[]>;
}

/**
 * The model that writes variants at ingest when LLM_BASE_URL and LLM_MODEL are set, else null
 * (offline, the shipped files are the only source). Loaded lazily, like grounded generation.
 */
export async function variantGeneratorFor(config: Config): Promise<VariantGenerator | null> {
  if (!generationConfigured(config)) return null;
  const { ChatVariantGenerator } = await import('../generation/variant-generator.ts');
  return ChatVariantGenerator.fromConfig(config);
}

/**
 * The variant of a clause that best matches a question (the hit test shows it): the one holding
 * the largest idf-weighted share of the question's words, or null when none shares a word.
 *
 * @example bestVariant('实习要交押金吗', clause.variants, (text) => tokenizer.words(text), (word) => bm25.idf(word))
 */
export function bestVariant(question: string, variants: readonly string[] | undefined, words: (text: string) => string[], idf: (word: string) => number): { question: string; share: number } | null {
  if (!variants || variants.length === 0) return null;
  const asked = new Set(words(question));
  const total = [...asked].reduce((sum, word) => sum + idf(word), 0);
  if (total === 0) return null;
  let best: { question: string; share: number } | null = null;
  for (const variant of variants) {
    const own = new Set(words(variant));
    const share = [...asked].filter((word) => own.has(word)).reduce((sum, word) => sum + idf(word), 0) / total;
    if (share > 0 && (!best || share > best.share)) best = { question: variant, share };
  }
  return best;
}
