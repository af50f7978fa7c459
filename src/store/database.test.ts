import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, toSql, type Queryable } from './database.ts';
import { testBackends, type TestBackend } from './testing.ts';

async function addDocument(db: Queryable, id: string, meta: unknown = {}): Promise<void> {
  await db.query(
    `insert into documents (id, title, issuer, region, status, audience, meta, body, content_hash)
     values ($1, $2, '教育部', '全国', 'in-force', 'students', $3, '正文', 'h')`,
    [id, `标题 ${id}`, JSON.stringify(meta)],
  );
}

describe.each(testBackends)('database on %s', (_name, open) => {
  let backend: TestBackend;
  beforeAll(async () => {
    backend = await open({ migrated: true });
  });
  afterAll(() => backend?.stop());

  it('returns the same value shapes on both backends', async () => {
    const { rows } = await backend.db.query(
      `select 2::int as i, count(*) as n, 9007199254740993::int8 as big, 1.5::float8 as f, 1.5::numeric as num,
              true as b, '2024-05-01T08:00:00Z'::timestamptz as ts, '{"a":[1,"二"]}'::jsonb as j,
              '{x,y}'::text[] as arr, '[1,2.5,-3]'::vector as v, null::text as nothing`,
    );
    expect(rows).toEqual([
      {
        i: 2,
        n: 1,
        big: 9007199254740993n,
        f: 1.5,
        num: '1.5',
        b: true,
        ts: new Date('2024-05-01T08:00:00Z'),
        j: { a: [1, '二'] },
        arr: ['x', 'y'],
        v: [1, 2.5, -3],
        nothing: null,
      },
    ]);
  });

  it('commits a transaction and returns its result', async () => {
    const result = await backend.db.transaction(async (tx) => {
      await addDocument(tx, 'commit');
      return 'done';
    });
    expect(result).toBe('done');
    const { rows } = await backend.db.query('select id from documents where id = $1', ['commit']);
    expect(rows).toEqual([{ id: 'commit' }]);
  });

  it('rolls back a transaction that throws, and rethrows', async () => {
    const failure = new Error('halfway');
    await expect(
      backend.db.transaction(async (tx) => {
        await addDocument(tx, 'rollback');
        await tx.query(`insert into clauses (id, doc_id, ordinal, locator, text) values ('rollback#1', 'rollback', 1, '第一条', 't')`);
        throw failure;
      }),
    ).rejects.toBe(failure);
    const { rows } = await backend.db.query<{ n: number }>(
      `select (select count(*) from documents where id = 'rollback') + (select count(*) from clauses where doc_id = 'rollback') as n`,
    );
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('rolls back a transaction whose SQL fails', async () => {
    await expect(
      backend.db.transaction(async (tx) => {
        await addDocument(tx, 'bad-sql');
        await addDocument(tx, 'bad-sql');
      }),
    ).rejects.toThrow(/duplicate key/);
    const { rows } = await backend.db.query(`select id from documents where id = 'bad-sql'`);
    expect(rows).toEqual([]);
  });

  it('round-trips jsonb, text[] and vector', async () => {
    const meta = { source: 'https://example.cn/政策', tags: ['就业', '实习'], pages: 3, nested: { ok: true } };
    await addDocument(backend.db, 'round-trip', meta);
    await backend.db.query(
      `insert into clauses (id, doc_id, ordinal, locator, heading_path, text) values ('round-trip#1', 'round-trip', 1, '第二条', $1, '条文')`,
      [['第一章 总则', '第二条']],
    );
    await backend.db.query(`insert into clause_embeddings values ('round-trip#1', 'm', $1::vector)`, [toSql([0.25, -1, 3e-7])]);

    const { rows } = await backend.db.query(
      `select d.meta, c.heading_path, e.embedding
         from documents d join clauses c on c.doc_id = d.id join clause_embeddings e on e.clause_id = c.id
        where d.id = 'round-trip'`,
    );
    expect(rows).toEqual([{ meta, heading_path: ['第一章 总则', '第二条'], embedding: [0.25, -1, 3e-7] }]);
  });

  it('runs several statements with exec', async () => {
    await backend.db.exec(`create temporary table scratch (n int); insert into scratch values (1), (2);`);
    const { rows } = await backend.db.query('select sum(n)::int as total from scratch');
    expect(rows).toEqual([{ total: 3 }]);
  });
});

describe('toSql', () => {
  it('writes the text form of a vector', () => {
    expect(toSql([1, 2.5, -3])).toBe('[1,2.5,-3]');
  });

  it('refuses numbers a vector cannot hold', () => {
    expect(() => toSql([1, Number.NaN])).toThrow(/finite/);
  });
});

describe('the PGlite data directory', () => {
  const root = mkdtempSync(join(tmpdir(), 'zhiyin-store-'));
  const dataDir = join(root, 'data');
  const lockFile = join(dataDir, 'zhiyin.lock');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is created, locked while open, and unlocked by close', async () => {
    const first = await openDatabase({ dataDir });
    expect(readFileSync(lockFile, 'utf8')).toBe(String(process.pid));

    const second = openDatabase({ dataDir });
    await expect(second).rejects.toThrow(`数据目录 ${dataDir} 正被另一个 zhiyin 进程（pid ${process.pid}）使用`);
    await expect(second).rejects.toThrow(
      `The data directory ${dataDir} is in use by another zhiyin process (pid ${process.pid}): wait for it to finish, or set ZHIYIN_DATA_DIR to another directory (while zhiyin serve runs, commands go to it by themselves).`,
    );

    await first.exec(`create table kept (n int); insert into kept values (42)`);
    await first.close();
    expect(existsSync(lockFile)).toBe(false);

    const reopened = await openDatabase({ dataDir });
    expect((await reopened.query('select n from kept')).rows).toEqual([{ n: 42 }]);
    await reopened.close();
  });

  it('takes over the lock of a process that is gone', async () => {
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(lockFile, String(gone));
    const db = await openDatabase({ dataDir });
    expect(readFileSync(lockFile, 'utf8')).toBe(String(process.pid));
    await db.close();
  });

  it('takes over a lock left with our own pid by an earlier run (a restarted container)', async () => {
    writeFileSync(lockFile, String(process.pid));
    const db = await openDatabase({ dataDir });
    await db.close();
    expect(existsSync(lockFile)).toBe(false);
  });

  it('refuses a directory another process holds, and is free once that process exits', async () => {
    const script = `
      const { openDatabase } = await import(${JSON.stringify(new URL('./database.ts', import.meta.url).href)});
      await openDatabase({ dataDir: ${JSON.stringify(dataDir)} });
      console.log('open');
      process.stdin.on('data', () => process.exit(0));`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('open') && resolve());
        child.once('exit', (code) => reject(new Error(`the child exited early (${code})`)));
      });
      await expect(openDatabase({ dataDir })).rejects.toThrow(`(pid ${child.pid})`);
    } finally {
      child.stdin.end('exit\n');
      await exited;
    }
    expect(existsSync(lockFile)).toBe(false);
    const db = await openDatabase({ dataDir });
    await db.close();
  });
});
