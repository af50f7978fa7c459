// Whether the prebuilt `zhiyin` (dist/zhiyin.mjs, made by `npm run build`, which `npm ci` runs)
// is there and newer than every source file. src/cli/zhiyin.js runs it only then (else the
// TypeScript sources through tsx, so an edited checkout never runs stale code), and the start-up
// bench builds it first when it is stale, so that it measures what a fresh install runs.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
export const builtEntry = path.join(repositoryRoot, 'dist', 'zhiyin.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.sql')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** True when dist/zhiyin.mjs exists and no .ts or .sql file under src/, bots/ or eval/ is newer. */
export function builtIsFresh() {
  if (!existsSync(builtEntry)) return false;
  const builtAt = statSync(builtEntry).mtimeMs;
  return ['src', 'bots', 'eval'].every((dir) => newestSource(path.join(repositoryRoot, dir)) <= builtAt);
}
