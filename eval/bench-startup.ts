/**
 * Start-up and publish bench (a section of `npm run bench`; also runs alone). Each start-up
 * figure is a real process, as an admin meets it, and is shown as a ratio to a bare `node -e 0`
 * measured in the same run (a busy machine slows both); a start of `serve` also shows the CPU
 * time the process had used by then (on Linux), which other work on the machine does not inflate:
 * - `zhiyin --help`;
 * - first start: `zhiyin serve` on an empty data directory until it answers `/healthz` (it
 *   listens at once), and until it is ready (`/readyz`: migrated, the shipped knowledge base
 *   ingested, the embedding model fitted, the answerer warm);
 * - cold `serve` to `/healthz`, and to ready, on that existing data directory (the stored model
 *   and lexical index are loaded);
 * - one `zhiyin ask` on it;
 * - publish rate: synthetic clauses (`syntheticMarkdown`, the kb bench's generator) published
 *   into an on-disk data directory with the built-in embedding (fit, embed, switch), then one
 *   more 10-clause document folded into it;
 * - restart at that size: cold `serve` to `/healthz`, and to ready, on the large data directory
 *   (after one uncounted start that stores the lexical index, as a publish through zhiyin does).
 *
 * The processes run the prebuilt `zhiyin` (dist/zhiyin.mjs) that `npm ci` builds: when it is
 * missing or older than the sources, the bench builds it first (`npm run build`), since an
 * edited checkout would otherwise run the TypeScript sources through tsx, a second slower.
 *
 * @example node --import tsx eval/bench-startup.ts                  # 10,000 clauses
 * @example node --import tsx eval/bench-startup.ts --clauses 2000 --runs 1 --json
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
// @ts-expect-error: a plain ES module without types (the `zhiyin` launcher's freshness check)
import { builtIsFresh } from '../src/cli/built-entry.mjs';
import { parseDocument } from '../src/knowledge/document.ts';
import { KnowledgeBase, type ProgressEvent } from '../src/knowledge/knowledge-base.ts';
import { syntheticMarkdown } from '../src/knowledge/testing-fixtures.ts';
import { repoRoot } from '../src/paths.ts';
import { CorpusLsaEmbeddings } from '../src/retrieval/embeddings/corpus-lsa.ts';
import { corpusLsaModel } from '../src/retrieval/embeddings/provider.ts';
import { loadLexicon } from '../src/retrieval/lexicon.ts';
import { Tokenizer } from '../src/retrieval/tokenizer.ts';
import { openDatabase } from '../src/store/database.ts';
import { migrate } from '../src/store/migrate.ts';

const bin = path.join(repoRoot, 'src', 'cli', 'zhiyin.js');
const clausesPerDocument = 10;

export interface StartupBenchOptions {
  /** Synthetic clauses for the publish rate and the restart (default 10,000). */
  clauses?: number;
  /** Runs of each start-up figure (median taken; default 3). */
  runs?: number;
}

/** One start-up figure: the median over the runs, and that ÷ a bare `node -e 0`. */
export interface StartupFigure {
  name: string;
  ms: number;
  vsNode: number;
  /** The issue's target for it, when there is one. */
  targetMs?: number;
  /** CPU time (user + system, every thread) the process had used by then, median over the runs; Linux only. */
  cpuMs?: number;
}

export interface PublishFigure {
  clauses: number;
  ms: number;
  clausesPerSecond: number;
  /** Time per phase (chunking, fitting, embedding, switching), ms. */
  phases: Record<string, number>;
  /** One 10-clause document folded into the published set: ms, and clauses/s of that change. */
  foldIn: { ms: number; embedding: string };
}

export interface StartupBenchResult {
  nodeMs: number;
  runs: number;
  figures: StartupFigure[];
  publish: PublishFigure;
  /** True when dist/zhiyin.mjs was older than the sources and this run built it before measuring. */
  builtFirst: boolean;
  summary: string;
}

const median = (values: number[]): number => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;

