import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A package read at its first use instead of when the module naming it loads: for packages a
 * server start never needs (ml-matrix fits an embedding model, pinyin-pro suggests an id or
 * builds the homophone index after the start, fflate and node-html-parser read uploads), so that
 * `zhiyin serve` and `zhiyin ask` do not pay for them. Read through the package's CommonJS entry,
 * synchronously, so callers stay synchronous.
 *
 * @example
 * const mlMatrix = loadOnFirstUse<typeof import('ml-matrix')>('ml-matrix');
 * const gram = new (mlMatrix().Matrix)(n, n);
 */
export function loadOnFirstUse<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(name) as T);
}
