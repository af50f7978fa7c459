/**
 * The two ways {@link Queryable.insertMany} writes many rows: PostgreSQL's binary COPY format
 * (the embedded database reads it from a blob: no number is printed or parsed, which for
 * vectors is most of an insert's cost) and multi-row `insert … values` statements (a server
 * reached through `pg`, which has no COPY without another library).
 */

/** A column of the target table as the catalog describes it. */
export interface ColumnType {
  name: string;
  /** `pg_type.typname`: `text`, `int4`, `_text` (text[]), `jsonb`, `vector`… */
  typname: string;
  /** `format_type()`: what a parameter is cast to in an `insert … values`. */
  sqlType: string;
}

/** The catalog query for a table's column types; `$1` the table name. */
export const columnTypesSql = `select a.attname as name, t.typname, format_type(a.atttypid, null) as "sqlType"
  from pg_attribute a join pg_type t on t.oid = a.atttypid
 where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped`;

const identifier = /^[a-z_][a-z0-9_]*$/;

/** The named columns of `table` in the given order, from the catalog's rows; unknown names throw. */
export function orderedColumns(table: string, columns: readonly string[], catalogue: readonly ColumnType[]): ColumnType[] {
  for (const name of [table, ...columns]) if (!identifier.test(name)) throw new Error(`insertMany: "${name}" is not a plain lower-case identifier`);
  const byName = new Map(catalogue.map((column) => [column.name, column]));
  return columns.map((name) => {
    const column = byName.get(name);
    if (!column) throw new Error(`insertMany: ${table} has no column ${name}`);
    return column;
  });
}

/** Microseconds from the Unix epoch to PostgreSQL's (2000-01-01 UTC). */
const postgresEpochMs = 946_684_800_000;

/** A byte buffer that grows as it is written, big-endian as COPY wants. */
class ByteWriter {
  #bytes = new Uint8Array(1 << 16);
  #view = new DataView(this.#bytes.buffer);
  #length = 0;
  readonly #encoder = new TextEncoder();

  get length(): number {
    return this.#length;
  }

  #reserve(size: number): void {
    if (this.#length + size <= this.#bytes.length) return;
    const bigger = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + size));
    bigger.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = bigger;
    this.#view = new DataView(bigger.buffer);
  }

  int16(value: number): void {
    this.#reserve(2);
    this.#view.setInt16(this.#length, value);
    this.#length += 2;
  }

  int32(value: number): void {
    this.#reserve(4);
    this.#view.setInt32(this.#length, value);
    this.#length += 4;
  }

  int64(value: bigint): void {
    this.#reserve(8);
    this.#view.setBigInt64(this.#length, value);
    this.#length += 8;
  }

  float32(value: number): void {
    this.#reserve(4);
    this.#view.setFloat32(this.#length, value);
    this.#length += 4;
  }

  float64(value: number): void {
    this.#reserve(8);
    this.#view.setFloat64(this.#length, value);
    this.#length += 8;
  }

  bytes(value: Uint8Array): void {
    this.#reserve(value.length);
    this.#bytes.set(value, this.#length);
    this.#length += value.length;
  }

  /** A length-prefixed field whose content `write` appends; the prefix is filled in after. */
  field(write: () => void): void {
    this.int32(0);
    const start = this.#length;
    write();
    this.#view.setInt32(start - 4, this.#length - start);
  }

  utf8(text: string): void {
    this.#reserve(text.length * 3);
    const { written } = this.#encoder.encodeInto(text, this.#bytes.subarray(this.#length));
    this.#length += written;
  }

  take(): Uint8Array {
    const result = this.#bytes.slice(0, this.#length);
    this.#length = 0;
    return result;
  }
}

type Encoder = (out: ByteWriter, value: unknown, column: ColumnType) => void;

const fail = (column: ColumnType, value: unknown, wanted: string): never => {
  throw new TypeError(`insertMany: column ${column.name} (${column.sqlType}) takes ${wanted}, not ${typeof value === 'object' ? Object.prototype.toString.call(value) : typeof value}`);
};

const text: Encoder = (out, value, column) => (typeof value === 'string' ? out.utf8(value) : fail(column, value, 'a string'));
const integer =
  (bits: 16 | 32): Encoder =>
  (out, value, column) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) fail(column, value, 'an integer');
    if (bits === 16) out.int16(value as number);
    else out.int32(value as number);
  };

