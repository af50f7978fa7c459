import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase, type Database } from '../store/database.ts';
import { holdUntilIdle } from '../store/testing.ts';
import { TicketDesk } from '../escalation/tickets.ts';
import { SqlConversationStore } from '../conversation/conversation-store.ts';
import { runZhiyin, startServe, zhiyinEnvironment, type ServeProcess } from '../testing/zhiyin-process.ts';

/**
 * Two `zhiyin serve` processes on one PostgreSQL — here one PGlite served over the wire protocol by
 * pglite-socket's multiplexer (several connections, queries queued in one database), the offline
 * stand-in for a PostgreSQL server with pgvector. A third process (the CLI, and this test's own
 * connection) changes things; both servers must follow.
 */

interface Browser {
  cookie: string;
  csrf: string;
}

const password = 'correct horse battery staple';

function cookiePairs(response: Response): string[] {
  return response.headers.getSetCookie().map((header) => header.split(';')[0]!.trim());
}

async function loginAttempt(server: ServeProcess, username: string, secret: string): Promise<Response> {
  const base = `http://127.0.0.1:${server.port}`;
  const form = await fetch(`${base}/login`);
  const token = /name="_csrf" value="([^"]+)"/u.exec(await form.text())?.[1] ?? '';
  return fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookiePairs(form).join('; ') },
    body: new URLSearchParams({ _csrf: token, username, password: secret, next: '/' }).toString(),
  });
}

async function signIn(server: ServeProcess, username: string): Promise<Browser> {
  const response = await loginAttempt(server, username, password);
  const session = cookiePairs(response).find((pair) => pair.startsWith('zhiyin_session='));
  if (response.status !== 303 || !session) throw new Error(`sign-in failed: ${response.status}`);
  const page = await (await fetch(`http://127.0.0.1:${server.port}/`, { headers: { cookie: session } })).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)">/u.exec(page)?.[1] ?? '';
  return { cookie: session, csrf };
}

async function ask(server: ServeProcess, question: string): Promise<{ outcome: string; citations: { doc: string }[] }> {
  const response = await fetch(`http://127.0.0.1:${server.port}/api/ask`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ question }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { outcome: string; citations: { doc: string }[] };
}

/** Reads a server-sent event stream until `wanted` matches an event, or gives up after `ms`. */
async function waitForEvent(server: ServeProcess, who: Browser, wanted: RegExp, ms: number): Promise<string | null> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    const response = await fetch(`http://127.0.0.1:${server.port}/events`, { headers: { cookie: who.cookie, accept: 'text/event-stream' }, signal: controller.signal });
    if (!response.ok || !response.body) throw new Error(`/events answered ${response.status}`);
    const decoder = new TextDecoder();
    let seen = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      seen += decoder.decode(chunk, { stream: true });
      const match = wanted.exec(seen);
      if (match) return match[0];
      // the stream is open: from here on, a change made elsewhere must arrive
      streamOpen?.();
    }
    return null;
  } catch (error) {
    if ((error as Error).name === 'AbortError') return null;
    throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}
let streamOpen: (() => void) | undefined;

