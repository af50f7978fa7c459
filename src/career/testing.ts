/**
 * Helpers for the career tests: answers with chosen scores, and link resolvers — one over the real
 * documents (the project's own loader and chunker), one made up.
 */
import path from 'node:path';
import { readDocumentDirectory, snapshotOf } from '../knowledge/corpus.ts';
import { knowledgeDir } from '../paths.ts';
import { snapshotResolver, type LinkResolver } from './plan-render.ts';
import { askingOrder, riasecItemsFileContent } from './riasec-items.ts';
import { letters, nationalRegion, type Letter } from './vocabulary.ts';

/**
 * Answers giving each type's items the listed ratings (in file order); unlisted types get `rest`.
 *
 * @example answersFor({ R: [5, 5, 5, 5] }) // R 20, every other type 4
 */
export function answersFor(ratings: Partial<Record<Letter, readonly number[]>>, rest = 1): Record<string, number> {
  const answers: Record<string, number> = {};
  for (const letter of letters) {
    const items = riasecItemsFileContent().items.filter((item) => item.type === letter);
    items.forEach((item, index) => {
      answers[item.id] = ratings[letter]?.[index] ?? rest;
    });
  }
  return answers;
}

/** The replies to the 24 items, in the order they are asked. */
export function itemReplies(answers: Readonly<Record<string, number>>): string[] {
  return askingOrder().map((item) => String(answers[item.id]));
}

/** Resolves links against the real documents in `knowledge/documents/`, as the core does (parts joined). */
export async function corpusResolver(): Promise<LinkResolver> {
  const snapshot = snapshotOf(await readDocumentDirectory(path.join(knowledgeDir, 'documents')));
  return snapshotResolver(snapshot, (document) => document.date ?? document.dateNote ?? '');
}

/** A made-up resolver: every clause quotes its own focus fragments; regions by document id. */
export function fakeResolver(regions: Readonly<Record<string, string>>): LinkResolver {
  return (link) => ({
    title: `title of ${link.doc}`,
    text: `…${(link.focus ?? []).join('…')}…`,
    issuer: `issuer of ${link.doc}`,
    region: regions[link.doc] ?? nationalRegion,
    date: '2020-01-01',
  });
}
