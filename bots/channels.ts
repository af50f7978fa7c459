import type { ServeChannelContext } from '../src/server/serve.ts';

/** What `zhiyin serve` hands the channel adapters: the core, the outbox, the HTTP app (for webhooks). */
export type ChannelContext = ServeChannelContext;

/** A started channel. */
export interface RunningChannel {
  name: string;
  stop(): Promise<void>;
}

/** The channels this build knows, and whether the configuration asks for each. */
export const knownChannels = ['telegram'] as const;

const wanted = (context: ChannelContext, name: string): boolean => context.only === undefined || context.only.includes(name);

/**
 * Starts every configured channel: Telegram when `TELEGRAM_BOT_TOKEN` is set (long polling, or a
 * webhook at `/telegram/webhook` when `TELEGRAM_WEBHOOK_URL` is set). A channel that cannot start
 * (a wrong token, no network) is logged and left out; the server and the other channels go on.
 *
 * @example const channels = await startChannels({ config, core, outbox, app, log });
 */
export async function startChannels(context: ChannelContext): Promise<RunningChannel[]> {
  const { config, log } = context;
  const running: RunningChannel[] = [];
  if (context.only) {
    for (const name of context.only) if (!(knownChannels as readonly string[]).includes(name)) throw new Error(`unknown channel "${name}" (known: ${knownChannels.join(', ')})`);
  }
  if (config.TELEGRAM_BOT_TOKEN && wanted(context, 'telegram')) {
    try {
      running.push(await startTelegramChannel(context, config.TELEGRAM_BOT_TOKEN));
    } catch (error) {
      log.error({ channel: 'telegram', errorName: (error as Error).name, error: (error as Error).message }, 'channel did not start');
    }
  } else if (context.only?.includes('telegram')) {
    log.warn({ channel: 'telegram' }, 'channel asked for but TELEGRAM_BOT_TOKEN is not set');
  }
  if (config.WECHATY_PUPPET && wanted(context, 'wechat')) log.warn({ channel: 'wechat' }, 'channel configured but its adapter is not part of this build yet');
  return running;
}

async function startTelegramChannel(context: ChannelContext, token: string): Promise<RunningChannel> {
  const { config, core, outbox, app, log } = context;
  const telegram = await import('./telegram/index.ts');
  const apiRoot = config.TELEGRAM_API_ROOT;
  if (config.TELEGRAM_WEBHOOK_URL) {
    const secretToken = config.TELEGRAM_WEBHOOK_SECRET;
    if (!secretToken) throw new Error('TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_WEBHOOK_URL');
    const bot = telegram.createTelegramBot({ token, core, log, ...(apiRoot ? { apiRoot } : {}) });
    app.post('/telegram/webhook', telegram.telegramWebhook(bot, secretToken));
    await telegram.prepareTelegramWebhook(bot, { url: config.TELEGRAM_WEBHOOK_URL, secretToken });
    outbox.register(telegram.telegramChannel, telegram.telegramSender(bot.api));
    log.info({ channel: 'telegram', mode: 'webhook' }, 'channel started');
    return { name: 'telegram', stop: async () => telegram.whenIdle(bot) };
  }
  const handle = await telegram.startTelegram({ token, core, outbox, log, ...(apiRoot ? { apiRoot } : {}) });
  log.info({ channel: 'telegram', mode: 'polling' }, 'channel started');
  return { name: 'telegram', stop: () => handle.stop() };
}