function childEnv(dataDir: string): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', ZHIYIN_DATA_DIR: dataDir, LOG_LEVEL: 'info', PORT: '0', HOST: '127.0.0.1' };
  for (const name of ['HOME', 'TMPDIR'] as const) if (process.env[name]) env[name] = process.env[name];
  return env;
}

/** Runs a process to its end; resolves with the wall time (ms), rejecting on a non-zero exit. */
function timeProcess(args: string[], env: Record<string, string> = { PATH: process.env.PATH ?? '' }): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`))));
  });
}

/** A start of `zhiyin serve`: ms until `/healthz` answered 200, and until it was ready (`/readyz` 200), wall and CPU. */
interface ServeTimes {
  healthMs: number;
  readyMs: number;
  healthCpuMs?: number;
  readyCpuMs?: number;
}

/** Linux reports a process's CPU time in clock ticks of 1/100 s (`sysconf(_SC_CLK_TCK)` is 100 for user space). */
const ticksPerSecond = 100;

/** CPU time (user + system, all threads) a running process has used so far, from /proc; undefined where there is no /proc. */
function cpuMsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // the command name (field 2) is in parentheses and may hold spaces: count the fields after it
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1000;
  } catch {
    return undefined;
  }
}

/**
 * Starts `zhiyin serve` on `dataDir`, asks `/healthz` as soon as it listens (it answers while the
 * server warms up) and `/readyz` once it logs that it serves (the store, the knowledge base and the
 * answerer loaded); stops it.
 */
async function timeServe(dataDir: string): Promise<ServeTimes> {
  const started = performance.now();
  const child = spawn(process.execPath, [bin, 'serve'], { cwd: repoRoot, env: childEnv(dataDir), stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stderr = '';
  try {
    let listening: (port: number) => void = () => {};
    let serving: () => void = () => {};
    const port = new Promise<number>((resolve) => (listening = resolve));
    const ready = new Promise<void>((resolve) => (serving = resolve));
    const failed = new Promise<never>((_, reject) => {
      child.on('error', reject);
      void exited.then((code) => reject(new Error(`zhiyin serve exited (${code}) before serving: ${stderr.slice(-2000)}`)));
    });
    createInterface({ input: child.stderr }).on('line', (line) => {
      stderr += `${line}\n`;
      try {
        const log = JSON.parse(line) as { msg?: string; port?: number };
        if (log.msg === 'zhiyin is listening' && log.port) listening(log.port);
        if (log.msg === 'zhiyin is serving') serving();
      } catch {
        // not a log line
      }
    });
    const url = `http://127.0.0.1:${await Promise.race([port, failed])}`;
    const health = await fetch(`${url}/healthz`);
    if (health.status !== 200) throw new Error(`/healthz answered ${health.status}`);
    const healthMs = performance.now() - started;
    const healthCpuMs = cpuMsOf(child.pid);
    await Promise.race([ready, failed]);
    const readiness = await fetch(`${url}/readyz`);
    if (readiness.status !== 200) throw new Error(`/readyz answered ${readiness.status} after 'zhiyin is serving'`);
    const readyMs = performance.now() - started;
    const readyCpuMs = cpuMsOf(child.pid);
    return { healthMs, readyMs, ...(healthCpuMs === undefined ? {} : { healthCpuMs }), ...(readyCpuMs === undefined ? {} : { readyCpuMs }) };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** Publishes `clauses` synthetic clauses into an on-disk data directory, then folds one more document in. */
