import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../paths.ts';
import type { Database } from './database.ts';

/**
 * Whether every migration of `dir` is recorded: nothing for `migrate` to do.
 *
 * @example if (!(await isMigrated(db))) await migrate(db);
 */
export async function isMigrated(db: Database, dir: URL = MIGRATIONS): Promise<boolean> {
  return allRecorded(db, await listMigrations(dir));
}

/** Whether every migration is already recorded: one query on the common path of a warm start. */
async function allRecorded(db: Database, migrations: Migration[]): Promise<boolean> {
  const { rows } = await db.query<{ exists: boolean }>(`select to_regclass('schema_migrations') is not null as exists`);
  if (!rows[0]?.exists) return false;
  const recorded = await db.query<{ version: number }>('select version from schema_migrations');
  const versions = new Set(recorded.rows.map((row) => row.version));
  return migrations.every((migration) => versions.has(migration.version));
}

/** A file `NNN_name.sql` of the migrations directory. */
export interface Migration {
  version: number;
  name: string;
  file: URL;
}

const MIGRATIONS = pathToFileURL(path.join(repoRoot, 'src', 'store', 'migrations') + path.sep);
const FILE_NAME = /^(\d{3})_(\w+)\.sql$/;

/**
 * Applies the migrations not yet recorded in `schema_migrations`, in order of
 * their number, each in its own transaction. Safe to call again, and from
 * several processes at once: they take turns on an advisory lock.
 *
 * @example
 * const { applied } = await migrate(db); // ['001_knowledge'] the first time, [] after
 */
export async function migrate(db: Database, dir: URL = MIGRATIONS): Promise<{ applied: string[] }> {
  const migrations = await listMigrations(dir);
  const applied: string[] = [];
  if (await allRecorded(db, migrations)) return { applied };
  for (const migration of migrations) {
    const done = await db.transaction(async (tx) => {
      await tx.query(`select pg_advisory_xact_lock(hashtext('zhiyin.migrate'))`);
      await tx.exec(`create table if not exists schema_migrations (
        version int primary key,
        name text not null,
        applied_at timestamptz not null default now()
      )`);
      const { rows } = await tx.query('select 1 from schema_migrations where version = $1', [migration.version]);
      if (rows.length > 0) return true;
      await tx.exec(await readFile(migration.file, 'utf8'));
      await tx.query('insert into schema_migrations (version, name) values ($1, $2)', [migration.version, migration.name]);
      return false;
    });
    if (!done) applied.push(`${String(migration.version).padStart(3, '0')}_${migration.name}`);
  }
  return { applied };
}

/**
 * The migrations in `dir`, sorted by number; throws on a duplicate number.
 *
 * @example
 * await listMigrations(); // [{ version: 1, name: 'knowledge', file: URL }]
 */
export async function listMigrations(dir: URL = MIGRATIONS): Promise<Migration[]> {
  const migrations: Migration[] = [];
  for (const entry of await readdir(dir)) {
    const match = FILE_NAME.exec(entry);
    if (!match) continue;
    migrations.push({ version: Number(match[1]), name: match[2]!, file: new URL(entry, dir) });
  }
  migrations.sort((a, b) => a.version - b.version);
  const duplicate = migrations.find((m, i) => i > 0 && migrations[i - 1]!.version === m.version);
  if (duplicate) throw new Error(`Two migrations are numbered ${duplicate.version} in ${dir.pathname}`);
  return migrations;
}
