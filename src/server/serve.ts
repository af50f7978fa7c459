import { serve as serveHttp } from '@hono/node-server';
import type { Config } from '../config.ts';
import { Assistant } from '../assistant.ts';
import { createLogger } from '../log.ts';
import { createApp } from './app.ts';

/**
 * `zhiyin serve`: opens the core (ingesting `knowledge/` on first start), warms the answerer,
 * listens on PORT and shuts down cleanly on SIGINT/SIGTERM.
 */
export async function serve(config: Config): Promise<void> {
  const log = createLogger(config.LOG_LEVEL);
  const started = performance.now();
  const assistant = await Assistant.open(config, { log });
  await assistant.answerer();
  const app = createApp(assistant);
  const server = serveHttp({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
    log.info({ port: info.port, ms: Math.round(performance.now() - started) }, 'zhiyin is serving');
  });
  for (const channel of ['TELEGRAM_BOT_TOKEN', 'WECHATY_PUPPET'] as const) {
    if (config[channel]) log.warn({ channel }, 'channel configured but its adapter is not part of this build yet');
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      log.info('shutting down');
      server.close(() => resolve());
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await assistant.close();
}