async function publishBench(dataDir: string, clauses: number): Promise<PublishFigure> {
  const documents = Array.from({ length: Math.ceil(clauses / clausesPerDocument) }, (_, i) => parseDocument(syntheticMarkdown(i + 1, clausesPerDocument), `gen-${i + 1}.md`));
  const db = await openDatabase({ dataDir });
  try {
    await migrate(db);
    const kb = new KnowledgeBase(db, corpusLsaModel(new CorpusLsaEmbeddings({ tokenizer: new Tokenizer(loadLexicon()) })));
    const phases: Record<string, number> = {};
    let phase = '';
    let phaseStart = performance.now();
    const onProgress = (event: ProgressEvent): void => {
      if (event.phase === phase) return;
      const now = performance.now();
      if (phase) phases[phase] = (phases[phase] ?? 0) + now - phaseStart;
      phase = event.phase;
      phaseStart = now;
    };
    const started = performance.now();
    const report = await kb.publish(documents, { onProgress });
    const ms = performance.now() - started;
    const extra = parseDocument(syntheticMarkdown(documents.length + 1, clausesPerDocument, '新增'), 'extra.md');
    const foldStarted = performance.now();
    const folded = await kb.upsert([extra], { model: corpusLsaModel(new CorpusLsaEmbeddings({ tokenizer: new Tokenizer(loadLexicon()) })) });
    const foldMs = performance.now() - foldStarted;
    await kb.close();
    return {
      clauses: report.clauses,
      ms,
      clausesPerSecond: (report.clauses / ms) * 1000,
      phases: Object.fromEntries(Object.entries(phases).map(([name, value]) => [name, Math.round(value)])),
      foldIn: { ms: foldMs, embedding: folded.embedding ?? 'unknown' },
    };
  } finally {
    await db.close();
  }
}

/** Runs the start-up and publish bench; every process it starts is stopped and every directory removed. */
export async function runStartupBench(options: StartupBenchOptions = {}): Promise<StartupBenchResult> {
  const runs = Math.max(1, options.runs ?? 3);
  const built = builtIsFresh() as boolean;
  if (!built) await timeProcess([path.join(repoRoot, 'src', 'cli', 'bundle.mjs')], { PATH: process.env.PATH ?? '', ...(process.env.HOME ? { HOME: process.env.HOME } : {}) });
  if (!(builtIsFresh() as boolean)) throw new Error('dist/zhiyin.mjs is still older than the sources after `npm run build`');
  const clauses = options.clauses ?? 10_000;
  const shipped = await mkdtemp(path.join(tmpdir(), 'zhiyin-startup-'));
  const large = await mkdtemp(path.join(tmpdir(), 'zhiyin-startup-large-'));
  try {
    const repeat = async (measure: () => Promise<number>): Promise<number> => {
      const times: number[] = [];
      for (let run = 0; run < runs; run += 1) times.push(await measure());
      return median(times);
    };
    const repeatServe = async (dataDir: string): Promise<ServeTimes> => {
      const times: ServeTimes[] = [];
      for (let run = 0; run < runs; run += 1) times.push(await timeServe(dataDir));
      const cpu = (pick: (time: ServeTimes) => number | undefined): number | undefined => {
        const values = times.map(pick).filter((value): value is number => value !== undefined);
        return values.length > 0 ? median(values) : undefined;
      };
      const healthCpuMs = cpu((time) => time.healthCpuMs);
      const readyCpuMs = cpu((time) => time.readyCpuMs);
      return {
        healthMs: median(times.map((time) => time.healthMs)),
        readyMs: median(times.map((time) => time.readyMs)),
        ...(healthCpuMs === undefined ? {} : { healthCpuMs }),
        ...(readyCpuMs === undefined ? {} : { readyCpuMs }),
      };
    };
    const nodeMs = await repeat(() => timeProcess(['-e', '0']));
    const help = await repeat(() => timeProcess([bin, '--help']));
    const firstStart = await timeServe(shipped);
    const coldServe = await repeatServe(shipped);
    const ask = await repeat(() => timeProcess([bin, 'ask', '实习单位能扣我身份证吗？'], childEnv(shipped)));
    const publish = await publishBench(large, clauses);
    // A publish through zhiyin (`kb ingest --publish`, the admin pages) stores the new version's
    // lexical index right after the switch; the bare KnowledgeBase above does not, so one start
    // (not counted) builds and stores it, as the first start after an upgrade would.
    await timeServe(large);
    const restart = await repeatServe(large);
    const figure = (name: string, ms: number, targetMs?: number, cpuMs?: number): StartupFigure => ({
      name,
      ms,
      vsNode: ms / nodeMs,
      ...(targetMs ? { targetMs } : {}),
      ...(cpuMs === undefined ? {} : { cpuMs }),
    });
    const figures = [
      figure('zhiyin --help', help),
      figure('zhiyin ask (one question, shipped knowledge base)', ask),
      figure('first start: serve → /healthz, ingesting the shipped documents', firstStart.healthMs, 10_000, firstStart.healthCpuMs),
      figure('  … → ready (/readyz: ingested, answerer warm)', firstStart.readyMs, 10_000, firstStart.readyCpuMs),
      figure('cold serve → /healthz, existing data directory', coldServe.healthMs, 3_000, coldServe.healthCpuMs),
      figure('  … → ready (/readyz)', coldServe.readyMs, 3_000, coldServe.readyCpuMs),
      figure(`restart at ${publish.clauses} clauses: serve → /healthz`, restart.healthMs, 3_000, restart.healthCpuMs),
      figure('  … → ready (/readyz)', restart.readyMs, 3_000, restart.readyCpuMs),
    ];
    const cpuSeconds = (ms: number | undefined): string => (ms === undefined ? 'na' : (ms / 1000).toFixed(2));
    const summary =
      `startup node_ms=${Math.round(nodeMs)} help_ms=${Math.round(help)} ask_ms=${Math.round(ask)} first_start_ms=${Math.round(firstStart.healthMs)} first_start_ready_ms=${Math.round(firstStart.readyMs)} ` +
      `cold_serve_ms=${Math.round(coldServe.healthMs)} cold_serve_ready_ms=${Math.round(coldServe.readyMs)} publish_clauses_per_s=${Math.round(publish.clausesPerSecond)} ` +
      `restart_s=${(restart.healthMs / 1000).toFixed(2)} restart_ready_s=${(restart.readyMs / 1000).toFixed(2)} ` +
      `first_start_ready_cpu_s=${cpuSeconds(firstStart.readyCpuMs)} cold_serve_ready_cpu_s=${cpuSeconds(coldServe.readyCpuMs)} restart_ready_cpu_s=${cpuSeconds(restart.readyCpuMs)}`;
    return { nodeMs, runs, figures, publish, builtFirst: !built, summary };
  } finally {
    await rm(shipped, { recursive: true, force: true });
    await rm(large, { recursive: true, force: true });
  }
}

