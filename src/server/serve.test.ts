/**
 * `zhiyin serve` as a real process on 127.0.0.1: it reports the port it listens on, answers over
 * HTTP (the API, and the dashboard's login page at /), and on SIGTERM closes the server and the store, releasing the data directory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from '../paths.ts';
import type { AskLine } from '../cli/ask-lines.ts';

const bin = path.join(repoRoot, 'src', 'cli', 'zhiyin.js');

let dataDir: string;
let server: ChildProcessWithoutNullStreams | undefined;
let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
let stderr = '';

interface LogLine {
  level: number;
  msg: string;
  port?: number;
}

/**
 * Starts `zhiyin serve` with PORT=0 and resolves with the port from its 'zhiyin is serving' log line
 * (or, with `until: 'listening'`, from its first line 'zhiyin is listening', logged before it warms up).
 */
function startServe(until: 'listening' | 'serving' = 'serving'): Promise<number> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    ZHIYIN_DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    PORT: '0',
    HOST: '127.0.0.1',
  };
  for (const name of ['HOME', 'TMPDIR'] as const) if (process.env[name]) env[name] = process.env[name];
  const child = spawn(process.execPath, [bin, 'serve'], { cwd: repoRoot, env });
  server = child;
  exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  child.stdout.resume();
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    void exited.then(({ code, signal }) => reject(new Error(`zhiyin serve exited (${code ?? signal}) before serving:\n${stderr}`)));
    createInterface({ input: child.stderr }).on('line', (line) => {
      stderr += `${line}\n`;
      let log: LogLine;
      try {
        log = JSON.parse(line) as LogLine;
      } catch {
        return;
      }
      if (log.msg === `zhiyin is ${until}`) resolve(log.port!);
    });
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'zhiyin-serve-'));
});
afterAll(async () => {
  if (server && server.exitCode === null && server.signalCode === null) {
    server.kill('SIGKILL');
    await exited;
  }
  await rm(dataDir, { recursive: true, force: true });
});

describe('zhiyin serve', () => {
  it('serves on the port it reports, and on SIGTERM exits 0 and releases the data directory', async () => {
    const port = await startServe();
    expect(port).toBeGreaterThan(0);

    const lockFile = path.join(dataDir, 'zhiyin.lock');
    expect(readFileSync(lockFile, 'utf8').trim()).toBe(String(server!.pid));

    expect(stderr.indexOf('"msg":"zhiyin is listening"')).toBeGreaterThanOrEqual(0);
    expect(stderr.indexOf('"msg":"zhiyin is listening"')).toBeLessThan(stderr.indexOf('"msg":"zhiyin is serving"'));
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as { status: string; knowledgeVersion: number };
    expect(body.status).toBe('ok');
    expect(body.knowledgeVersion).toBeGreaterThanOrEqual(1);

    const asked = await fetch(`http://127.0.0.1:${port}/api/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ question: '实习单位能扣我身份证吗？' }),
    });
    expect(asked.status).toBe(200);
    const line = (await asked.json()) as AskLine;
    expect(line.outcome).toBe('answer');
    expect(line.citations.map((citation) => citation.doc)).toContain('liaoning-zhongzhi-quality');

    const home = await fetch(`http://127.0.0.1:${port}/`, { redirect: 'manual' });
    expect(home.status).toBe(303);
    expect(home.headers.get('location')).toBe('/login?next=%2F');
    const login = await fetch(`http://127.0.0.1:${port}/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('老师登录');

    server!.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(existsSync(lockFile)).toBe(false);
    expect(stderr).toContain('shutting down');
  }, 180_000); // a child process starting while other test files run

  it('stopped while it warms up, still exits 0 and releases the data directory', async () => {
    stderr = '';
    const port = await startServe('listening');
    expect(port).toBeGreaterThan(0);
    server!.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(existsSync(path.join(dataDir, 'zhiyin.lock'))).toBe(false);
  }, 180_000);
});
