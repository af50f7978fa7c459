#!/usr/bin/env node
// The `zhiyin` command. `npm ci` builds dist/zhiyin.mjs (the prepare script); it is used while it
// is newer than every source file (src/cli/built-entry.mjs), else the TypeScript sources run
// through tsx, so an edited checkout never runs stale code. ZHIYIN_FROM_SOURCE=1 always runs the sources.
import { pathToFileURL } from 'node:url';
import { builtEntry, builtIsFresh } from './built-entry.mjs';

if (!process.env.ZHIYIN_FROM_SOURCE && builtIsFresh()) {
  await import(pathToFileURL(builtEntry).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./run.ts');
}
