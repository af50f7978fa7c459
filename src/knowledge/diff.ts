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

/** Whole clauses by locator; a locator used twice (two 序言 paragraphs) gets `#2`, `#3`. */
function byLocator(clauses: readonly Pick<Clause, 'locator' | 'text' | 'part'>[]): Map<string, string> {
  const joined: DiffClause[] = [];
  for (const clause of clauses) {
    const last = joined.at(-1);
    if (clause.part > 1 && last && last.locator === clause.locator) last.text += `\n${clause.text}`;
    else if (clause.part > 1 && last && clause.locator.startsWith(last.locator)) last.text += `\n${clause.text}`;
    else joined.push({ locator: clause.locator, text: clause.text });
  }
  const map = new Map<string, string>();
  const seen = new Map<string, number>();
  for (const { locator, text } of joined) {
    const count = (seen.get(locator) ?? 0) + 1;
    seen.set(locator, count);
    map.set(count === 1 ? locator : `${locator}#${count}`, text);
  }
  return map;
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
