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
  checkDims(dims);
  const safe = model.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 24);
  const hash = createHash('sha256').update(model).digest('hex').slice(0, 6);
  return `clause_embeddings_hnsw_${safe ? `${safe}_` : ''}${hash}_${dims}`;
}

/**
 * Creates, if missing, the HNSW (cosine) index over the `model`'s rows of
 * `clause_embeddings`: a partial expression index, as the column has no fixed dimension.
 *
 * @example
 * await ensureVectorIndex(db, 'bge-m3', 1024);
 */
export async function ensureVectorIndex(db: Queryable, model: string, dims: number): Promise<void> {
  await db.exec(
    `create index if not exists ${vectorIndexName(model, dims)} on clause_embeddings ` +
      `using hnsw ((embedding::vector(${dims})) vector_cosine_ops) where model = ${quoteLiteral(model)}`,
  );
}

/**
 * Drops every HNSW index over `clause_embeddings` (all models), so that a bulk load writes rows
 * without updating a graph per row and {@link ensureVectorIndex} then builds it once.
 *
 * @example
 * await dropVectorIndexes(tx); // … insert the vectors …
 * await ensureVectorIndex(tx, 'bge-m3', 1024);
 */
export async function dropVectorIndexes(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ indexname: string }>(
    `select indexname from pg_indexes where tablename = 'clause_embeddings' and indexname like 'clause\\_embeddings\\_hnsw\\_%'`,
  );
  for (const { indexname } of rows) await db.exec(`drop index if exists "${indexname.replaceAll('"', '""')}"`);
  return rows.map((row) => row.indexname);
}

/**
 * The `k` clauses whose `model` embeddings are nearest to `queryVec` by cosine
 * distance, nearest first; uses the index of {@link ensureVectorIndex}.
 * Through the index at most `hnsw.ef_search` (default 40) rows come back.
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
  checkDims(dims);
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
  checkDims(dims);
  const distance = `embedding::vector(${dims}) <=> $1::vector(${dims})`;
  return `select clause_id, ${distance} as distance from clause_embeddings where model = $2 order by ${distance} limit $3`;
}

function checkDims(dims: number): void {
  if (!Number.isInteger(dims) || dims < 1 || dims > MAX_INDEXED_DIMS) {
    throw new Error(`A vector index needs 1 to ${MAX_INDEXED_DIMS} dimensions, not ${dims}`);
  }
}

function quoteLiteral(text: string): string {
  if (text.includes('\0')) throw new Error('A model name cannot hold a NUL character');
  return `'${text.replaceAll("'", "''")}'`;
}
