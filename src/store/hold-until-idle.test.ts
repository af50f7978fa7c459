import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { holdUntilIdle } from './testing.ts';

/** The part of pg's wire-protocol Connection this test drives (its typings leave most of it out). */
interface WireConnection {
  on(event: string, listener: (message: never) => void): void;
  once(event: string, listener: (message: never) => void): void;
  connect(port: number, host: string): void;
  startup(config: { user: string; database: string }): void;
  parse(query: { text: string; types: string[] }): void;
  bind(config: { values: unknown[] }): void;
  execute(config: { portal: string; rows: number }): void;
  flush(): void;
  sync(): void;
  end(): void;
}

/** A raw wire-protocol connection, so a test can stop halfway through an extended-protocol sequence. */
async function rawConnection(port: number): Promise<WireConnection> {
  const connection = new pg.Connection() as unknown as WireConnection;
  const ready = new Promise<void>((resolve, reject) => {
    connection.once('readyForQuery', () => resolve());
    connection.once('errorMessage', (error: Error) => reject(error));
  });
  connection.on('connect', () => connection.startup({ user: 'postgres', database: 'postgres' }));
  connection.connect(port, '127.0.0.1');
  await ready;
  return connection;
}

describe('holdUntilIdle (pglite-socket multiplexer in tests)', () => {
  let db: PGlite;
  let server: PGLiteSocketServer;
  let port: number;

  beforeAll(async () => {
    db = await PGlite.create();
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
    holdUntilIdle(server, db);
    await server.start();
    port = Number(server.getServerConn().split(':').at(-1));
  });

  afterAll(async () => {
    await server.stop();
    await db.close();
  });

  it("keeps another connection's query out of a Bind … Execute, so the unnamed portal survives", async () => {
    const a = await rawConnection(port);
    const b = new pg.Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable` });
    await b.connect();
    try {
      const rows: string[] = [];
      const errors: string[] = [];
      a.on('dataRow', (message: { fields: unknown[] }) => rows.push(String(message.fields[0])));
      a.on('errorMessage', (error: Error) => errors.push(error.message));
      const done = new Promise<void>((resolve) => a.once('readyForQuery', () => resolve()));
      a.parse({ text: 'select 41 + 1 as n', types: [] });
      a.bind({ values: [] });
      a.flush();
      await sleep(100);
      // another connection's extended query (its own Parse/Bind/Sync of the unnamed portal) comes in now
      const other = b.query('select $1::int as m', [7]);
      await sleep(100);
      a.execute({ portal: '', rows: 0 });
      a.sync();
      await done;
      expect(errors).toEqual([]);
      expect(rows).toEqual(['42']);
      expect((await other).rows).toEqual([{ m: 7 }]);
    } finally {
      a.end();
      await b.end();
    }
  });
});
