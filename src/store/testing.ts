import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { openDatabase, pgliteDatabase, type Database } from './database.ts';
import { migrate } from './migrate.ts';

let templates: Promise<{ empty: Blob; migrated: Blob }> | undefined;

/** Data directories made once per test process: initdb costs seconds, loading a copy about one. */
function dataDirTemplates(): Promise<{ empty: Blob; migrated: Blob }> {
  templates ??= (async () => {
    const pglite = await PGlite.create({ extensions: { vector } });
    const db = await pgliteDatabase(pglite);
    try {
      const empty = await pglite.dumpDataDir('none');
      await migrate(db);
      return { empty, migrated: await pglite.dumpDataDir('none') };
    } finally {
      await db.close();
    }
  })();
  return templates;
}

async function loadTemplate(migrated: boolean): Promise<PGlite> {
  const { empty, migrated: full } = await dataDirTemplates();
  return PGlite.create({ loadDataDir: migrated ? full : empty, extensions: { vector } });
}

/**
 * A fresh in-memory PGlite, migrated unless `migrated: false`. The first call
 * in a test process builds a template (a few seconds); later calls load a copy
 * of its data directory (about a second).
 *
 * @example
 * const db = await createTestDatabase();
 * afterAll(() => db.close());
 */
export async function createTestDatabase({ migrated = true }: { migrated?: boolean } = {}): Promise<Database> {
  return pgliteDatabase(await loadTemplate(migrated));
}

/**
 * A PGlite (with vector; not migrated unless asked) served over the Postgres
 * wire protocol on 127.0.0.1 at a free port, to test the `pg` code path offline.
 * The server accepts one connection (pglite-socket closes any further one), so
 * open it with `poolSize: 1`.
 *
 * @example
 * const server = await startPostgresOverSocket();
 * const db = await openDatabase({ url: server.url, poolSize: 1 });
 * await db.close();
 * await server.stop();
 */
export async function startPostgresOverSocket({ migrated = false }: { migrated?: boolean } = {}): Promise<{
  url: string;
  stop(): Promise<void>;
}> {
  const pglite = await loadTemplate(migrated);
  const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0, maxConnections: 1 });
  try {
    await server.start();
  } catch (error) {
    await pglite.close();
    throw error;
  }
  return {
    url: `postgres://postgres:postgres@${server.getServerConn()}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await pglite.close();
    },
  };
}

/** A database of a test backend and how to dispose of it. */
export interface TestBackend {
  db: Database;
  stop(): Promise<void>;
}

/**
 * Both backends, for `describe.each`: in-process PGlite, and Postgres (`pg`)
 * over pglite-socket.
 *
 * @example
 * describe.each(testBackends)('%s', (_name, open) => {
 *   let backend: TestBackend;
 *   beforeAll(async () => (backend = await open({ migrated: true })));
 *   afterAll(() => backend.stop());
 * });
 */
export const testBackends: [name: string, open: (options: { migrated: boolean }) => Promise<TestBackend>][] = [
  [
    'pglite',
    async ({ migrated }) => {
      const db = await createTestDatabase({ migrated });
      return { db, stop: () => db.close() };
    },
  ],
  [
    'postgres over pglite-socket',
    async ({ migrated }) => {
      const server = await startPostgresOverSocket({ migrated });
      const db = await openDatabase({ url: server.url, poolSize: 1 }).catch(async (error: unknown) => {
        await server.stop();
        throw error;
      });
      return {
        db,
        async stop() {
          await db.close();
          await server.stop();
        },
      };
    },
  ],
];

/** The part of pglite-socket's internal query queue that `holdUntilIdle` replaces. */
interface SocketQueryQueue {
  queue: { handlerId: number; message: Uint8Array; resolve(bytes: number): void; reject(error: unknown): void; onData(data: Uint8Array): void }[];
  processing: boolean;
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
}

/**
 * Makes a multiplexing PGLiteSocketServer (`maxConnections` > 1) keep the database with one
 * connection from its first message until PGlite answers ReadyForQuery 'I' (idle: no
 * transaction block, no COPY, the extended-protocol sequence synced). pglite-socket 0.2 queues
 * each protocol message on its own and holds a connection only inside an explicit transaction, so
 * another connection's Parse/Bind could land between a Bind and its Execute, or inside a COPY —
 * seen as "portal "" does not exist" when two `serve` processes started together under load.
 * A real PostgreSQL gives every connection its own backend; this restores that for tests.
 */
export function holdUntilIdle(server: PGLiteSocketServer, db: PGlite): void {
  const queue = (server as unknown as { queryQueue: SocketQueryQueue }).queryQueue;
  const idle = [0x5a, 0, 0, 0, 5, 0x49]; // ReadyForQuery, length 5, status 'I'
  let owner: number | null = null;
  const clear = queue.clearQueueForHandler.bind(queue);
  queue.clearQueueForHandler = (handlerId) => {
    clear(handlerId);
    if (owner === handlerId) owner = null;
    void queue.processQueue();
  };
  queue.processQueue = async () => {
    if (queue.processing) return;
    queue.processing = true;
    try {
      while (queue.queue.length > 0) {
        const index = owner === null ? 0 : queue.queue.findIndex((item) => item.handlerId === owner);
        if (index === -1) break; // the owner's next message has not arrived yet
        const item = queue.queue.splice(index, 1)[0]!;
        let tail: number[] = [];
        let bytes = 0;
        try {
          await db.runExclusive(() =>
            db.execProtocolRawStream(item.message, {
              onRawData: (data: Uint8Array) => {
                bytes += data.length;
                tail = [...tail, ...data.subarray(Math.max(0, data.length - idle.length))].slice(-idle.length);
                item.onData(data);
              },
            }),
          );
        } catch (error) {
          owner = null;
          item.reject(error);
          continue;
        }
        owner = idle.every((byte, k) => tail[k] === byte) ? null : item.handlerId;
        item.resolve(bytes);
      }
    } finally {
      queue.processing = false;
    }
  };
}
