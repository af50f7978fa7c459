import type { Config } from '../config.ts';
import type { CommandHost } from './command-io.ts';

/**
 * Commands run in this process: each opens the store (taking the data directory's lock) and
 * closes it however it ends. Every module is imported when first needed.
 *
 * @example await runCommand(argv, processIo(), directHost(async () => (await import('../config.ts')).loadConfig()));
 */
export function directHost(config: () => Promise<Config>): CommandHost {
  const host: CommandHost = {
    config,
    withOwnAssistant: (config, run) => host.withAssistant(config, run),
    async withAssistant(config, run, skipInitialIngest = false) {
      const { Assistant } = await import('../assistant.ts');
      const { createLogger } = await import('../log.ts');
      const assistant = await Assistant.open(config, { log: createLogger(config.LOG_LEVEL), skipInitialIngest });
      try {
        return await run(assistant);
      } finally {
        await assistant.close();
      }
    },
    async withDatabase(run) {
      const settings = await config();
      const { openDatabase } = await import('../store/database.ts');
      const { isMigrated, migrate } = await import('../store/migrate.ts');
      // The store alone (users): a migrated embedded database opens without pgvector; one still to
      // migrate is opened again with it, for the migrations' vector columns.
      let db = await openDatabase(settings.DATABASE_URL ? { url: settings.DATABASE_URL } : { dataDir: settings.ZHIYIN_DATA_DIR, vectors: false });
      if (db.kind === 'pglite') {
        let migrated = false;
        try {
          migrated = await isMigrated(db);
        } finally {
          if (!migrated) await db.close();
        }
        if (!migrated) db = await openDatabase({ dataDir: settings.ZHIYIN_DATA_DIR });
      }
      try {
        const { applied } = await migrate(db);
        if (applied.length > 0) {
          const { createLogger } = await import('../log.ts');
          createLogger(settings.LOG_LEVEL).info({ applied }, 'database migrated');
        }
        return await run(db);
      } finally {
        await db.close();
      }
    },
    async relayConsole(assistant, userId, deliver) {
      const { Outbox } = await import('../escalation/outbox.ts');
      const { ConsoleRecipients, consoleChannel } = await import('./console-relay.ts');
      const consoles = new ConsoleRecipients();
      consoles.attach(userId, deliver);
      const outbox = new Outbox(assistant.db, { log: assistant.log });
      outbox.register(consoleChannel, consoles);
      outbox.start();
      return () => outbox.stop();
    },
  };
  return host;
}
