/**
 * Retrieval benchmark: zhiyin's hybrid search next to Orama, MiniSearch and LangChain's
 * BM25Retriever, in one process, over the same clauses and the same `answer` questions of
 * `eval/datasets/policy.jsonl` and `holdout.jsonl`. Reports hit@1, hit@5, MRR@5 (passage
 * containment, as `eval/metrics.ts`), ingest time and per-query latency.
 *
 * Then the start-up and publish section (eval/bench-startup.ts): `--help`, `ask`, first start,
 * cold `serve`, the publish rate and the restart at 10k clauses, each against a bare `node -e 0`.
 *
 * @example npm run bench                   # table, then the start-up section
 * @example npm run bench -- --json         # the same as JSON
 * @example npm run bench -- --no-startup   # retrieval only
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDocumentDirectory, snapshotOf } from '../src/knowledge/corpus.ts';
import type { KnowledgeSnapshot } from '../src/knowledge/snapshot.ts';
import { CorpusLsaEmbeddings } from '../src/retrieval/embeddings/corpus-lsa.ts';
import { HybridSearch, InMemoryDenseSearch, indexTextOf } from '../src/retrieval/hybrid-search.ts';
import { loadLexicon } from '../src/retrieval/lexicon.ts';
import type { Lexicon } from '../src/retrieval/lexicon.ts';
import { Tokenizer } from '../src/retrieval/tokenizer.ts';
import { documentsDir } from '../src/testing/corpus-fixture.ts';
import { loadDataset } from './dataset.ts';
import type { EvalItem } from './dataset.ts';
import { containsPassage, percentile } from './metrics.ts';
import { peerRetrievers } from './bench-peers.ts';
import type { BenchClause, BenchRetriever } from './bench-peers.ts';

const datasetsDir = fileURLToPath(new URL('./datasets/', import.meta.url));
const defaultDatasets = ['policy.jsonl', 'holdout.jsonl'].map((name) => path.join(datasetsDir, name));

/** How many results each retriever returns per question. */
const topK = 5;

export interface BenchOptions {
  /** Timed passes over all questions (latency is each question's median over them); also timed builds. Default 5. */
  rounds?: number;
  /** Untimed questions asked of each retriever before timing. Default 20. */
  warmup?: number;
  /** Dataset files; default policy.jsonl and holdout.jsonl. Only `answer` items are used. */
  datasets?: string[];
}

/** One question as a retriever answered it. */
export interface QueryRun {
  item: string;
  dataset: string;
  /** Returned clause ids, best first (from the first timed round). */
  ids: string[];
  /** 1-based rank of the first returned clause whose text contains a passage, or null. */
  rank: number | null;
  /** Median latency over the rounds, ms. */
  ms: number;
}

/** A table row. Ratios compare with zhiyin: hit@5 ÷ zhiyin's, p50 ÷ zhiyin's (> 1 is slower). */
export interface BenchRow {
  name: string;
  hitAt1: number;
  hitAt5: number;
  mrr: number;
  ingestMs: number;
  p50Ms: number;
  p95Ms: number;
  hitAt5VsZhiyin: number;
  p50VsZhiyin: number;
  /** hit@5 per dataset file. */
  hitAt5ByDataset: Record<string, number>;
}

export interface BenchResult {
  clauses: number;
  questions: number;
  datasets: Record<string, number>;
  rounds: number;
  rows: BenchRow[];
  notes: string[];
  summary: string;
  /** Per retriever (by name), every question's result. Not part of `--json`. */
  queries: Record<string, QueryRun[]>;
}

/**
 * zhiyin's retrieval as the assistant runs it, held in memory: BM25 + bigram BM25 + the
 * corpus-fitted LSA dense search, fused and re-ranked by `HybridSearch`. The build fits the LSA
 * model and embeds every clause; nothing is written to a database.
 */
