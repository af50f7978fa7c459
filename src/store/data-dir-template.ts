import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { repoRoot } from '../paths.ts';
import { listMigrations } from './migrate.ts';

/**
 * A new embedded data directory starts as a copy of a template that `npm run build` makes
 * (`dist/pgdata-<key>`): a PGlite cluster with initdb done, the vector extension created and the
 * migrations applied. Without it a first start runs PostgreSQL's initdb in WebAssembly, seconds of
 * CPU before anything else. The key names what the cluster holds — the PGlite and pgvector
 * versions and every migration's text — so a template from other sources is never used (the data
 * directory is then made by initdb, as before). The template is made by `buildDataDirTemplate`
 * (src/store/build-data-dir-template.ts).
 */

const require = createRequire(import.meta.url);

/** The installed version of a package, read from its package.json. */
function installedVersion(name: string): string {
  let dir = path.dirname(require.resolve(name));
  while (!existsSync(path.join(dir, 'package.json')) || JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).name !== name) {
    const up = path.dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
  return String(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version);
}

/**
 * What a template made now would hold, as a short hash: the PGlite and pgvector versions and the
 * migrations (names and text) of `migrationsDir`.
 *
 * @example await templateKey() // '3f9c0a7d51b2e846'
 */
export async function templateKey(migrationsDir?: URL): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`pglite ${installedVersion('@electric-sql/pglite')}\npgvector ${installedVersion('@electric-sql/pglite-pgvector')}\n`);
  for (const migration of await listMigrations(migrationsDir)) hash.update(`${migration.version} ${migration.name}\n${await readFile(migration.file, 'utf8')}\n`);
  return hash.digest('hex').slice(0, 16);
}

/** Where `npm run build` puts the template for the current sources (it may not be there). */
export async function shippedTemplateDir(outdir = path.join(repoRoot, 'dist')): Promise<string> {
  return path.join(outdir, `pgdata-${await templateKey()}`);
}

/** Whether `dataDir` already holds a PostgreSQL cluster. */
export function holdsCluster(dataDir: string): boolean {
  return existsSync(path.join(dataDir, 'PG_VERSION'));
}

/**
 * Fills a data directory that holds no cluster yet with a copy of `templateDir`, when there is
 * one; resolves with whether it did. Files already in `dataDir` (its lock) are kept.
 *
 * @example if (!seedFromTemplate(dataDir, await shippedTemplateDir())) log.info('initdb on first start');
 */
export function seedFromTemplate(dataDir: string, templateDir: string): boolean {
  if (holdsCluster(dataDir) || !holdsCluster(templateDir)) return false;
  cpSync(templateDir, dataDir, { recursive: true });
  return true;
}
