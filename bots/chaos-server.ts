import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { repoRoot } from '../src/paths.ts';
import { zhiyinBin, zhiyinEnvironment } from '../src/testing/zhiyin-process.ts';

/** A `kill -9` of the server: how long it took to be ready again (`/readyz`). */
export interface Kill {
  /** Seconds from the kill until the restarted server was ready (`/readyz` 200; `/healthz` answers earlier, while it starts). */
  downSeconds: number;
}

/** A free TCP port on 127.0.0.1 (the server keeps it across restarts). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * `zhiyin serve` as a child process that can be killed with SIGKILL at any moment and started
 * again on the same port and data directory (the chaos run). Its output goes to `logFile`, if
 * given. `up` says whether it is ready (`/readyz`) right now, as far as the last start and kill tell.
 *
 * @example
 * const server = new ServerProcess({ dataDir, port: await freePort(), env: { TELEGRAM_BOT_TOKEN: token } });
 * await server.start();
 * await server.killAndRestart();
 * await server.stop();
 */
export class ServerProcess {
  readonly kills: Kill[] = [];
  readonly url: string;
  #child: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();
  #up = false;
  #upSince = 0;
  #lastKillAt = Number.NEGATIVE_INFINITY;
  #log: WriteStream | null = null;

  /**
   * `entry`: the script to run `serve` with — default the `zhiyin` command (src/cli/zhiyin.js:
   * the prebuilt bundle while it is fresh, else the sources).
   */
  constructor(private readonly options: { dataDir: string; port: number; entry?: string; env?: Record<string, string>; logFile?: string; startTimeoutMs?: number }) {
    this.url = `http://127.0.0.1:${options.port}`;
    if (options.logFile) this.#log = createWriteStream(options.logFile, { flags: 'a' });
  }

  get up(): boolean {
    return this.#up;
  }

  /** `performance.now()` when it last became ready (`/readyz`). */
  get upSince(): number {
    return this.#upSince;
  }

  /** `performance.now()` of the last kill (-Infinity before the first). */
  get lastKillAt(): number {
    return this.#lastKillAt;
  }

  /** Starts `zhiyin serve` and resolves once it is ready: `/readyz` answers 200. */
  async start(): Promise<void> {
    const env = zhiyinEnvironment(this.options.dataDir, { LOG_LEVEL: 'silent', ...this.options.env, PORT: String(this.options.port), HOST: '127.0.0.1' });
    const child = spawn(process.execPath, [this.options.entry ?? zhiyinBin, 'serve'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    for (const stream of [child.stdout, child.stderr]) {
      if (this.#log) stream?.pipe(this.#log, { end: false });
      else stream?.resume();
    }
    const deadline = performance.now() + (this.options.startTimeoutMs ?? 180_000);
    while (performance.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`zhiyin serve exited (${child.exitCode ?? child.signalCode}) before it was ready (/readyz)`);
      try {
        const response = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(2_000) });
        if (response.status === 200) {
          this.#up = true;
          this.#upSince = performance.now();
          return;
        }
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('zhiyin serve was not ready (/readyz) in time');
  }

  /** `kill -9`, then starts it again; records the kill. */
  async killAndRestart(): Promise<Kill> {
    const killedAt = performance.now();
    this.#lastKillAt = killedAt;
    this.#up = false;
    this.#child?.kill('SIGKILL');
    await this.#exited;
    await this.start();
    const kill = { downSeconds: round((performance.now() - killedAt) / 1000) };
    this.kills.push(kill);
    return kill;
  }

  /** SIGTERM (a clean shutdown), and waits for the exit. */
  async stop(): Promise<void> {
    this.#up = false;
    if (this.#child && this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill('SIGTERM');
      const killLater = setTimeout(() => this.#child?.kill('SIGKILL'), 30_000);
      await this.#exited;
      clearTimeout(killLater);
    }
    const log = this.#log;
    this.#log = null;
    if (log) await new Promise<void>((resolve) => log.end(resolve));
  }
}

const round = (value: number): number => Math.round(value * 10) / 10;