export function zhiyinRetriever(snapshot: KnowledgeSnapshot, lexicon: Lexicon, tokenizer: Tokenizer): BenchRetriever {
  let hybrid: HybridSearch | undefined;
  return {
    name: 'zhiyin',
    async build(clauses) {
      // HybridSearch takes the snapshot and derives the same index text itself; make sure it is the same clause set.
      if (clauses.length !== snapshot.clauses.length || clauses.some((clause, i) => clause.id !== snapshot.clauses[i]?.id)) {
        throw new Error('zhiyin: the bench clauses are not the snapshot clauses');
      }
      const texts = clauses.map((clause) => clause.text);
      const embeddings = new CorpusLsaEmbeddings({ tokenizer }).fit(texts);
      const vectors = clauses.map((clause, i) => ({ id: clause.id, vector: embeddings.embed(texts[i]!) }));
      const dense = new InMemoryDenseSearch((text) => embeddings.embedQuery(text), vectors);
      hybrid = new HybridSearch(snapshot, lexicon, tokenizer, dense);
    },
    async search(question, k) {
      if (!hybrid) throw new Error('zhiyin: build() first');
      const { results } = await hybrid.search(question, k);
      return results.map((ranked) => ranked.clause.id);
    },
  };
}

interface Question {
  item: EvalItem;
  dataset: string;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const mean = (values: readonly number[]): number => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);

/** Builds every retriever over the same clauses, asks every `answer` question, and measures. */
export async function runBench(options: BenchOptions = {}): Promise<BenchResult> {
  const rounds = options.rounds ?? 5;
  const warmup = options.warmup ?? 20;
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`rounds must be a positive integer, got ${rounds}`);

  const documents = await readDocumentDirectory(documentsDir);
  const snapshot = snapshotOf(documents);
  const lexicon = loadLexicon();
  const tokenizer = new Tokenizer(lexicon);
  const clauses: BenchClause[] = snapshot.clauses.map((clause) => ({
    id: clause.id,
    text: indexTextOf(clause, snapshot.documents.get(clause.docId)),
  }));
  const clauseText = new Map(snapshot.clauses.map((clause) => [clause.id, clause.text]));

  const questions: Question[] = [];
  const datasets: Record<string, number> = {};
  for (const file of options.datasets ?? defaultDatasets) {
    const name = path.basename(file, '.jsonl');
    const items = (await loadDataset(file)).filter((item) => item.outcome === 'answer');
    datasets[name] = items.length;
    questions.push(...items.map((item) => ({ item, dataset: name })));
  }

  // jieba's first calls are slow; pay for them before any retriever is timed.
  for (const clause of clauses) tokenizer.words(clause.text);
  for (const { item } of questions) tokenizer.words(item.question);

  const retrievers = [zhiyinRetriever(snapshot, lexicon, tokenizer), ...peerRetrievers(tokenizer)];
  const measured: { name: string; ingestMs: number; runs: QueryRun[] }[] = [];
  for (const retriever of retrievers) {
    // One untimed build to warm the code paths, then the median of `rounds` timed builds.
    await retriever.build(clauses);
    const builds: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const started = performance.now();
      await retriever.build(clauses);
      builds.push(performance.now() - started);
    }

    for (let i = 0; i < warmup; i += 1) await retriever.search(questions[i % questions.length]!.item.question, topK);

    const times: number[][] = questions.map(() => []);
    const firstIds: string[][] = [];
    for (let round = 0; round < rounds; round += 1) {
      for (const [index, { item }] of questions.entries()) {
        const started = performance.now();
        const ids = await retriever.search(item.question, topK);
        times[index]!.push(performance.now() - started);
        if (round === 0) firstIds[index] = ids;
      }
    }

    const runs = questions.map(({ item, dataset }, index): QueryRun => {
      const ids = firstIds[index]!;
      const hit = ids.findIndex((id) => containsPassage(clauseText.get(id) ?? '', item.passages));
      return { item: item.id, dataset, ids, rank: hit === -1 ? null : hit + 1, ms: median(times[index]!) };
    });
    measured.push({ name: retriever.name, ingestMs: median(builds), runs });
  }

  const rows = measured.map(({ name, ingestMs, runs }) => {
    const hitAt = (k: number, of = runs): number => mean(of.map((run) => (run.rank !== null && run.rank <= k ? 1 : 0)));
    const latencies = runs.map((run) => run.ms);
    return {
      name,
      hitAt1: hitAt(1),
      hitAt5: hitAt(topK),
      mrr: mean(runs.map((run) => (run.rank === null ? 0 : 1 / run.rank))),
      ingestMs,
      p50Ms: percentile(latencies, 50) ?? 0,
      p95Ms: percentile(latencies, 95) ?? 0,
      hitAt5VsZhiyin: 1,
      p50VsZhiyin: 1,
      hitAt5ByDataset: Object.fromEntries(
        Object.keys(datasets).map((dataset) => [dataset, hitAt(topK, runs.filter((run) => run.dataset === dataset))]),
      ),
    };
  });
  const zhiyin = rows[0]!;
  for (const row of rows) {
    row.hitAt5VsZhiyin = row.hitAt5 / zhiyin.hitAt5;
    row.p50VsZhiyin = row.p50Ms / zhiyin.p50Ms;
  }

  const notes = [
    `${snapshot.clauses.length} clauses from knowledge/documents, each indexed as indexTextOf(clause); ${questions.length} answer questions (${Object.entries(datasets).map(([name, n]) => `${name} ${n}`).join(', ')}); top ${topK}.`,
    'zhiyin: in-memory HybridSearch (BM25 + bigram BM25 + corpus-LSA dense, RRF + re-rank); ingest = LSA fit + embedding all clauses + index build; no database.',
    'Orama and MiniSearch tokenise with the same jieba Tokenizer.words. LangChain BM25 splits on whitespace, so it gets jieba words joined by spaces (clauses and queries alike): the comparison is about ranking, not tokenising.',
    `hit = a passage (whitespace removed) contained in a returned clause's text. Ingest = median of ${rounds} builds after one warm-up build; latency = per-question median of ${rounds} rounds after ${warmup} warm-up queries.`,
  ];
  const peers = rows.slice(1);
  const bestPeer = peers.reduce((best, row) => (row.hitAt5 > best.hitAt5 ? row : best));
  const fastestPeer = peers.reduce((best, row) => (row.p50Ms < best.p50Ms ? row : best));
  const summary =
    `zhiyin hit@5 ${fixed(zhiyin.hitAt5)} vs best peer ${bestPeer.name} ${fixed(bestPeer.hitAt5)} ` +
    `(${signed(zhiyin.hitAt5 - bestPeer.hitAt5)}); zhiyin p50 ${ms(zhiyin.p50Ms)} ms vs fastest peer ${fastestPeer.name} ${ms(fastestPeer.p50Ms)} ms ` +
    `(zhiyin ${times(zhiyin.p50Ms / fastestPeer.p50Ms)} its latency).`;

  return {
    clauses: snapshot.clauses.length,
    questions: questions.length,
    datasets,
    rounds,
    rows,
    notes,
    summary,
    queries: Object.fromEntries(measured.map(({ name, runs }) => [name, runs])),
  };
}

