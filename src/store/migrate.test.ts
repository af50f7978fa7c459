import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { listMigrations, migrate } from './migrate.ts';
import { testBackends, type TestBackend } from './testing.ts';

function migrationsDir(files: Record<string, string>): URL {
  const dir = mkdtempSync(join(tmpdir(), 'zhiyin-migrations-'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return pathToFileURL(`${dir}/`);
}

const dirs: URL[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe.each(testBackends)('migrate on %s', (_name, open) => {
  const opened: TestBackend[] = [];
  async function emptyDatabase() {
    const backend = await open({ migrated: false });
    opened.push(backend);
    return backend.db;
  }
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((backend) => backend.stop()));
  });

  it('applies every migration once, then nothing', async () => {
    const db = await emptyDatabase();
    const all = await listMigrations();
    expect(await migrate(db)).toEqual({ applied: all.map((m) => `${String(m.version).padStart(3, '0')}_${m.name}`) });
    expect(await migrate(db)).toEqual({ applied: [] });

    const { rows: recorded } = await db.query('select version, name from schema_migrations order by version');
    expect(recorded).toEqual(all.map(({ version, name }) => ({ version, name })));
    const { rows: state } = await db.query('select id, version, fingerprint, embedding_model from kb_state');
    expect(state).toEqual([{ id: 1, version: 0, fingerprint: '', embedding_model: null }]);
    const { rows: tables } = await db.query<{ table_name: string }>(
      `select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining([
      'clause_embeddings',
      'clauses',
      'documents',
      'kb_state',
      'schema_migrations',
    ]));
  });

  it('applies each migration once when called concurrently', async () => {
    const db = await emptyDatabase();
    const results = await Promise.all([migrate(db), migrate(db), migrate(db)]);
    const applied = results.flatMap((r) => r.applied);
    expect(applied).toHaveLength((await listMigrations()).length);
    expect(new Set(applied).size).toBe(applied.length);
  });

  it('applies files in the order of their numbers, and rolls back a failing one', async () => {
    const dir = migrationsDir({
      '010_fail.sql': `insert into notes values ('lost'); select 1 / 0;`,
      '002_add_column.sql': `alter table notes add column seen boolean not null default false;`,
      '001_notes.sql': `create table notes (text text);`,
      'README.md': 'not a migration',
    });
    dirs.push(dir);
    const db = await emptyDatabase();

    await expect(migrate(db, dir)).rejects.toThrow(/division by zero/);
    const { rows } = await db.query('select version, name from schema_migrations order by version');
    expect(rows).toEqual([
      { version: 1, name: 'notes' },
      { version: 2, name: 'add_column' },
    ]);
    expect((await db.query('select * from notes')).rows).toEqual([]);
  });
});

describe('listMigrations', () => {
  it('lists the migrations next to migrate.ts, in order of their numbers', async () => {
    const versions = (await listMigrations()).map((m) => m.version);
    expect(versions[0]).toBe(1);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
  });

  it('refuses two migrations with one number', async () => {
    const dir = migrationsDir({ '003_a.sql': '', '003_b.sql': '' });
    dirs.push(dir);
    await expect(listMigrations(dir)).rejects.toThrow(/Two migrations are numbered 3/);
  });
});
