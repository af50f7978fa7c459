/**
 * Knowledge-base bench (a script, not a test): ingest throughput and the time to publish 1,000
 * generated documents through the versioned store (parse → chunk → fit → embed → switch), and
 * retrieval latency at 100,000 synthetic clauses (hybrid search in memory; pgvector HNSW on its own).
 *
 * @example node --import tsx eval/bench-knowledge-base.ts            # 1,000 documents, 100k clauses
 * @example node --import tsx eval/bench-knowledge-base.ts --docs 200 --clauses 20000
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CorpusLsaEmbeddings } from '../src/retrieval/embeddings/corpus-lsa.ts';
import { corpusLsaModel } from '../src/retrieval/embeddings/provider.ts';
import { HybridSearch } from '../src/retrieval/hybrid-search.ts';
import { loadLexicon } from '../src/retrieval/lexicon.ts';
import { Tokenizer } from '../src/retrieval/tokenizer.ts';
import { toSql } from '../src/store/database.ts';
import { createTestDatabase } from '../src/store/testing.ts';
import { ensureVectorIndex, nearestClauses } from '../src/store/vector-index.ts';
import { chunkDocument } from '../src/knowledge/chunker.ts';
import { readUploadPaths } from '../src/knowledge/ingest.ts';
import { KnowledgeBase, type ProgressEvent } from '../src/knowledge/knowledge-base.ts';
import { syntheticKnowledgeBase } from '../src/testing/synthetic-knowledge-base.ts';
import { syntheticMarkdown } from '../src/knowledge/testing-fixtures.ts';

const { values } = parseArgs({ options: { docs: { type: 'string', default: '1000' }, 'doc-clauses': { type: 'string', default: '10' }, clauses: { type: 'string', default: '100000' }, queries: { type: 'string', default: '200' } } });
const docs = Number(values.docs);
const perDoc = Number(values['doc-clauses']);
const totalClauses = Number(values.clauses);
const queries = Number(values.queries);

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

async function publishBench(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'zhiyin-bench-'));
  try {
    for (let i = 1; i <= docs; i += 1) await writeFile(path.join(dir, `gen-${i}.md`), syntheticMarkdown(i, perDoc));
    let started = performance.now();
    const uploads = await readUploadPaths([dir]);
    const parseMs = performance.now() - started;
    const clauseCount = uploads.reduce((sum, upload) => sum + chunkDocument(upload.document).length, 0);
    const db = await createTestDatabase();
    const tokenizer = new Tokenizer(loadLexicon());
    const kb = new KnowledgeBase(db, corpusLsaModel(new CorpusLsaEmbeddings({ tokenizer })));
    const phases = new Map<string, number>();
    let phaseStart = performance.now();
    let phase = '';
    const onProgress = (event: ProgressEvent): void => {
      if (event.phase !== phase) {
        const now = performance.now();
        if (phase) phases.set(phase, (phases.get(phase) ?? 0) + now - phaseStart);
        phase = event.phase;
        phaseStart = now;
      }
    };
    started = performance.now();
    const candidate = await kb.plan({ kind: 'set', inputs: uploads.map(({ document, source }) => ({ document, source })), exact: true }, { onProgress });
    const report = await kb.commit(candidate, { onProgress });
    const publishMs = performance.now() - started;
    await db.close();
    console.log(`publish ${docs} documents (${clauseCount} clauses, corpus-fitted LSA embeddings, in-memory PGlite):`);
    console.log(`  parse + validate files: ${seconds(parseMs)} (${Math.round((clauseCount / parseMs) * 1000)} clauses/s including chunking)`);
    for (const [name, ms] of phases) console.log(`  ${name.padEnd(9)} ${seconds(ms)}${name === 'embedding' || name === 'switching' ? ` (${Math.round((clauseCount / ms) * 1000)} clauses/s)` : ''}`);
    console.log(`  publish total (plan + switch): ${seconds(publishMs)}; end to end ${seconds(parseMs + publishMs)}; ingest throughput ${Math.round((clauseCount / (parseMs + publishMs)) * 1000)} clauses/s; kb version ${report.version}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function retrievalBench(): Promise<void> {
  const lexicon = loadLexicon();
  const tokenizer = new Tokenizer(lexicon);
  let started = performance.now();
  const { clauses, snapshot, questions } = syntheticKnowledgeBase(totalClauses, queries);
  const search = new HybridSearch(snapshot, lexicon, tokenizer, null);
  const buildMs = performance.now() - started;
  for (const question of questions.slice(0, 10)) await search.search(question, 10);
  const times: number[] = [];
  for (const question of questions) {
    started = performance.now();
    await search.search(question, 10);
    times.push(performance.now() - started);
  }
  times.sort((x, y) => x - y);
  console.log(`retrieval over ${clauses.length} clauses (BM25 words + bigrams, fusion and re-rank, in memory): index built in ${seconds(buildMs)}; per query p50 ${percentile(times, 0.5).toFixed(1)} ms, p95 ${percentile(times, 0.95).toFixed(1)} ms (${queries} queries)`);

  // pgvector HNSW on its own: 100k vectors of 64 dimensions (deterministic pseudo-random), cosine.
  const dims = 64;
  const db = await createTestDatabase();
  let seed = 7;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
  started = performance.now();
  await db.exec("insert into documents (id, title, issuer, region, status, audience, body, content_hash) values ('bench', 'b', 'b', '全国', 'in-force', 'x', 'x', 'x')");
  for (let start = 0; start < clauses.length; start += 1000) {
    const clauseParams: unknown[] = [];
    const clauseRows: string[] = [];
    const vectorParams: unknown[] = [];
    const vectorRows: string[] = [];
    for (let i = start; i < Math.min(clauses.length, start + 1000); i += 1) {
      clauseParams.push(`bench#${i}`, i);
      clauseRows.push(`($${clauseParams.length - 1}, 'bench', $${clauseParams.length}, '序言', 'x')`);
      vectorParams.push(`bench#${i}`, toSql(Array.from({ length: dims }, random)));
      vectorRows.push(`($${vectorParams.length - 1}, 'bench-model', $${vectorParams.length}::vector)`);
    }
    await db.query(`insert into clauses (id, doc_id, ordinal, locator, text) values ${clauseRows.join(', ')}`, clauseParams);
    await db.query(`insert into clause_embeddings (clause_id, model, embedding) values ${vectorRows.join(', ')}`, vectorParams);
  }
  const insertMs = performance.now() - started;
  started = performance.now();
  await ensureVectorIndex(db, 'bench-model', dims);
  await db.exec('analyze clause_embeddings');
  const indexMs = performance.now() - started;
  const vectorTimes: number[] = [];
  for (let q = 0; q < queries; q += 1) {
    const vector = Array.from({ length: dims }, random);
    started = performance.now();
    await nearestClauses(db, 'bench-model', dims, vector, 40);
    vectorTimes.push(performance.now() - started);
  }
  vectorTimes.sort((x, y) => x - y);
  await db.close();
  console.log(`pgvector HNSW over ${clauses.length} vectors (${dims} dims, PGlite): insert ${seconds(insertMs)}, index build ${seconds(indexMs)}; k=40 query p50 ${percentile(vectorTimes, 0.5).toFixed(1)} ms, p95 ${percentile(vectorTimes, 0.95).toFixed(1)} ms`);
}

await publishBench();
await retrievalBench();