function fixed(value: number): string {
  return value.toFixed(3);
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(3)}`;
}

function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** A ratio as `0.83×`, `1.05×`, `12.4×`. */
function times(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return `${value >= 10 ? value.toFixed(1) : value >= 1 ? value.toFixed(2) : value.toPrecision(2)}×`;
}

/** The benchmark as a plain-text table with notes above and the summary line below. */
export function formatBench(result: BenchResult): string {
  const header = ['retriever', 'hit@1', 'hit@5', 'MRR', 'ingest ms', 'p50 ms', 'p95 ms', 'hit@5 vs zhiyin', 'p50 vs zhiyin'];
  const body = result.rows.map((row) => [
    row.name,
    fixed(row.hitAt1),
    fixed(row.hitAt5),
    fixed(row.mrr),
    ms(row.ingestMs),
    ms(row.p50Ms),
    ms(row.p95Ms),
    times(row.hitAt5VsZhiyin),
    times(row.p50VsZhiyin),
  ]);
  const widths = header.map((cell, column) => Math.max(cell.length, ...body.map((line) => line[column]!.length)));
  const line = (cells: string[]): string =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ');
  return [
    ...result.notes,
    '',
    line(header),
    widths.map((width) => '-'.repeat(width)).join('-|-'),
    ...body.map(line),
    '',
    result.summary,
  ].join('\n');
}

/** The `--json` form: the table's rows, notes and summary (not the per-question results). */
export function benchJson(result: BenchResult): object {
  const { queries: _queries, ...rest } = result;
  return rest;
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const json = process.argv.includes('--json');
  const result = await runBench();
  // Then start-up and publishing (eval/bench-startup.ts): real processes; `--no-startup` skips them.
  const startup = process.argv.includes('--no-startup') ? null : await (await import('./bench-startup.ts')).runStartupBench();
  if (json) console.log(JSON.stringify({ ...benchJson(result), ...(startup ? { startup } : {}) }, null, 2));
  else {
    console.log(formatBench(result));
    if (startup) console.log(`\n${(await import('./bench-startup.ts')).formatStartup(startup)}`);
  }
}
