import { createHash } from 'node:crypto';
import { toSql, type Queryable } from './database.ts';

/** pgvector indexes at most 2,000 dimensions of `vector`. */
const MAX_INDEXED_DIMS = 2000;

/**
 * Name of the HNSW index for one model's vectors: `clause_embeddings_hnsw_<slug>_<dims>`,
 * where the slug is the model name made safe plus a short hash, so that
 * different models never share a name.
 *
 * @example
 * vectorIndexName('BAAI/bge-m3', 1024); // 'clause_embeddings_hnsw_baai_bge_m3_d790e7_1024'
 */
export function vectorIndexName(model: string, dims: number): string {
  checkSearchableDims(dims);
  const safe = model.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 24);
  const hash = createHash('sha256').update(model).digest('hex').slice(0, 6);
  return `clause_embeddings_hnsw_${safe ? `${safe}_` : ''}${hash}_${dims}`;
}

/**
 * Creates, if missing, the HNSW (cosine) index over the `model`'s rows of
 * `clause_embeddings`: a partial expression index, as the column has no fixed dimension.
 * `concurrently` (outside a transaction only) builds it without locking out writes to the table
 * (PostgreSQL's `create index concurrently`: another instance's publish is not held up by a
 * minute-long build), and first drops an index of that name a build that was cut short left
 * invalid (one that `if not exists` would otherwise keep, and the planner never use).
 *
 * @example
 * await ensureVectorIndex(db, 'bge-m3', 1024);
 * await ensureVectorIndex(db, 'bge-m3', 1024, { concurrently: true }); // not inside a transaction
 */
export async function ensureVectorIndex(db: Queryable, model: string, dims: number, options: { concurrently?: boolean } = {}): Promise<void> {
  const name = vectorIndexName(model, dims);
  if (options.concurrently) {
    const { rows } = await db.query<{ valid: boolean }>(
      `select i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = $1`,
      [name],
    );
    if (rows[0] && !rows[0].valid) await db.exec(`drop index concurrently if exists ${name}`);
  }
  await db.exec(
    `create index ${options.concurrently ? 'concurrently ' : ''}if not exists ${name} on clause_embeddings ` +
      `using hnsw ((embedding::vector(${dims})) vector_cosine_ops) where model = ${quoteLiteral(model)}`,
  );
}

/**
 * Drops the HNSW indexes over `clause_embeddings` (of every model, or all but the index named
 * `keep`), so that a bulk load writes rows without updating a graph per row and
 * {@link ensureVectorIndex} then builds it once. Returns the names dropped.
 *
 * @example
 * await dropVectorIndexes(tx); // … insert the vectors …
 * await ensureVectorIndex(tx, 'bge-m3', 1024);
 */
export async function dropVectorIndexes(db: Queryable, options: { keep?: string } = {}): Promise<string[]> {
  const { rows } = await db.query<{ indexname: string }>(
    `select indexname from pg_indexes where tablename = 'clause_embeddings' and indexname like 'clause\\_embeddings\\_hnsw\\_%'`,
  );
  const dropped = rows.map((row) => row.indexname).filter((name) => name !== options.keep);
  for (const name of dropped) await db.exec(`drop index if exists "${name.replaceAll('"', '""')}"`);
  return dropped;
}

/**
 * Up to this many vectors of a model, dense search scans them all: exact, and as fast as the HNSW
 * index at this size (20,000 vectors of 128 dimensions on PGlite: 24 ms p50 by scan, 14 ms
 * through the index, whose build took 54 s), so a publish builds no index at all.
 */
export const exactScanLimit = 20_000;

/**
 * Gives the `model`'s vectors the search their number calls for: past `limit` (default
 * {@link exactScanLimit}) the HNSW index (built if missing), else none (dense search scans them
 * all). Other models' indexes are dropped. Run it outside a transaction, after the vectors are
 * in: the build takes a while (concurrently: writes to the table go on), and search works
 * without it meanwhile (by scan).
 *
 * @example
 * await indexVectorsAtSize(db, 'corpus-lsa-1a2b3c', 128); // 'scan' for a school's few thousand clauses
 */
export async function indexVectorsAtSize(db: Queryable, model: string, dims: number, limit = exactScanLimit): Promise<'scan' | 'index'> {
  checkSearchableDims(dims);
  const { rows } = await db.query<{ n: number }>('select count(*)::int as n from clause_embeddings where model = $1', [model]);
  const index = (rows[0]?.n ?? 0) > limit;
  await dropVectorIndexes(db, index ? { keep: vectorIndexName(model, dims) } : {});
  if (index) {
    await ensureVectorIndex(db, model, dims, { concurrently: true });
    await db.exec('analyze clause_embeddings');
  }
  return index ? 'index' : 'scan';
}

/**
 * The `k` clauses whose `model` embeddings are nearest to `queryVec` by cosine
 * distance, nearest first: through the index of {@link ensureVectorIndex} when there is one (at
 * most `hnsw.ef_search`, default 40, rows come back), else by an exact scan.
 *
 * @example
 * const hits = await nearestClauses(db, 'bge-m3', 1024, embedding, 20); // [{ clause_id: 'doc#3', distance: 0.12 }, …]
 */
export async function nearestClauses(
  db: Queryable,
  model: string,
  dims: number,
  queryVec: readonly number[],
  k: number,
): Promise<{ clause_id: string; distance: number }[]> {
  checkSearchableDims(dims);
  if (queryVec.length !== dims) throw new Error(`nearestClauses: the query vector has ${queryVec.length} dimensions, not ${dims}`);
  const { rows } = await db.query<{ clause_id: string; distance: number }>(
    nearestClausesSql(dims),
    [toSql(queryVec), model, k],
  );
  return rows;
}

/**
 * The SQL of {@link nearestClauses}; parameters `$1` query vector, `$2` model, `$3` k.
 *
 * @example
 * await db.query(`explain ${nearestClausesSql(64)}`, [toSql(v), 'm', 10]);
 */
export function nearestClausesSql(dims: number): string {
  checkSearchableDims(dims);
  const distance = `embedding::vector(${dims}) <=> $1::vector(${dims})`;
  return `select clause_id, ${distance} as distance from clause_embeddings where model = $2 order by ${distance} limit $3`;
}

/**
 * Throws unless vectors of `dims` dimensions can be searched: scanned with the casts of
 * {@link nearestClausesSql}, and indexed past {@link exactScanLimit}.
 */
export function checkSearchableDims(dims: number): void {
  if (!Number.isInteger(dims) || dims < 1 || dims > MAX_INDEXED_DIMS) {
    throw new Error(`A vector index needs 1 to ${MAX_INDEXED_DIMS} dimensions, not ${dims}`);
  }
}

function quoteLiteral(text: string): string {
  if (text.includes('\0')) throw new Error('A model name cannot hold a NUL character');
  return `'${text.replaceAll("'", "''")}'`;
}