describe('two zhiyin serve processes on one PostgreSQL', () => {
  let pglite: PGlite;
  let socket: PGLiteSocketServer;
  let url: string;
  let dataDir: string;
  let env: Record<string, string>;
  let a: ServeProcess;
  let b: ServeProcess;
  let db: Database;

  beforeAll(async () => {
    pglite = await PGlite.create({ extensions: { vector } });
    await pglite.exec('create extension if not exists vector');
    socket = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0, maxConnections: 40 });
    holdUntilIdle(socket, pglite);
    await socket.start();
    url = `postgres://postgres:postgres@${socket.getServerConn()}/postgres?sslmode=disable`;
    dataDir = await mkdtemp(path.join(tmpdir(), 'zhiyin-two-'));
    env = zhiyinEnvironment(dataDir, { DATABASE_URL: url, LOG_LEVEL: 'info' });
    // Both start at once on an empty database: migrations and the first ingest must not collide.
    [a, b] = await Promise.all([startServe(env), startServe(env)]);
    db = await openDatabase({ url, poolSize: 2 });
  }, 600_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.close();
    await socket?.stop();
    await pglite?.close();
    await rm(dataDir, { recursive: true, force: true });
  }, 120_000);

  it('both serve the one knowledge base, ingested once', async () => {
    const [healthA, healthB] = await Promise.all([a, b].map(async (server) => (await fetch(`http://127.0.0.1:${server.port}/healthz`)).json() as Promise<{ knowledgeVersion: number }>));
    expect(healthA!.knowledgeVersion).toBeGreaterThan(0);
    expect(healthB!.knowledgeVersion).toBe(healthA!.knowledgeVersion);
    const { rows } = await db.query<{ documents: number }>(`select count(*)::int as documents from documents`);
    expect(rows[0]!.documents).toBe(5);
    const question = '中职学校要配几名职业指导老师？';
    const [fromA, fromB] = await Promise.all([ask(a, question), ask(b, question)]);
    expect(fromA.outcome).toBe('answer');
    expect(fromB).toEqual(expect.objectContaining({ outcome: fromA.outcome, citations: fromA.citations }));
  }, 300_000);

  it('a document withdrawn from a third process is no longer cited by either server', async () => {
    const question = '实习单位能扣我身份证吗？';
    const before = await ask(a, question);
    const cited = before.citations[0]?.doc;
    expect(cited).toBeTruthy();
    const withdrawn = await runZhiyin(['kb', 'withdraw', cited!], env);
    expect(withdrawn.code, withdrawn.stderr).toBe(0);
    for (const server of [a, b]) {
      const after = await ask(server, question);
      expect(after.citations.map((citation) => citation.doc)).not.toContain(cited);
    }
  }, 300_000);

  it('shares accounts and the login throttle: failures counted on one server hold on the other', async () => {
    const added = await runZhiyin(['users', 'add', 'wang.li', '--role', 'teacher', '--name', '王老师'], env, `${password}\n`);
    expect(added.code, added.stderr).toBe(0);
    await signIn(b, 'wang.li'); // an account added by the CLI signs in on either server
    // the per-account limit is 5 failures: 5 on A, then the right password on B is held back
    for (let attempt = 0; attempt < 5; attempt += 1) expect((await loginAttempt(a, 'wang.li', 'wrong password')).status).not.toBe(303);
    const held = await loginAttempt(b, 'wang.li', password);
    expect(held.status).not.toBe(303);
    expect(await held.text()).toMatch(/稍后|分钟|秒/u);
  }, 300_000);

  it("a ticket opened by another process reaches a teacher's live queue on either server", async () => {
    const admin = await runZhiyin(['users', 'add', 'zhao.admin', '--role', 'admin'], env, `${password}\n`);
    expect(admin.code, admin.stderr).toBe(0);
    const watcher = await signIn(b, 'zhao.admin');
    const opened = new Promise<void>((resolve) => (streamOpen = resolve));
    const event = waitForEvent(b, watcher, /event: ticket[^\n]*\n(?:[^\n]*\n)*?data: [^\n]*/u, 60_000);
    await opened;
    streamOpen = undefined;
    // A channel worker elsewhere (here: this test's own connection) opens a ticket.
    const conversation = await new SqlConversationStore(db).open('telegram', '4242');
    await new TicketDesk(db).openOrJoin({ conversationId: conversation.id, channel: 'telegram', studentId: '4242', reason: 'person', summary: '想找老师聊聊实习' });
    expect(await event).not.toBeNull();
    const queue = await (await fetch(`http://127.0.0.1:${a.port}/`, { headers: { cookie: (await signIn(a, 'zhao.admin')).cookie } })).text();
    expect(queue).toContain('想找老师聊聊实习');
  }, 300_000);
});
