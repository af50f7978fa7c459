/**
 * Scale bench (issue 14), one process, one run:
 * - lexical retrieval at 10k and 100k synthetic clauses (`syntheticKnowledgeBase`): zhiyin's
 *   `HybridSearch` without the vector search (BM25 over words and over character bigrams, fusion,
 *   re-rank) next to MiniSearch over the same clause texts (`indexTextOf`) split by the same jieba
 *   words (`eval/bench-peers.ts`); the questions interleaved, each asked of both in turn; p50/p95
 *   of wall-clock time (and of the process's CPU time, all threads, which a busy machine inflates
 *   less) and the memory each index adds (V8 heap plus array buffers, after a full GC); no
 *   collection is forced between questions (a forced one leaves its sweeping to the next question);
 * - publishing 10k clauses (1,000 documents of 10 articles, read from files) through the store the
 *   way `zhiyin kb ingest --publish --no-eval` does (`plan` then `commit`, on an on-disk PGlite;
 *   timed from reading the files to the switch, the database already open),
 *   and the restart: the assistant reopened on that data directory until it has answered one
 *   question (in process: module loading is not counted).
 *
 * The last line is the summary the issue asks for:
 * `scale clauses=100000 p95_ms=… minisearch_p95_ms=… publish_clauses_per_s=… restart_s=…`
 *
 * @example npm run bench:scale
 * @example npm run bench:scale -- --sizes 10000 --skip-publish   # retrieval only, smaller
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Assistant, embeddingModelFor } from '../src/assistant.ts';
import { loadConfig } from '../src/config.ts';
import { readUploadPaths } from '../src/knowledge/ingest.ts';
import { syntheticKnowledgeBase } from '../src/testing/synthetic-knowledge-base.ts';
import { syntheticMarkdown } from '../src/knowledge/testing-fixtures.ts';
import { HybridSearch, indexTextOf } from '../src/retrieval/hybrid-search.ts';
import { loadLexicon } from '../src/retrieval/lexicon.ts';
import { Tokenizer } from '../src/retrieval/tokenizer.ts';
import { createLogger } from '../src/log.ts';
import { miniSearchRetriever } from './bench-peers.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000' },
    queries: { type: 'string', default: '200' },
    'publish-documents': { type: 'string', default: '1000' },
    'skip-publish': { type: 'boolean', default: false },
  },
});
const sizes = values.sizes.split(',').map(Number);
const queries = Number(values.queries);
const publishDocuments = Number(values['publish-documents']);
const clausesPerPublishedDocument = 10;
const topK = 10;

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Memory held after a full collection: the V8 heap plus array buffers (typed arrays live there). */
function memoryHeld(): { heap: number; buffers: number } {
  collectGarbage();
  collectGarbage();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return { heap: heapUsed, buffers: arrayBuffers };
}

const megabytes = (bytes: number): string => `${Math.round(bytes / 2 ** 20)} MB`;
const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const ms = (value: number): string => value.toFixed(1);

/** Per-query times in ms: wall clock, and CPU time of the process (all its threads). */
interface Timings {
  wall: number[];
  cpu: number[];
}

interface EngineFigures {
  p50: number;
  p95: number;
  cpuP50: number;
  cpuP95: number;
  memory: number;
  /** Of `memory`, what sits in array buffers. */
  buffers: number;
  buildMs: number;
}

interface RetrievalFigures {
  clauses: number;
  zhiyin: EngineFigures;
  miniSearch: EngineFigures;
}

const summary = ({ wall, cpu }: Timings): Pick<EngineFigures, 'p50' | 'p95' | 'cpuP50' | 'cpuP95'> => ({
  p50: percentile(wall, 0.5),
  p95: percentile(wall, 0.95),
  cpuP50: percentile(cpu, 0.5),
  cpuP95: percentile(cpu, 0.95),
});

