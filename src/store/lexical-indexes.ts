import type { Queryable } from './database.ts';

/** A snapshot's lexical indexes as stored: the bytes `Postings.toBytes` wrote. */
export interface StoredLexicalIndex {
  words: Uint8Array;
  bigrams: Uint8Array;
}

/** How many keys are kept: the live version's, and a few before it for instances not yet switched. */
const keptIndexes = 3;

/**
 * The lexical indexes stored under `key` (see `lexicalIndexKey`), or null when there are none.
 *
 * @example const stored = await loadLexicalIndex(db, lexicalIndexKey(snapshot, lexicon, tokenizer));
 */
export async function loadLexicalIndex(db: Queryable, key: string): Promise<StoredLexicalIndex | null> {
  const { rows } = await db.query<{ words: Uint8Array; bigrams: Uint8Array }>('select words, bigrams from lexical_indexes where key = $1', [key]);
  const row = rows[0];
  return row ? { words: row.words, bigrams: row.bigrams } : null;
}

/**
 * Stores a snapshot's lexical indexes under `key` (over what is there: equal indexes another process
 * stored first, or bytes that could not be read), and drops all but the newest few keys.
 *
 * @example await storeLexicalIndex(db, key, snapshot.version, { words: words.toBytes(), bigrams: bigrams.toBytes() });
 */
export async function storeLexicalIndex(db: Queryable, key: string, kbVersion: number, index: StoredLexicalIndex): Promise<void> {
  await db.query('insert into lexical_indexes (key, kb_version, words, bigrams) values ($1, $2, $3, $4) on conflict (key) do update set words = excluded.words, bigrams = excluded.bigrams', [key, kbVersion, index.words, index.bigrams]);
  await db.query(
    `delete from lexical_indexes where key <> $1 and key not in (select key from lexical_indexes order by created_at desc, kb_version desc limit $2)`,
    [key, keptIndexes],
  );
}
