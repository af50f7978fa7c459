import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataDirTemplate } from './build-data-dir-template.ts';
import { holdsCluster, shippedTemplateDir, templateKey } from './data-dir-template.ts';
import { openDatabase } from './database.ts';
import { listMigrations, migrate } from './migrate.ts';

let root: string;
let template: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'zhiyin-template-'));
  const outdir = path.join(root, 'dist');
  await mkdir(outdir);
  // a template of older sources, which the new one replaces
  await mkdir(path.join(outdir, 'pgdata-0123456789abcdef'));
  template = await buildDataDirTemplate(outdir);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the data-directory template', () => {
  it('is made where a start looks for it, for these sources, replacing an older one', async () => {
    expect(template).toBe(await shippedTemplateDir(path.join(root, 'dist')));
    expect(readdirSync(path.join(root, 'dist'))).toEqual([path.basename(template)]);
    expect(holdsCluster(template)).toBe(true);
  });

  it('gives a new data directory its cluster with the vector extension and every migration', async () => {
    const dataDir = path.join(root, 'new');
    const db = await openDatabase({ dataDir, template });
    try {
      // recorded before this process migrated anything
      const { rows } = await db.query<{ version: number }>('select version from schema_migrations order by version');
      expect(rows.map((row) => row.version)).toEqual((await listMigrations()).map((migration) => migration.version));
      expect((await db.query<{ extname: string }>(`select extname from pg_extension where extname = 'vector'`)).rows).toHaveLength(1);
      expect(await migrate(db)).toEqual({ applied: [] });
      await db.query('update kb_state set version = 7 where id = 1');
    } finally {
      await db.close();
    }
    // the copy is the data directory's own: the template is unchanged, and a reopen keeps the data
    const fromTemplate = await openDatabase({ dataDir: path.join(root, 'another'), template });
    const reopened = await openDatabase({ dataDir, template });
    try {
      expect((await fromTemplate.query<{ version: number }>('select version from kb_state')).rows).toEqual([{ version: 0 }]);
      expect((await reopened.query<{ version: number }>('select version from kb_state')).rows).toEqual([{ version: 7 }]);
    } finally {
      await fromTemplate.close();
      await reopened.close();
    }
  });

  it('is keyed by the migrations: a template made from other sources is not looked for', async () => {
    const other = mkdtempSync(path.join(tmpdir(), 'zhiyin-migrations-'));
    try {
      writeFileSync(path.join(other, '001_only.sql'), 'create table only_one (id int);');
      expect(await templateKey(pathToFileURL(`${other}/`))).not.toBe(await templateKey());
      expect(await templateKey()).toMatch(/^[0-9a-f]{16}$/u);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
