import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toSql, type Queryable } from './database.ts';
import { testBackends, type TestBackend } from './testing.ts';
import { ensureVectorIndex, indexVectorsAtSize, nearestClauses, nearestClausesSql, vectorIndexName } from './vector-index.ts';

const MODEL = "test/emb-64 'v1'";
const DIMS = 64;
const ROWS = 2000;

/** A seeded generator (mulberry32), so every run sees the same vectors. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function addEmbeddings(db: Queryable, model: string, vectors: number[][], prefix: string): Promise<void> {
  await db.query(
    `insert into clauses (id, doc_id, ordinal, locator, text)
     select $1 || '#' || i, $1, i, '第' || i || '条', '条文' from generate_series(1, $2::int) as i
     on conflict (id) do nothing`,
    [prefix, vectors.length],
  );
  await db.query(
    `insert into clause_embeddings (clause_id, model, embedding)
     select $1 || '#' || ordinality, $2, v::vector from unnest($3::text[]) with ordinality as v`,
    [prefix, model, vectors.map(toSql)],
  );
}

describe.each(testBackends)('the vector index on %s', (_name, open) => {
  let backend: TestBackend;
  const next = random(7);
  const query = Array.from({ length: DIMS }, () => next() - 0.5);
  const near = query.map((x, i) => (i === 0 ? x + 0.05 : x));
  const far = query.map((x) => -x);

  beforeAll(async () => {
    backend = await open({ migrated: true });
    await backend.db.exec(`insert into documents (id, title, issuer, region, status, audience, body, content_hash)
      select id, id, '教育部', '全国', 'in-force', 'students', '正文', 'h' from unnest(array['doc', 'other']) as id`);
    const vectors = Array.from({ length: ROWS }, () => Array.from({ length: DIMS }, () => next() - 0.5));
    vectors.splice(0, 3, far, near, query);
    await addEmbeddings(backend.db, MODEL, vectors, 'doc');
    await addEmbeddings(backend.db, 'other-model', [[1, 0, 0], [0, 1, 0]], 'other');
  });
  afterAll(() => backend?.stop());

  it("returns a model's nearest clauses, nearest first", async () => {
    const hits = await nearestClauses(backend.db, MODEL, DIMS, query, 5);
    expect(hits.map((h) => h.clause_id).slice(0, 2)).toEqual(['doc#3', 'doc#2']);
    expect(hits[0]!.distance).toBeCloseTo(0, 6);
    expect(hits.map((h) => h.distance)).toEqual([...hits.map((h) => h.distance)].sort((a, b) => a - b));
    expect(hits.map((h) => h.clause_id)).not.toContain('doc#1');
  });

  it('keeps the models apart', async () => {
    const hits = await nearestClauses(backend.db, 'other-model', 3, [0, 0.9, 0.1], 5);
    expect(hits.map((h) => h.clause_id)).toEqual(['other#2', 'other#1']);
  });

  it('creates a partial HNSW index per model and dimension, once', async () => {
    await ensureVectorIndex(backend.db, MODEL, DIMS);
    await ensureVectorIndex(backend.db, MODEL, DIMS);
    const { rows } = await backend.db.query<{ indexdef: string }>(
      'select indexdef from pg_indexes where indexname = $1',
      [vectorIndexName(MODEL, DIMS)],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.indexdef).toMatch(/USING hnsw \(\(\(?embedding\)?::vector\(64\)\) vector_cosine_ops\) WHERE \(model = 'test\/emb-64 ''v1'''::text\)/);
  });

  it('answers the nearest-clauses query through the index', async () => {
    await backend.db.exec('analyze clause_embeddings');
    const { rows } = await backend.db.query<{ 'QUERY PLAN': string }>(`explain ${nearestClausesSql(DIMS)}`, [
      toSql(query),
      MODEL,
      5,
    ]);
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toContain(`Index Scan using ${vectorIndexName(MODEL, DIMS)}`);

    const hits = await nearestClauses(backend.db, MODEL, DIMS, query, 5);
    expect(hits.map((h) => h.clause_id).slice(0, 2)).toEqual(['doc#3', 'doc#2']);
  });

  it('keeps the index only past the exact-scan limit, and drops other models\' indexes', async () => {
    const indexes = async (): Promise<string[]> =>
      (await backend.db.query<{ indexname: string }>(`select indexname from pg_indexes where tablename = 'clause_embeddings' and indexname like '%hnsw%' order by 1`)).rows.map((row) => row.indexname);
    await ensureVectorIndex(backend.db, 'other-model', 3);
    expect(await indexVectorsAtSize(backend.db, MODEL, DIMS, ROWS - 1)).toBe('index');
    expect(await indexes()).toEqual([vectorIndexName(MODEL, DIMS)]);
    expect(await indexVectorsAtSize(backend.db, MODEL, DIMS, ROWS)).toBe('scan');
    expect(await indexes()).toEqual([]);
    const hits = await nearestClauses(backend.db, MODEL, DIMS, query, 5);
    expect(hits.map((h) => h.clause_id).slice(0, 2)).toEqual(['doc#3', 'doc#2']);
  });

  it('builds again an index a cut-short concurrent build left invalid (which "if not exists" would keep, unused)', async () => {
    const name = vectorIndexName(MODEL, DIMS);
    const valid = async (): Promise<boolean[]> =>
      (await backend.db.query<{ valid: boolean }>('select i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = $1', [name])).rows.map((row) => row.valid);
    await ensureVectorIndex(backend.db, MODEL, DIMS);
    // what a failed `create index concurrently` leaves behind
    await backend.db.query(`update pg_index set indisvalid = false where indexrelid = $1::regclass`, [name]);
    expect(await valid()).toEqual([false]);
    expect(await indexVectorsAtSize(backend.db, MODEL, DIMS, ROWS - 1)).toBe('index');
    expect(await valid()).toEqual([true]);
    const { rows } = await backend.db.query<{ 'QUERY PLAN': string }>(`explain ${nearestClausesSql(DIMS)}`, [toSql(query), MODEL, 5]);
    expect(rows.map((r) => r['QUERY PLAN']).join('\n')).toContain(`Index Scan using ${name}`);
  });

  it('refuses a query vector of the wrong dimension', async () => {
    await expect(nearestClauses(backend.db, MODEL, DIMS, [1, 2, 3], 5)).rejects.toThrow(/3 dimensions, not 64/);
  });
});

describe('vectorIndexName', () => {
  it('is a safe identifier, distinct per model, within 63 characters', () => {
    expect(vectorIndexName('BAAI/bge-m3', 1024)).toMatch(/^clause_embeddings_hnsw_baai_bge_m3_[0-9a-f]{6}_1024$/);
    expect(vectorIndexName('a/b', 8)).not.toBe(vectorIndexName('a-b', 8));
    expect(vectorIndexName('x'.repeat(200), 2000).length).toBeLessThanOrEqual(63);
  });

  it('refuses dimensions an HNSW index cannot hold', () => {
    expect(() => vectorIndexName('m', 0)).toThrow();
    expect(() => vectorIndexName('m', 4096)).toThrow();
    expect(() => vectorIndexName('m', 1.5)).toThrow();
  });
});
