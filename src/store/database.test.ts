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

  describe('insertMany', () => {
    beforeAll(async () => {
      await backend.db.exec(`create table bulk_probe (
        id int primary key, name text not null, tags text[] not null default '{}', meta jsonb, embedding vector,
        at timestamptz, bytes bytea, big int8, ratio float8, flag bool, note text not null default '默认')`);
    });

    const embedding = (i: number): number[] => [i / 7, -1 / (i + 3), 3e-7 * i, 0.1];
    const row = (i: number): unknown[] => [
      i,
      `名称 ${i} "quoted"\ttab\nline`,
      i % 3 === 0 ? [] : ['第一章 总则', `第${i}条`, 'a,b{c}'],
      JSON.stringify({ i, tags: ['就业'], nested: { ok: i % 2 === 0 } }),
      embedding(i),
      new Date(Date.UTC(2024, 4, 1, 8, 0, i % 60, 123)),
      Uint8Array.of(0, 255, i % 256, 10),
      2 ** 40 + i,
      i / 3,
      i % 2 === 0,
    ];
    const columns = ['id', 'name', 'tags', 'meta', 'embedding', 'at', 'bytes', 'big', 'ratio', 'flag'];

    it('writes rows that read back as the same rows written by parameterised inserts', async () => {
      await backend.db.insertMany('bulk_probe', columns, [row(1), row(2), row(3), [4, 'nulls', [], null, null, null, null, null, null, null]]);
      for (const i of [101, 102, 103]) {
        await backend.db.query(
          `insert into bulk_probe (id, name, tags, meta, embedding, at, bytes, big, ratio, flag) values ($1, $2, $3, $4::jsonb, $5::vector, $6, $7, $8, $9, $10)`,
          row(i - 100).map((value, index) => (index === 0 ? i : index === 4 ? toSql(value as number[]) : value)),
        );
      }
      const { rows } = await backend.db.query<Record<string, unknown>>('select * from bulk_probe order by id');
      const written = rows.filter((r) => Number(r.id) < 100);
      const inserted = rows.filter((r) => Number(r.id) > 100).map((r) => ({ ...r, id: Number(r.id) - 100 }));
      expect(written.slice(0, 3)).toEqual(inserted);
      expect(written[0]).toMatchObject({ name: '名称 1 "quoted"\ttab\nline', tags: ['第一章 总则', '第1条', 'a,b{c}'], meta: { i: 1, tags: ['就业'], nested: { ok: false } }, note: '默认' });
      expect(written[3]).toEqual({ id: 4, name: 'nulls', tags: [], meta: null, embedding: null, at: null, bytes: null, big: null, ratio: null, flag: null, note: '默认' });
    });

    it('writes thousands of rows, more than one statement takes, within the transaction it is given', async () => {
      const many = Array.from({ length: 2500 }, (_, i) => row(1000 + i));
      await expect(
        backend.db.transaction(async (tx) => {
          await tx.insertMany('bulk_probe', columns, many);
          const { rows } = await tx.query<{ n: number }>('select count(*)::int as n from bulk_probe where id >= 1000');
          expect(rows).toEqual([{ n: 2500 }]);
          throw new Error('undo');
        }),
      ).rejects.toThrow('undo');
      expect((await backend.db.query('select id from bulk_probe where id >= 1000')).rows).toEqual([]);
      await backend.db.transaction((tx) => tx.insertMany('bulk_probe', columns, many));
      const { rows } = await backend.db.query<{ n: number; sum: number; last: number[] }>(
        `select count(*)::int as n, sum(id)::int as sum, (select embedding from bulk_probe where id = 3499) as last from bulk_probe where id >= 1000`,
      );
      expect(rows[0]!.n).toBe(2500);
      expect(rows[0]!.sum).toBe(Array.from({ length: 2500 }, (_, i) => 1000 + i).reduce((x, y) => x + y));
      expect(rows[0]!.last.map(Math.fround)).toEqual(embedding(3499).map(Math.fround)); // stored as float4
    });

    it('refuses a column the table does not have, or a value of the wrong kind, and writes nothing', async () => {
      await expect(backend.db.insertMany('bulk_probe', ['id', 'nope'], [[5, 'x']])).rejects.toThrow(/no column nope/);
      await expect(backend.db.insertMany('bulk_probe', ['id', 'name', 'embedding'], [[6, 'x', [1, Number.NaN]]])).rejects.toThrow(/finite/);
      expect((await backend.db.query('select id from bulk_probe where id in (5, 6)')).rows).toEqual([]);
    });
  });

  it('round-trips large bytea values byte for byte', async () => {
    const bytes = Uint8Array.from({ length: 3 * 2 ** 20 }, (_, i) => (i * 7919) % 256);
    await backend.db.exec('create table bytes_probe (id int primary key, state bytea not null)');
    await backend.db.query('insert into bytes_probe values (1, $1)', [bytes]);
    const { rows } = await backend.db.query<{ state: Uint8Array }>('select state from bytes_probe where id = 1');
    expect(rows[0]!.state.length).toBe(bytes.length);
    expect(Buffer.compare(Buffer.from(rows[0]!.state), Buffer.from(bytes))).toBe(0);
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

describe('work done while the embedded database starts', () => {
  it('runs once, after PGlite began starting and before the database is open', async () => {
    const events: string[] = [];
    const opening = openDatabase({ memory: true, whileStarting: () => events.push('while starting') }).then((db) => {
      events.push('open');
      return db;
    });
    const db = await opening;
    expect(events).toEqual(['while starting', 'open']);
    await db.close();
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
