import type { Logger } from 'pino';
import { Assistant } from '../assistant.ts';
import type { Config } from '../config.ts';
import type { Outbox } from '../escalation/outbox.ts';
import type { CommandHost } from './command-io.ts';
import { ConsoleRecipients, consoleChannel } from './console-relay.ts';

/** What `serve` has open that commands sent over the admin socket work with. */
export interface RunningServer {
  config: Config;
  assistant: Assistant;
  outbox: Outbox;
  log: Logger;
}

/**
 * Commands run inside the running server: they use its open store and warm answerer (nothing is
 * opened or closed per command), and a console chat's teachers' replies come from its outbox.
 * A command asking for another configuration (`eval` without the server's model) gets an
 * assistant of its own over the same database, kept for the next such command.
 */
export function serverHost(server: RunningServer): CommandHost {
  const others = new Map<string, Promise<Assistant>>();
  const consoles = new ConsoleRecipients();
  let consolesRegistered = false;
  const key = (config: Config): string => JSON.stringify(config);
  const serverKey = key(server.config);
  return {
    config: async () => server.config,
    async withAssistant(config, run) {
      if (config === server.config || key(config) === serverKey) return run(server.assistant);
      let other = others.get(key(config));
      if (!other) {
        // never closed: it shares the server's database, which the server closes
        other = Assistant.open(config, { db: server.assistant.db, log: server.log, skipInitialIngest: true });
        others.set(key(config), other);
        other.catch(() => others.delete(key(config)));
      }
      return run(await other);
    },
    async withOwnAssistant(config, run) {
      // not closed: closing an assistant closes its database, the server's
      return run(await Assistant.open(config, { db: server.assistant.db, log: server.log, skipInitialIngest: true }));
    },
    withDatabase: (run) => run(server.assistant.db),
    async relayConsole(_assistant, userId, deliver) {
      if (!consolesRegistered) {
        server.outbox.register(consoleChannel, consoles);
        consolesRegistered = true;
      }
      const detach = consoles.attach(userId, deliver);
      server.outbox.poke();
      return async () => detach();
    },
  };
}