async function retrievalAt(clauseCount: number): Promise<RetrievalFigures> {
  const lexicon = loadLexicon();
  const tokenizer = new Tokenizer(lexicon);
  const { clauses, snapshot, questions } = syntheticKnowledgeBase(clauseCount, queries);
  const texts = clauses.map((clause) => ({ id: clause.id, text: indexTextOf(clause, snapshot.documents.get(clause.docId)) }));

  const beforeZhiyin = memoryHeld();
  let started = performance.now();
  const zhiyin = new HybridSearch(snapshot, lexicon, tokenizer, null);
  const zhiyinBuildMs = performance.now() - started;
  const afterZhiyin = memoryHeld();

  const miniSearch = miniSearchRetriever(tokenizer);
  started = performance.now();
  await miniSearch.build(texts);
  const miniSearchBuildMs = performance.now() - started;
  const afterMiniSearch = memoryHeld();

  const timed = async (ask: () => Promise<unknown>, times: Timings): Promise<void> => {
    const cpu = process.cpuUsage();
    const start = performance.now();
    await ask();
    times.wall.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    times.cpu.push((used.user + used.system) / 1000);
  };
  const zhiyinTimes: Timings = { wall: [], cpu: [] };
  const miniSearchTimes: Timings = { wall: [], cpu: [] };
  const zhiyinAsk = (question: string): Promise<void> => timed(() => zhiyin.search(question, topK), zhiyinTimes);
  const miniSearchAsk = (question: string): Promise<void> => timed(() => miniSearch.search(question, topK), miniSearchTimes);
  for (const question of questions.slice(0, 10)) {
    await zhiyin.search(question, topK);
    await miniSearch.search(question, topK);
  }
  for (const [i, question] of questions.entries()) {
    // interleaved, and each goes first every other question
    if (i % 2 === 0) {
      await zhiyinAsk(question);
      await miniSearchAsk(question);
    } else {
      await miniSearchAsk(question);
      await zhiyinAsk(question);
    }
  }
  for (const times of [zhiyinTimes, miniSearchTimes]) {
    times.wall.sort((x, y) => x - y);
    times.cpu.sort((x, y) => x - y);
  }
  type Held = { heap: number; buffers: number };
  const added = (after: Held, before: Held): { memory: number; buffers: number } => ({ memory: after.heap + after.buffers - before.heap - before.buffers, buffers: after.buffers - before.buffers });
  const figures: RetrievalFigures = {
    clauses: clauses.length,
    zhiyin: { ...summary(zhiyinTimes), ...added(afterZhiyin, beforeZhiyin), buildMs: zhiyinBuildMs },
    miniSearch: { ...summary(miniSearchTimes), ...added(afterMiniSearch, afterZhiyin), buildMs: miniSearchBuildMs },
  };
  console.log(`retrieval over ${figures.clauses} clauses, ${questions.length} questions interleaved, top ${topK}:`);
  for (const [name, row] of [['zhiyin (words + bigrams, fused, re-ranked)', figures.zhiyin], ['MiniSearch (same texts, jieba words)', figures.miniSearch]] as const) {
    console.log(
      `  ${name.padEnd(42)} p50 ${ms(row.p50).padStart(7)} ms  p95 ${ms(row.p95).padStart(7)} ms  (CPU p50 ${ms(row.cpuP50)} ms, p95 ${ms(row.cpuP95)} ms)  memory added ${megabytes(row.memory).padStart(7)} (${megabytes(row.buffers)} of it array buffers)  index built in ${(row.buildMs / 1000).toFixed(1)} s`,
    );
  }
  console.log(
    `  zhiyin ÷ MiniSearch: p95 ${(figures.zhiyin.p95 / figures.miniSearch.p95).toFixed(3)}×, memory ${(figures.zhiyin.memory / figures.miniSearch.memory).toFixed(2)}× (memory: V8 heap + array buffers after a full GC; zhiyin's postings are typed arrays)`,
  );
  return figures;
}

/** Publishes `publishDocuments` generated documents on a fresh data directory, then reopens it. */
async function publishAndRestart(): Promise<{ clauses: number; perSecond: number; restartSeconds: number }> {
  const root = await mkdtemp(path.join(tmpdir(), 'zhiyin-scale-'));
  try {
    const files = path.join(root, 'documents');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(files);
    for (let i = 1; i <= publishDocuments; i += 1) await writeFile(path.join(files, `gen-${i}.md`), syntheticMarkdown(i, clausesPerPublishedDocument));
    const config = loadConfig({ ...process.env, ZHIYIN_DATA_DIR: path.join(root, 'data'), LOG_LEVEL: 'silent', DATABASE_URL: undefined, EMBEDDINGS_BASE_URL: undefined, LLM_BASE_URL: undefined });
    const log = createLogger('silent');

    const phases = new Map<string, number>();
    let phase = '';
    let phaseStart = 0;
    const onProgress = (event: { phase: string }): void => {
      if (event.phase === phase) return;
      const now = performance.now();
      if (phase) phases.set(phase, (phases.get(phase) ?? 0) + now - phaseStart);
      phase = event.phase;
      phaseStart = now;
    };
    const assistant = await Assistant.open(config, { log, skipInitialIngest: true });
    let started = performance.now();
    let report;
    try {
      const uploads = await readUploadPaths([files]);
      const candidate = await assistant.knowledge.plan(
        { kind: 'set', inputs: uploads.map(({ document, source }) => ({ document, source })), exact: true },
        { actor: 'bench', onProgress, model: await embeddingModelFor(config, assistant.tokenizer) },
      );
      report = await assistant.knowledge.commit(candidate, { onProgress });
      onProgress({ phase: '' });
    } finally {
      await assistant.close();
    }
    const publishSeconds = (performance.now() - started) / 1000;
    const perSecond = report.clauses / publishSeconds;
    console.log(
      `publish ${report.documents} documents, ${report.clauses} clauses (read the files, plan, embed, switch, on a fresh on-disk PGlite already open; built-in embedding): ${publishSeconds.toFixed(1)} s, ${Math.round(perSecond)} clauses/s` +
        ` [${[...phases].map(([name, phaseMs]) => `${name} ${(phaseMs / 1000).toFixed(1)} s`).join(', ')}]`,
    );

    started = performance.now();
    const reopened = await Assistant.open(config, { log });
    try {
      await reopened.ask('实习期限是多久？');
    } finally {
      await reopened.close();
    }
    const restartSeconds = (performance.now() - started) / 1000;
    console.log(`restart at ${report.clauses} clauses (open the data directory, build the answerer, answer one question): ${restartSeconds.toFixed(1)} s`);
    return { clauses: report.clauses, perSecond, restartSeconds };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const retrieval: RetrievalFigures[] = [];
for (const size of sizes) retrieval.push(await retrievalAt(size));
const published = values['skip-publish'] ? null : await publishAndRestart();
const largest = retrieval[retrieval.length - 1]!;
console.log(
  `scale clauses=${largest.clauses} p95_ms=${ms(largest.zhiyin.p95)} minisearch_p95_ms=${ms(largest.miniSearch.p95)} publish_clauses_per_s=${published ? Math.round(published.perSecond) : 'skipped'} restart_s=${published ? published.restartSeconds.toFixed(1) : 'skipped'}`,
);
