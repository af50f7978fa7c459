import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { serve as serveHttp } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Assistant } from '../assistant.ts';
import type { Outbox } from '../escalation/outbox.ts';
import { createLogger } from '../log.ts';
import type { ChannelStatus } from './dashboard/channel-status.ts';
import type { ConversationCore } from '../conversation/core.ts';
import type { Inbox } from '../conversation/inbox.ts';
import { startingGate, type FetchHandler } from './starting-gate.ts';

/** What `serve` gives the channel adapters (see bots/channels.ts, which the CLI passes in). */
export interface ServeChannelContext {
  config: Config;
  core: ConversationCore;
  outbox: Outbox;
  /** Where channel messages are stored before they are acknowledged, and handled from. */
  inbox: Inbox;
  /** Where a channel adds its webhook routes (they bypass the dashboard's sign-in and CSRF checks). */
  app: Hono;
  log: Logger;
  only?: readonly string[];
}

export interface ServeOptions {
  /** Starts the channel adapters; `src/` itself never imports a channel SDK. */
  startChannels?: (context: ServeChannelContext) => Promise<{ name: string; stop(): Promise<void>; status(): ChannelStatus }[]>;
  /** Only these channels (`zhiyin serve --channels telegram`). */
  channels?: readonly string[];
  /**
   * Starts the admin socket through which other `zhiyin` processes run their commands in this
   * server (the CLI passes it in, see src/server/admin-socket.ts); stopped before the store closes.
   */
  startAdmin?: (server: { config: Config; assistant: Assistant; outbox: Outbox; log: Logger }) => Promise<{ stop(): Promise<void> }>;
}

/** The server once warm: its app, and how to stop what it started. */
interface Running {
  fetch: FetchHandler;
  /** Builds what the first question would otherwise build (after 'zhiyin is serving', so not before ready). */
  prepare(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `zhiyin serve`: listens at once (`/healthz` answers while it starts, see `startingGate`), then
 * opens the core (ingesting `knowledge/` on first start), warms the answerer, starts the outbox
 * worker, the channels and the admin socket, and serves the API and the teachers' dashboard on
 * PORT ('zhiyin is serving' is logged then); shuts down cleanly on SIGINT/SIGTERM.
 */
export async function serve(config: Config, options: ServeOptions = {}): Promise<void> {
  const log = createLogger(config.LOG_LEVEL);
  const started = performance.now();
  const stopRequested = new Promise<void>((resolve) => {
    const stop = (): void => {
      log.info('shutting down');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  const warming = warmUp(config, options, log);
  const server = serveHttp({ fetch: startingGate(warming.then((running) => running.fetch)), port: config.PORT, hostname: config.HOST });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('listening', () => resolve((server.address() as AddressInfo).port));
    server.once('error', reject);
  }).catch(async (error: unknown) => {
    await warming.then((running) => running.stop()).catch(() => undefined);
    throw error;
  });
  log.info({ port, ms: Math.round(performance.now() - started) }, 'zhiyin is listening');
  const closeServer = (): Promise<void> =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Open dashboards hold live-update streams, and requests may wait for the start: end them so close() can finish.
      (server as Server).closeAllConnections?.();
    });
  let running: Running | null;
  try {
    running = await Promise.race([warming, stopRequested.then(() => null)]);
  } catch (error) {
    await closeServer();
    throw error;
  }
  if (running) {
    log.info({ port, ms: Math.round(performance.now() - started) }, 'zhiyin is serving');
    const serving = running;
    setImmediate(() => void serving.prepare().catch((error: Error) => log.warn({ err: error }, 'preparing the search after the start failed; the first question does it')));
    await stopRequested;
  }
  await closeServer();
  // stopped while starting: what the start opens is closed once it has opened it
  running ??= await warming.catch(() => null);
  await running?.stop();
}

/** Everything `serve` runs, loaded and started while the server already listens. */
async function warmUp(config: Config, options: ServeOptions, log: Logger): Promise<Running> {
  const [{ Assistant }, { Outbox }, { TicketDesk }, { createApp }, { UserStore }, { ConversationCore }, { SqlConversationStore }, { Inbox }, { Hono }] = await Promise.all([
    import('../assistant.ts'),
    import('../escalation/outbox.ts'),
    import('../escalation/tickets.ts'),
    import('./app.ts'),
    import('./auth/users.ts'),
    import('../conversation/core.ts'),
    import('../conversation/conversation-store.ts'),
    import('../conversation/inbox.ts'),
    import('hono'),
  ]);
  const assistant = await Assistant.open(config, { log });
  try {
    await assistant.answerer();
  } catch (error) {
    await assistant.close();
    throw error;
  }
  const desk = new TicketDesk(assistant.db);
  const outbox = new Outbox(assistant.db, { log });
  outbox.start();
  const users = new UserStore(assistant.db);
  const conversations = new SqlConversationStore(assistant.db);
  const core = new ConversationCore(assistant, conversations, { tickets: desk });
  // Among several servers on one database each leases the inbox rows it handles under its name;
  // the embedded database has one server, whose restart takes its rows up at once.
  const instance = config.DATABASE_URL ? `${hostname()}:${config.PORT === 0 ? `pid${process.pid}` : config.PORT}` : 'local';
  const inbox = new Inbox(assistant.db, { log, instance });
  const webhooks = new Hono();
  const channels = options.startChannels
    ? await options.startChannels({ config, core, outbox, inbox, app: webhooks, log, ...(options.channels ? { only: options.channels } : {}) })
    : [];
  const app = createApp(assistant, { desk, outbox, users, conversations, webhooks, trustProxy: config.TRUST_PROXY, channelStatus: () => channels.map((channel) => channel.status()) });
  const admin = options.startAdmin ? await options.startAdmin({ config, assistant, outbox, log }) : null;
  if ((await users.list()).length === 0) log.info('no dashboard users yet: add one with `zhiyin users add --role admin`');
  return {
    fetch: app.fetch,
    async prepare() {
      const started = performance.now();
      (await assistant.answerer()).search.prepare();
      // the message classifier (a 3.7 MB model) is read at its first use: read it now, not on the first student's message
      (await import('../answering/message-classifier.ts')).loadMessageClassifier();
      log.debug({ ms: Math.round(performance.now() - started) }, 'search prepared');
    },
    async stop() {
      await admin?.stop();
      for (const channel of channels) await channel.stop().catch(() => undefined);
      await outbox.stop();
      await assistant.close();
    },
  };
}
