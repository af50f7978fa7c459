import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite, type Extensions, type ParserOptions, type Transaction } from '@electric-sql/pglite';
import type pg from 'pg';
import { holdsCluster, seedFromTemplate, shippedTemplateDir } from './data-dir-template.ts';
import { binaryCopyChunks, columnTypesSql, copyable, orderedColumns, valuesStatements, type ColumnType } from './bulk-rows.ts';

export { toSql } from './bulk-rows.ts';

/**
 * Something SQL can be sent to: a {@link Database} or the `tx` of a transaction.
 *
 * Both backends return rows of the same shapes: `int`/`float8` → number,
 * `int8` (e.g. `count(*)`) → number, or bigint beyond 2^53, `numeric` → string,
 * `timestamptz` → Date, `jsonb` → parsed value, `text[]` → string[],
 * `vector` → number[]. Prefer `::int` casts for counts all the same.
 * Pass `jsonb` parameters as `JSON.stringify(value)` (pg would send a JS array
 * as a Postgres array) and `vector` parameters as {@link toSql}`(embedding)`.
 * For many rows at once, {@link Queryable.insertMany} is the fast way on both backends.
 *
 * @example
 * const { rows } = await db.query<{ n: number }>('select count(*)::int as n from clauses where doc_id = $1', [id]);
 */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Runs one or more statements without parameters. */
  exec(sql: string): Promise<void>;
  /**
   * Inserts many rows into one table: a binary COPY on the embedded database (nothing is printed
   * or parsed as text), multi-row inserts on a Postgres server. Values as for `query` parameters
   * (jsonb as JSON text, text[] as string arrays), except that a `vector` column takes the numbers
   * themselves (an array, not {@link toSql}); a column left out gets its default.
   *
   * @example
   * await tx.insertMany('clause_embeddings', ['clause_id', 'model', 'embedding'], [['doc#1', 'm', [0.1, 0.2]]]);
   */
  insertMany(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void>;
}

/**
 * An open database: PGlite in this process, or a Postgres server.
 *
 * @example
 * await db.transaction(async (tx) => {
 *   await tx.query('delete from clauses where doc_id = $1', [id]);
 *   await tx.query('insert into clauses (id, doc_id, ordinal, locator, text) values ($1, $2, 1, $3, $4)', [...]);
 * });
 */
export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs fn in one transaction; rolls back and rethrows on error. Inside fn, send SQL through `tx` only. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** A Postgres connection string; when set, the other options are ignored. */
  url?: string;
  /** PGlite's data directory, created if missing and locked against other processes. */
  dataDir?: string;
  /** An in-memory PGlite. */
  memory?: boolean;
  /**
   * A data directory a new `dataDir` starts as a copy of (see src/store/data-dir-template.ts).
   * Default: the template `npm run build` made for these sources, when it is there; null: none
   * (PostgreSQL's initdb makes the cluster).
   */
  template?: string | null;
  /**
   * false: the embedded database opens without the vector extension, which is then not loaded
   * (`zhiyin users` never reads a vector); a query on a vector column fails. Default true.
   */
  vectors?: boolean;
  /** Connections in the Postgres pool (default 10). */
  poolSize?: number;
  /**
   * Synchronous work to run while the embedded database starts: called once PGlite's start has
   * begun (its WebAssembly compiles on other threads meanwhile), and at once for a Postgres URL.
   * A server start loads its tokenizer's dictionary here.
   */
  whileStarting?: () => void;
}

/**
 * Opens Postgres when `url` is given, otherwise PGlite (on `dataDir`, or in
 * memory), with the pgvector extension created.
 *
 * @example
 * const db = await openDatabase({ dataDir: './data' });
 * const db = await openDatabase({ url: 'postgres://zhiyin@localhost/zhiyin' });
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.url) {
    const opening = openPostgres(options.url, options.poolSize ?? 10);
    options.whileStarting?.();
    return opening;
  }
  // pgvector is loaded only for a database that reads vectors
  const vectors = options.vectors !== false;
  const extensions: Extensions = vectors ? { vector: (await import('@electric-sql/pglite-pgvector')).vector } : {};
  const started = <T,>(starting: Promise<T>): Promise<T> => {
    options.whileStarting?.();
    return starting;
  };
  if (options.memory) return pgliteDatabase(await started(PGlite.create({ extensions })), () => {}, vectors);
  if (!options.dataDir) throw new Error('openDatabase: give url, dataDir or memory: true');

  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const unlock = lockDataDir(dataDir);
  try {
    if (!holdsCluster(dataDir)) {
      const template = options.template === undefined ? await shippedTemplateDir() : options.template;
      if (template) seedFromTemplate(dataDir, template);
    }
    return await pgliteDatabase(await started(PGlite.create({ dataDir, extensions })), unlock, vectors);
  } catch (error) {
    unlock();
    throw error;
  }
}

/** The named columns of a table with their types, read from the catalog. */
async function columnsOf(q: Pick<Queryable, 'query'>, table: string, columns: readonly string[]): Promise<ColumnType[]> {
  const { rows } = await q.query<ColumnType>(columnTypesSql, [table]);
  return orderedColumns(table, columns, rows);
}

/**
 * bytea as hex through Buffer (native) instead of PGlite's per-byte default, which takes seconds
 * for the few megabytes of a stored embedding model.
 */
