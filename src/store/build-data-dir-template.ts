import { readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { pgliteDatabase } from './database.ts';
import { templateKey } from './data-dir-template.ts';
import { migrate } from './migrate.ts';

/**
 * Makes the data-directory template for the current sources in `outdir` (`pgdata-<key>`, see
 * src/store/data-dir-template.ts), replacing older ones; resolves with its path. `npm run build`
 * runs it. Built beside and renamed into place, so a half-made template is never seen.
 *
 * @example await buildDataDirTemplate(path.join(repoRoot, 'dist'));
 */
export async function buildDataDirTemplate(outdir: string, migrationsDir?: URL): Promise<string> {
  const target = path.join(outdir, `pgdata-${await templateKey(migrationsDir)}`);
  const building = `${target}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  const db = await pgliteDatabase(await PGlite.create({ dataDir: building, extensions: { vector } }));
  try {
    await migrate(db, migrationsDir);
  } finally {
    await db.close();
  }
  // older templates, and what an interrupted build left
  for (const entry of readdirSync(outdir)) {
    if (/^pgdata-[0-9a-f]{16}(\.building-\d+)?$/u.test(entry) && path.join(outdir, entry) !== building) rmSync(path.join(outdir, entry), { recursive: true, force: true });
  }
  renameSync(building, target);
  return target;
}