/** The section as plain text: one line per figure, the publish phases, the summary line. */
export function formatStartup(result: StartupBenchResult): string {
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const width = Math.max(...result.figures.map((figure) => figure.name.length));
  const { publish } = result;
  return [
    `Start-up (median of ${result.runs}; ratio to a bare \`node -e 0\` = ${Math.round(result.nodeMs)} ms in this run; ` +
      `the prebuilt dist/zhiyin.mjs${result.builtFirst ? ', built first by this run: it was older than the sources' : ''}):`,
    ...result.figures.map(
      (figure) =>
        `  ${figure.name.padEnd(width)}  ${seconds(figure.ms).padStart(8)}  ${`${figure.vsNode.toFixed(1)}×`.padStart(6)}` +
        `${figure.cpuMs === undefined ? '' : `  cpu ${seconds(figure.cpuMs)}`}${figure.targetMs ? `  (target ≤ ${seconds(figure.targetMs)})` : ''}`,
    ),
    `Publish ${publish.clauses} synthetic clauses (built-in corpus LSA, on-disk PGlite): ${seconds(publish.ms)}, ${Math.round(publish.clausesPerSecond)} clauses/s (target ≥ 1,000) — ` +
      Object.entries(publish.phases)
        .map(([name, ms]) => `${name} ${seconds(ms)}`)
        .join(', '),
    `One more 10-clause document into it: ${seconds(publish.foldIn.ms)} (${publish.foldIn.embedding}).`,
    result.summary,
  ].join('\n');
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const { values } = parseArgs({ options: { clauses: { type: 'string', default: '10000' }, runs: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } } });
  const result = await runStartupBench({ clauses: Number(values.clauses), runs: Number(values.runs) });
  console.log(values.json ? JSON.stringify(result, null, 2) : formatStartup(result));
}
