import type { Clause } from './types.ts';

/** One clause in a diff: its locator and whole text (the parts of a split clause joined). */
export interface DiffClause {
  locator: string;
  text: string;
}

/** What changed between two versions of a document, clause by clause (matched by locator). */
export interface ClauseDiff {
  added: DiffClause[];
  removed: DiffClause[];
  changed: { locator: string; before: string; after: string }[];
  unchanged: number;
}

/** A whole clause of a version: the parts of a split clause joined, under the key diffs and variants use. */
export interface WholeClause {
  /** The locator, with `#2`, `#3` for a locator used again (two 序言 paragraphs). */
  key: string;
  locator: string;
  text: string;
  /** The ordinals of its parts (chunks) in the version. */
  ordinals: number[];
}

/**
 * A version's clauses as whole clauses, in order: the parts of a split clause (which share the
 * locator, or extend it as 第四条（三） extends 第四条) joined; a locator used twice gets `#2`, `#3`.
 */
export function wholeClauses(clauses: readonly Pick<Clause, 'locator' | 'text' | 'part' | 'ordinal'>[]): WholeClause[] {
  const joined: WholeClause[] = [];
  for (const clause of clauses) {
    const last = joined.at(-1);
    if (clause.part > 1 && last && (last.locator === clause.locator || clause.locator.startsWith(last.locator))) {
      last.text += `\n${clause.text}`;
      last.ordinals.push(clause.ordinal);
    } else joined.push({ key: clause.locator, locator: clause.locator, text: clause.text, ordinals: [clause.ordinal] });
  }
  const seen = new Map<string, number>();
  for (const whole of joined) {
    const count = (seen.get(whole.locator) ?? 0) + 1;
    seen.set(whole.locator, count);
    if (count > 1) whole.key = `${whole.locator}#${count}`;
  }
  return joined;
}

/** Whole clauses by key. */
function byLocator(clauses: readonly Pick<Clause, 'locator' | 'text' | 'part'>[]): Map<string, string> {
  return new Map(wholeClauses(clauses.map((clause, ordinal) => ({ ...clause, ordinal }))).map((whole) => [whole.key, whole.text]));
}

const same = (x: string, y: string): boolean => x.replace(/\s+/gu, '') === y.replace(/\s+/gu, '');

/**
 * A clause-level diff: clauses only in `after` are added, only in `before` removed, in both with
 * other wording changed (whitespace ignored). Clauses keep the order of their version.
 *
 * @example clauseDiff(chunkDocument(v1), chunkDocument(v2)).changed[0] // { locator: '第十五条', before: '…', after: '…' }
 */
export function clauseDiff(before: readonly Pick<Clause, 'locator' | 'text' | 'part'>[], after: readonly Pick<Clause, 'locator' | 'text' | 'part'>[]): ClauseDiff {
  const old = byLocator(before);
  const next = byLocator(after);
  const diff: ClauseDiff = { added: [], removed: [], changed: [], unchanged: 0 };
  for (const [locator, text] of next) {
    const previous = old.get(locator);
    if (previous === undefined) diff.added.push({ locator, text });
    else if (same(previous, text)) diff.unchanged += 1;
    else diff.changed.push({ locator, before: previous, after: text });
  }
  for (const [locator, text] of old) if (!next.has(locator)) diff.removed.push({ locator, text });
  return diff;
}
