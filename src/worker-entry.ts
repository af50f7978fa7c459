import { existsSync } from 'node:fs';

/** What `new Worker(file, { workerData })` needs to start a worker module. */
export interface WorkerEntry {
  file: URL;
  workerData: Record<string, unknown>;
}

/**
 * Where the worker module `name` starts, seen from the module at `moduleUrl` beside it. From the
 * TypeScript sources (tsx, vitest): `<name>.ts` through `<name>-boot.mjs`, which loads it with tsx
 * (a worker does not inherit the main thread's loader). From the esbuild bundle: `<name>.mjs`
 * next to the chunk (src/cli/bundle.mjs builds it). Null when the files are not there: the caller
 * then does the work in its own thread.
 *
 * @example const entry = workerEntry(import.meta.url, 'upload-worker');
 */
export function workerEntry(moduleUrl: string, name: string): WorkerEntry | null {
  if (!moduleUrl.startsWith('file:')) return null;
  if (moduleUrl.endsWith('.ts')) {
    const boot = new URL(`./${name}-boot.mjs`, moduleUrl);
    const entry = new URL(`./${name}.ts`, moduleUrl);
    return existsSync(boot) && existsSync(entry) ? { file: boot, workerData: { entry: entry.href } } : null;
  }
  const bundled = new URL(`./${name}.mjs`, moduleUrl);
  return existsSync(bundled) ? { file: bundled, workerData: {} } : null;
}
