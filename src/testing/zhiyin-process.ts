import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../paths.ts';

/** The `zhiyin` command as installed (`bin` in package.json). */
export const zhiyinBin = path.join(repoRoot, 'src', 'cli', 'zhiyin.js');

/** What a finished `zhiyin` process left. */
export interface ZhiyinRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a test's `zhiyin` process: only what it needs (no endpoints configured, so
 * no network), a data directory, and `extra`.
 */
export function zhiyinEnvironment(dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', ZHIYIN_DATA_DIR: dataDir, LOG_LEVEL: 'info', ...extra };
  for (const name of ['HOME', 'TMPDIR'] as const) if (process.env[name]) env[name] = process.env[name];
  return env;
}

/**
 * Runs `zhiyin …args` as a child process to its end, feeding `stdin`.
 *
 * @example const { code, stdout } = await runZhiyin(['kb', 'list', '--json'], zhiyinEnvironment(dataDir));
 */
export function runZhiyin(args: string[], env: Record<string, string>, stdin = ''): Promise<ZhiyinRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [zhiyinBin, ...args], { cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
