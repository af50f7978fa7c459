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
 * Runs `zhiyin …args` as a child process to its end, feeding `stdin`, in `cwd` (default: the repository).
 *
 * @example const { code, stdout } = await runZhiyin(['kb', 'list', '--json'], zhiyinEnvironment(dataDir));
 */
export function runZhiyin(args: string[], env: Record<string, string>, stdin = '', cwd = repoRoot): Promise<ZhiyinRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [zhiyinBin, ...args], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** A running `zhiyin serve` started by a test. */
export interface ServeProcess {
  pid: number;
  /** The port it reported in its 'zhiyin is serving' log line. */
  port: number;
  /** Everything it has written to stderr (its JSON log) so far. */
  log(): string;
  /** Sends `signal` and resolves when it has exited. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `zhiyin serve` on 127.0.0.1 with PORT=0 and resolves once it logs 'zhiyin is serving'
 * (by then its admin socket listens too).
 *
 * @example const server = await startServe(zhiyinEnvironment(dataDir)); … await server.stop();
 */
export function startServe(env: Record<string, string>): Promise<ServeProcess> {
  const child = spawn(process.execPath, [zhiyinBin, 'serve'], { cwd: repoRoot, env: { ...env, PORT: '0', HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let log = '';
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    void exited.then(({ code, signal }) => reject(new Error(`zhiyin serve exited (${code ?? signal}) before serving:\n${log}`)));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      const before = log;
      log += chunk;
      const serving = /"port":(\d+)[^\n]*"msg":"zhiyin is serving"/u.exec(log);
      if (serving && !/"msg":"zhiyin is serving"/u.test(before)) {
        resolve({
          pid: child.pid!,
          port: Number(serving[1]),
          log: () => log,
          stop: (signal = 'SIGTERM') => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    });
  });
}