const byteaOid = 17;
const byteaSerializer = (value: Uint8Array): string => `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
function parseBytea(text: string): Uint8Array {
  const bytes = Buffer.from(text.slice(2), 'hex');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Wraps an open PGlite (loaded with the vector extension, unless `vectors` is false) as a
 * {@link Database}, creating the extension; `close()` closes it, then calls `onClose`.
 *
 * @example
 * const db = await pgliteDatabase(await PGlite.create({ extensions: { vector } }));
 */
export async function pgliteDatabase(pglite: PGlite, onClose: () => void = () => {}, vectors = true): Promise<Database> {
  try {
    if (vectors) await pglite.exec('create extension if not exists vector');
    const types = await pglite.query<{ oid: number }>(
      `select oid::int as oid from pg_type where typname in ('vector', 'halfvec')`,
    );
    const parsers: ParserOptions = { ...Object.fromEntries(types.rows.map((t) => [t.oid, parseVector])), [byteaOid]: parseBytea };
    const serializers = { [byteaOid]: byteaSerializer };
    const on = (q: PGlite | Transaction): Queryable => {
      const queryable: Queryable = {
        async query<T>(sql: string, params?: unknown[]) {
          const { rows } = await q.query<T>(sql, params, { parsers, serializers });
          return { rows };
        },
        async exec(sql: string) {
          await q.exec(sql);
        },
        async insertMany(table, names, rows) {
          if (rows.length === 0) return;
          const columns = await columnsOf(queryable, table, names);
          if (!copyable(columns)) {
            for (const { sql, params } of valuesStatements(table, columns, rows)) await queryable.query(sql, params);
            return;
          }
          const copy = `copy ${table} (${names.join(', ')}) from '/dev/blob' with (format binary)`;
          for (const chunk of binaryCopyChunks(columns, rows)) await q.query(copy, [], { blob: new Blob([chunk]) });
        },
      };
      return queryable;
    };
    let closed = false;
    return {
      kind: 'pglite',
      ...on(pglite),
      transaction: (fn) => pglite.transaction((tx) => fn(on(tx))),
      async close() {
        if (closed) return;
        closed = true;
        try {
          await pglite.close();
        } finally {
          onClose();
        }
      },
    };
  } catch (error) {
    await pglite.close().catch(() => {});
    throw error;
  }
}

function parseVector(text: string): number[] {
  return text.slice(1, -1).split(',').map(Number);
}

/** As PGlite does: a number, or a bigint when it would not fit. */
function parseInt8(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  // Loaded only for a Postgres server, so the embedded default starts without them.
  const { default: pg } = await import('pg');
  const { default: pgvector } = await import('pgvector/pg');
  const parsers = new Map<number, (text: string) => unknown>([[pg.types.builtins.INT8, parseInt8]]);
  const getTypeParser = ((oid: number, format?: 'text' | 'binary') =>
    parsers.get(oid) ?? pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser;
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types: { getTypeParser } });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});

  try {
    await pool.query('create extension if not exists vector');
    await pgvector.registerTypes({
      query: (sql: string, params: unknown[]) => pool.query(sql, params),
      setTypeParser: (oid: number, _format: string, parse: (text: string) => unknown) => parsers.set(oid, parse),
    });
  } catch (error) {
    await pool.end();
    throw error;
  }

  const on = (q: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T>(sql: string, params?: unknown[]) {
      const { rows } = await q.query(sql, params);
      return { rows: rows as T[] };
    },
    async exec(sql: string) {
      await q.query(sql);
    },
    async insertMany(table, names, rows) {
      if (rows.length === 0) return;
      const columns = await columnsOf({ query: async <T>(sql: string, params?: unknown[]) => ({ rows: (await q.query(sql, params)).rows as T[] }) }, table, names);
      for (const { sql, params } of valuesStatements(table, columns, rows)) await q.query(sql, params);
    },
  });
  let closed = false;
  return {
    kind: 'postgres',
    ...on(pool),
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('begin');
        const result = await fn(on(client));
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch((e: Error) => (broken = e));
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

const LOCK_FILE = 'zhiyin.lock';
const heldLocks = new Set<string>();
let releaseOnExit = false;

/** Takes `<dataDir>/zhiyin.lock` for this process; returns the release function. */
function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, LOCK_FILE);
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const pid = readLockPid(file);
    if (pid !== undefined && isAlive(pid) && (pid !== process.pid || heldLocks.has(file))) {
      throw new Error(
        `数据目录 ${dataDir} 正被另一个 zhiyin 进程（pid ${pid}）使用。请等它结束，或把 ZHIYIN_DATA_DIR 设为另一个目录（zhiyin serve 运行时，命令会自动交给它执行）。 / ` +
          `The data directory ${dataDir} is in use by another zhiyin process (pid ${pid}): wait for it to finish, or set ZHIYIN_DATA_DIR to another directory (while zhiyin serve runs, commands go to it by themselves).`,
      );
    }
    rmSync(file, { force: true });
  }

  heldLocks.add(file);
  if (!releaseOnExit) {
    releaseOnExit = true;
    process.on('exit', () => heldLocks.forEach(releaseLock));
  }
  return () => {
    if (heldLocks.delete(file)) releaseLock(file);
  };
}

function readLockPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseLock(file: string): void {
  if (readLockPid(file) === process.pid) rmSync(file, { force: true });
}
