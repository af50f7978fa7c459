import type { Server } from 'node:http';
import { hostname } from 'node:os';
import { serve as serveHttp } from '@hono/node-server';
import type { Config } from '../config.ts';
import { Assistant } from '../assistant.ts';
import { Outbox } from '../escalation/outbox.ts';
import { TicketDesk } from '../escalation/tickets.ts';
import { createLogger } from '../log.ts';
import { createApp } from './app.ts';
import { UserStore } from './auth/users.ts';
import type { ChannelStatus } from './dashboard/channel-status.ts';
import { ConversationCore } from '../conversation/core.ts';
import { SqlConversationStore } from '../conversation/conversation-store.ts';
import { Inbox } from '../conversation/inbox.ts';
import { Hono } from 'hono';
import type { Logger } from 'pino';

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

/**
 * `zhiyin serve`: opens the core (ingesting `knowledge/` on first start), warms the answerer,
 * starts the outbox worker, listens on PORT (API and the teachers' dashboard) and shuts down
 * cleanly on SIGINT/SIGTERM.
 */
export async function serve(config: Config, options: ServeOptions = {}): Promise<void> {
  const log = createLogger(config.LOG_LEVEL);
  const started = performance.now();
  const assistant = await Assistant.open(config, { log });
  await assistant.answerer();
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
  const server = serveHttp({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
    log.info({ port: info.port, ms: Math.round(performance.now() - started) }, 'zhiyin is serving');
  });
  if ((await users.list()).length === 0) log.info('no dashboard users yet: add one with `zhiyin users add --role admin`');
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      log.info('shutting down');
      server.close(() => resolve());
      // Open dashboards hold live-update streams: end them so close() can finish.
      (server as Server).closeAllConnections?.();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await admin?.stop();
  for (const channel of channels) await channel.stop().catch(() => undefined);
  await outbox.stop();
  await assistant.close();
}
