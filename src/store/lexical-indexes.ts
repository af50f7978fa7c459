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
  // as base64 text: PGlite hands bytea over byte by byte in JavaScript, ten times slower
  const { rows } = await db.query<{ words: string; bigrams: string }>(
    `select encode(words, 'base64') as words, encode(bigrams, 'base64') as bigrams from lexical_indexes where key = $1`,
    [key],
  );
  const row = rows[0];
  return row ? { words: Buffer.from(row.words, 'base64'), bigrams: Buffer.from(row.bigrams, 'base64') } : null;
}

/**
 * Stores a snapshot's lexical indexes under `key` (over what is there: equal indexes another process
 * stored first, or bytes that could not be read), and drops all but the newest few keys.
 *
 * @example await storeLexicalIndex(db, key, snapshot.version, { words: words.toBytes(), bigrams: bigrams.toBytes() });
 */
export async function storeLexicalIndex(db: Queryable, key: string, kbVersion: number, index: StoredLexicalIndex): Promise<void> {
  const base64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  await db.query(
    `insert into lexical_indexes (key, kb_version, words, bigrams) values ($1, $2, decode($3, 'base64'), decode($4, 'base64'))
       on conflict (key) do update set words = excluded.words, bigrams = excluded.bigrams`,
    [key, kbVersion, base64(index.words), base64(index.bigrams)],
  );
  await db.query(
    `delete from lexical_indexes where key <> $1 and key not in (select key from lexical_indexes order by created_at desc, kb_version desc limit $2)`,
    [key, keptIndexes],
  );
}