/** Binary encoders by `typname`; a column of any other type makes the write go through `insert … values`. */
const encoders: Record<string, Encoder> = {
  text,
  varchar: text,
  int2: integer(16),
  int4: integer(32),
  int8: (out, value, column) => {
    if (typeof value === 'bigint') out.int64(value);
    else if (typeof value === 'number' && Number.isSafeInteger(value)) out.int64(BigInt(value));
    else fail(column, value, 'an integer');
  },
  float4: (out, value, column) => (typeof value === 'number' ? out.float32(value) : fail(column, value, 'a number')),
  float8: (out, value, column) => (typeof value === 'number' ? out.float64(value) : fail(column, value, 'a number')),
  bool: (out, value, column) => (typeof value === 'boolean' ? out.bytes(Uint8Array.of(value ? 1 : 0)) : fail(column, value, 'a boolean')),
  jsonb: (out, value, column) => {
    if (typeof value !== 'string') fail(column, value, 'JSON text (JSON.stringify(value))');
    out.bytes(Uint8Array.of(1));
    out.utf8(value as string);
  },
  timestamptz: (out, value, column) => {
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) fail(column, value, 'a Date');
    out.int64(BigInt(Math.round(((value as Date).getTime() - postgresEpochMs) * 1000)));
  },
  bytea: (out, value, column) => (value instanceof Uint8Array ? out.bytes(value) : fail(column, value, 'a Uint8Array')),
  _text: (out, value, column) => {
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) fail(column, value, 'an array of strings');
    const items = value as string[];
    out.int32(items.length === 0 ? 0 : 1); // dimensions
    out.int32(0); // no nulls
    out.int32(25); // element type: text
    if (items.length > 0) {
      out.int32(items.length);
      out.int32(1); // lower bound
    }
    for (const item of items) out.field(() => out.utf8(item));
  },
  vector: (out, value, column) => {
    if (!(Array.isArray(value) || value instanceof Float32Array || value instanceof Float64Array)) fail(column, value, 'an array of numbers');
    const numbers = value as ArrayLike<number>;
    out.int16(numbers.length);
    out.int16(0);
    for (let i = 0; i < numbers.length; i += 1) {
      const number = numbers[i]!;
      if (!Number.isFinite(number)) throw new TypeError(`insertMany: column ${column.name}: a vector holds finite numbers only`);
      out.float32(number);
    }
  },
};

/** Whether every column can be written in binary COPY format. */
export function copyable(columns: readonly ColumnType[]): boolean {
  return columns.every((column) => column.typname in encoders);
}

/** The header of binary COPY data: signature, flags, no extension. */
const copySignature = Uint8Array.of(0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00);
/** A COPY blob is cut past this many bytes, so that a large write never needs one huge buffer. */
const copyChunkBytes = 16 * 2 ** 20;

/**
 * The rows in binary COPY format, in one or more chunks (each a complete COPY input).
 *
 * @example for (const blob of binaryCopyChunks(columns, rows)) await pglite.query(`copy t (a, b) from '/dev/blob' with (format binary)`, [], { blob: new Blob([blob]) });
 */
export function* binaryCopyChunks(columns: readonly ColumnType[], rows: readonly (readonly unknown[])[]): Generator<Uint8Array> {
  const out = new ByteWriter();
  const start = (): void => {
    out.bytes(copySignature);
    out.int32(0);
    out.int32(0);
  };
  const finish = (): Uint8Array => {
    out.int16(-1);
    return out.take();
  };
  start();
  let inChunk = 0;
  for (const row of rows) {
    if (row.length !== columns.length) throw new Error(`insertMany: a row has ${row.length} values for ${columns.length} columns`);
    out.int16(columns.length);
    for (const [index, column] of columns.entries()) {
      const value = row[index];
      if (value === null || value === undefined) out.int32(-1);
      else out.field(() => encoders[column.typname]!(out, value, column));
    }
    inChunk += 1;
    if (out.length > copyChunkBytes) {
      yield finish();
      start();
      inChunk = 0;
    }
  }
  if (inChunk > 0) yield finish();
}

/**
 * The string form of a vector parameter, the same for both backends.
 *
 * @example
 * await db.query('insert into clause_embeddings values ($1, $2, $3::vector)', [id, model, toSql([0.1, 0.2])]);
 */
export function toSql(embedding: readonly number[]): string {
  if (!embedding.every(Number.isFinite)) throw new Error('toSql: a vector holds finite numbers only');
  return `[${embedding.join(',')}]`;
}

/** Parameters per statement stay under PostgreSQL's limit of 65,535. */
const maxParameters = 60_000;
const maxRowsPerStatement = 1000;

/**
 * The rows as multi-row `insert … values` statements with casts from the catalog; vectors are
 * sent in their text form.
 */
export function* valuesStatements(table: string, columns: readonly ColumnType[], rows: readonly (readonly unknown[])[]): Generator<{ sql: string; params: unknown[] }> {
  const perStatement = Math.max(1, Math.min(maxRowsPerStatement, Math.floor(maxParameters / Math.max(1, columns.length))));
  const names = columns.map((column) => column.name).join(', ');
  for (let start = 0; start < rows.length; start += perStatement) {
    const params: unknown[] = [];
    const tuples = rows.slice(start, start + perStatement).map((row) => {
      if (row.length !== columns.length) throw new Error(`insertMany: a row has ${row.length} values for ${columns.length} columns`);
      const placeholders = columns.map((column, index) => {
        const value = row[index];
        params.push(column.typname === 'vector' && value !== null && value !== undefined ? toSql(Array.from(value as ArrayLike<number>)) : (value ?? null));
        return `$${params.length}::${column.sqlType}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    yield { sql: `insert into ${table} (${names}) values ${tuples.join(', ')}`, params };
  }
}
