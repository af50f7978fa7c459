#!/usr/bin/env node
// The `zhiyin` command. `npm ci` builds dist/zhiyin.mjs (the prepare script); it is used while it
// is newer than every source file, else the TypeScript sources run through tsx, so an edited
// checkout never runs stale code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const built = path.join(root, 'dist', 'zhiyin.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.sql')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function builtIsFresh() {
  if (process.env.ZHIYIN_FROM_SOURCE || !existsSync(built)) return false;
  const builtAt = statSync(built).mtimeMs;
  return ['src', 'bots', 'eval'].every((dir) => newestSource(path.join(root, dir)) <= builtAt);
}

if (builtIsFresh()) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./run.ts');
}
