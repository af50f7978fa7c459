/**
 * `zhiyin --help` and `zhiyin users …` load no part of the retrieval stack (nor pgvector): not from the
 * TypeScript sources, and not from the esbuild bundle `npm ci` builds (split at the dynamic
 * imports, src/cli/bundle.mjs), which is what an installed `zhiyin` runs. Checked by recording
 * every module the process loads (src/cli/record-loaded-modules.mjs), not by timing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../paths.ts';
import { Worker } from 'node:worker_threads';
import { zhiyinBin, zhiyinEnvironment } from '../testing/zhiyin-process.ts';
import { eigenpairs, sparseRows, type Eigenpairs } from '../retrieval/embeddings/lsa-eigen.ts';
// @ts-expect-error: a plain .mjs build script without types
import { bundleCli } from './bundle.mjs';
import { buildDataDirTemplate } from '../store/build-data-dir-template.ts';

const recorder = path.join(repoRoot, 'src', 'cli', 'record-loaded-modules.mjs');
/** The retrieval stack: the tokenizer, the vector extension, LangChain, and our retrieval and knowledge-base modules. */
const heavy = [/@node-rs\/jieba/u, /pglite-pgvector/u, /@langchain\//u, /\/src\/retrieval\//u, /\/src\/knowledge\//u, /\/src\/assistant\.ts/u, /\/src\/answering\//u];

let scratch: string;
let bundleDir: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'zhiyin-lazy-'));
  // The bundle sits one level below a root, as dist/ does: a stand-in root whose entries link to
  // the repository's (node_modules, src, knowledge, prompts…), so that it resolves as dist/ would.
  const root = path.join(scratch, 'root');
  await mkdir(root);
  for (const entry of await readdir(repoRoot)) {
    if (entry !== 'dist' && entry !== '.git') await symlink(path.join(repoRoot, entry), path.join(root, entry));
  }
  bundleDir = path.join(root, 'dist');
  await bundleCli(bundleDir);
  // as `npm run build` does: the template a new data directory starts from
  await buildDataDirTemplate(bundleDir);
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Runs `node [entry] args` with the recorder; resolves with the exit code, stdout and every loaded module's URL. */
async function loadedBy(entry: string, args: string[], env: Record<string, string>, stdin = ''): Promise<{ code: number | null; stdout: string; modules: string[] }> {
  const record = path.join(scratch, `modules-${Math.random().toString(36).slice(2)}.txt`);
  const child = spawn(process.execPath, ['--import', recorder, entry, ...args], { cwd: repoRoot, env: { ...env, ZHIYIN_RECORD_MODULES: record } });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.resume();
  child.stdin.end(stdin);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const modules = (await readFile(record, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  return { code, stdout, modules };
}

function expectNoRetrievalStack(modules: string[]): void {
  for (const pattern of heavy) expect(modules.filter((url) => pattern.test(url))).toEqual([]);
}

describe('what a command loads', () => {
  it('--help from the bundle loads commander and the command definitions only, and prints the Chinese and English help', async () => {
    const { code, stdout, modules } = await loadedBy(path.join(bundleDir, 'zhiyin.mjs'), ['--help'], zhiyinEnvironment(path.join(scratch, 'data')));
    expect(code).toBe(0);
    expect(stdout).toContain('回答一个政策问题');
    expect(stdout).toContain('answer a policy');
    expect(modules.some((url) => url.endsWith('/zhiyin.mjs'))).toBe(true);
    expect(modules.some((url) => url.includes('/commander/'))).toBe(true);
    expectNoRetrievalStack(modules);
    // only the entry: no chunk of the bundle is needed to show the help
    expect(modules.filter((url) => url.includes('/chunk-'))).toEqual([]);
  });

  it('users add and users list from the bundle open the store without the retrieval stack, pgvector included', async () => {
    const env = zhiyinEnvironment(path.join(scratch, 'users-data'));
    const added = await loadedBy(path.join(bundleDir, 'zhiyin.mjs'), ['users', 'add', 'chen.hua', '--role', 'teacher'], env, 'correct horse battery\n');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('added teacher chen.hua');
    expect(added.modules.some((url) => url.includes('@electric-sql/pglite/'))).toBe(true);
    const listed = await loadedBy(path.join(bundleDir, 'zhiyin.mjs'), ['users', 'list'], env);
    expect(listed.stdout).toBe('chen.hua\tteacher\tchen.hua\n');
    for (const { modules } of [added, listed]) expectNoRetrievalStack(modules);
  });

  it('serve from the bundle is ready without the eigen solver, the upload parsers or pinyin (read at their first use)', async () => {
    const record = path.join(scratch, 'modules-serve.txt');
    const child = spawn(process.execPath, ['--import', recorder, path.join(bundleDir, 'zhiyin.mjs'), 'serve'], {
      cwd: repoRoot,
      env: { ...zhiyinEnvironment(path.join(scratch, 'serve-data'), { PORT: '0', HOST: '127.0.0.1' }), ZHIYIN_RECORD_MODULES: record },
    });
    child.stdout.resume();
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        // the log line comes before prepare() builds the homophone index (which reads pinyin)
        if (stderr.includes('"msg":"zhiyin is serving"')) resolve();
      });
      child.on('close', (code) => reject(new Error(`serve exited ${code}: ${stderr.slice(-1000)}`)));
    });
    const modules = (await readFile(record, 'utf8')).split('\n').filter(Boolean);
    child.kill('SIGTERM');
    await closed;
    expect(modules.some((url) => url.includes('@electric-sql/pglite/'))).toBe(true);
    for (const name of ['/ml-matrix/', '/fflate/', '/node-html-parser/', '/pinyin-pro/']) expect(modules.filter((url) => url.includes(name))).toEqual([]);
  });

  it('--help from the TypeScript sources loads none of it either', async () => {
    const { code, modules } = await loadedBy(zhiyinBin, ['--help'], zhiyinEnvironment(path.join(scratch, 'data'), { ZHIYIN_FROM_SOURCE: '1' }));
    expect(code).toBe(0);
    expect(modules.some((url) => url.endsWith('/src/cli/main.ts'))).toBe(true);
    expectNoRetrievalStack(modules);
  });
});

describe('the bundle\'s worker threads', () => {
  it('ships the LSA fit\'s worker next to its chunks, and that worker returns the same eigenpairs as the fit in this thread', async () => {
    // a chunk resolves its worker as new URL('./lsa-eigen-worker.mjs', import.meta.url): same folder
    expect((await readdir(bundleDir)).filter((name) => name.endsWith('-worker.mjs')).sort()).toEqual(['lsa-eigen-worker.mjs', 'upload-worker.mjs']);
    const rows = sparseRows(Array.from({ length: 30 }, (_, i) => new Map([[i % 7, 1 + i], [(i * 3) % 11, 0.5], [20 + (i % 5), 2]])));
    const expected = eigenpairs(rows, 4);
    const worker = new Worker(new URL(`file://${path.join(bundleDir, 'lsa-eigen-worker.mjs')}`), { workerData: { rows, k: 4 } });
    const result = await new Promise<Eigenpairs>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(Array.from(result.values)).toEqual(Array.from(expected.values));
  });
});
