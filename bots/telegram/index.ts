import { timingSafeEqual } from 'node:crypto';
import { webhookCallback, type Api, type Bot } from 'grammy';
import { run } from '@grammyjs/runner';
import type { Context as HonoContext } from 'hono';
import pino, { type Logger } from 'pino';
import type { ChannelSender } from '../../src/escalation/outbox.ts';
import { MemoryReplayGuard, type ReplayClaims } from '../../src/store/replay-guard.ts';
import { splitMessage } from './format.ts';
import { allowedUpdates, closeConnections, createTelegramBot, telegramChannel, telegramCommands, whenIdle, type TelegramBotOptions } from './telegram-bot.ts';

export {
  allowedUpdates,
  closeConnections,
  createTelegramBot,
  telegramChannel,
  telegramCommands,
  whenIdle,
  type TelegramBotOptions,
  type TelegramCore,
  type TelegramTurn,
} from './telegram-bot.ts';
export { splitMessage } from './format.ts';

/** Where the outbox can register a channel's sender (`Outbox` is one). */
export interface SenderRegistry {
  register(channel: string, sender: ChannelSender): void;
  /** Queues a message for later delivery (replies Telegram would not take during an outage). */
  enqueue?(channel: string, recipient: string, text: string): Promise<void>;
}

export interface StartTelegramOptions extends TelegramBotOptions {
  /** Registers the Telegram sender here, for teachers' replies. */
  outbox?: SenderRegistry;
  /** Long-poll timeout of getUpdates, seconds (default 30). */
  pollTimeoutSeconds?: number;
}

/** A running Telegram channel. */
export interface TelegramHandle {
  bot: Bot;
  /** Stops polling, waits for the messages being handled to be answered, closes idle connections. */
  stop(): Promise<void>;
}

/**
 * Sends a teacher's reply (from the escalation outbox) to a Telegram student. The recipient is
 * the conversation's user id: a chat id (private chat), or `<group chat id>:<user id>` for a
 * student who asked in a group — that reply goes to the student's private chat with the bot,
 * not to the group (it fails, and the outbox retries and finally marks it failed on the ticket,
 * when the student never started a private chat with the bot). Rejects when Telegram refuses.
 *
 * @example outbox.register('telegram', telegramSender(bot.api));
 */
export function telegramSender(api: Api): ChannelSender {
  return {
    async send(recipient: string, text: string): Promise<void> {
      const match = /^(-?\d+)(?::(\d+))?$/u.exec(recipient.trim());
      if (!match) throw new Error(`not a Telegram recipient: ${recipient}`);
      const chatId = Number(match[2] ?? match[1]);
      for (const part of splitMessage(text)) await api.sendMessage(chatId, part, { link_preview_options: { is_disabled: true } });
    },
  };
}

/**
 * Starts the Telegram channel with long polling (grammY runner: concurrent across chats, in
 * order within a chat). Checks the token (getMe), removes a webhook if one is set (keeping
 * pending updates: nothing is dropped — updates that came while the bot was down are answered,
 * and the core's de-duplication answers a redelivered one once), publishes the command menu and
 * registers the outbox sender. Rejects when the token is wrong.
 *
 * @example
 * const telegram = await startTelegram({ token: config.TELEGRAM_BOT_TOKEN, core, outbox, log });
 * process.once('SIGTERM', () => void telegram.stop());
 */
export async function startTelegram(options: StartTelegramOptions): Promise<TelegramHandle> {
  const log = options.log ?? pino({ level: 'silent' });
  const outbox = options.outbox;
  const bot = createTelegramBot({ ...options, log, ...(outbox?.enqueue ? { undelivered: { enqueue: (...args) => outbox.enqueue!(...args) } } : {}) });
  await bot.init();
  await bot.api.deleteWebhook({ drop_pending_updates: false });
  await bot.api
    .setMyCommands(telegramCommands.map(({ command, description }) => ({ command, description })))
    .catch(() => log.warn('telegram command menu not set'));
  options.outbox?.register(telegramChannel, telegramSender(bot.api));
  const runner = run(bot, {
    runner: { fetch: { allowed_updates: [...allowedUpdates], timeout: options.pollTimeoutSeconds ?? 30 }, silent: true },
  });
  runner.task()?.catch((error: unknown) => {
    log.error({ errorName: error instanceof Error ? error.name : typeof error }, 'telegram polling stopped');
  });
  log.info({ bot: bot.botInfo.username }, 'telegram polling');
  return {
    bot,
    async stop() {
      await runner.stop()?.catch(() => undefined);
      await whenIdle(bot);
      closeConnections(bot);
      log.info('telegram stopped');
    },
  };
}

/**
 * The Telegram webhook as a Hono handler: `app.post('/telegram/webhook', telegramWebhook(bot, secret))`.
 * A request without the right `X-Telegram-Bot-Api-Secret-Token` header gets 401. Telegram is
 * answered 200 once the message is handled, or after 10 s while it still is (a slow answer is
 * not redelivered; a redelivery would be answered once anyway).
 *
 * An update_id already handled (claimed in `replays` for `replayWindowSeconds`, default 24 h —
 * Telegram keeps an undelivered update that long) is answered 200 and not handled again: not
 * even the parts the core's message de-duplication does not cover (edited messages, button
 * presses). It is claimed after the secret check, before handling; a claim whose handling threw
 * is given back, so Telegram's redelivery is handled. Keys are `<bot id>:<update_id>`.
 *
 * @example
 * const bot = createTelegramBot({ token, core, log });
 * await prepareTelegramWebhook(bot, { url: 'https://example.edu/telegram/webhook', secretToken });
 * app.post('/telegram/webhook', telegramWebhook(bot, secretToken, { replays: new ReplayGuard(db), log }));
 */
export function telegramWebhook(
  bot: Bot,
  secretToken: string,
  options: { replays?: ReplayClaims; replayWindowSeconds?: number; log?: Logger; now?: () => Date } = {},
): (c: HonoContext) => Promise<Response> {
  if (!/^[A-Za-z0-9_-]{1,256}$/u.test(secretToken)) throw new Error('the Telegram webhook secret must be 1–256 characters of A–Z, a–z, 0–9, _ and -');
  const now = options.now ?? (() => new Date());
  const replays = options.replays ?? new MemoryReplayGuard(now);
  const windowMs = (options.replayWindowSeconds ?? 24 * 60 * 60) * 1000;
  const log = options.log ?? pino({ level: 'silent' });
  const botId = bot.token.split(':')[0] ?? '';
  const expected = Buffer.from(secretToken, 'utf8');
  const callback = webhookCallback(bot, 'hono', { secretToken, onTimeout: 'return', timeoutMilliseconds: 10_000 });
  return async (c) => {
    // The secret first: an unauthenticated request must not claim (and so block) an update_id.
    const given = Buffer.from(c.req.header('x-telegram-bot-api-secret-token') ?? '', 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return c.text('secret token is wrong', 401);
    let updateId: unknown;
    try {
      updateId = ((await c.req.json()) as { update_id?: unknown } | null)?.update_id;
    } catch {
      return c.text('bad request', 400);
    }
    if (typeof updateId !== 'number' || !Number.isSafeInteger(updateId)) return c.text('bad request', 400);
    const key = `${botId}:${updateId}`;
    if (!(await replays.claim(telegramUpdateScope, key, new Date(now().getTime() + windowMs)))) {
      log.info({ updateId }, 'telegram update already handled: not handled again');
      return c.body('', 200);
    }
    try {
      // grammY reads the update again from Hono's cached body.
      return await callback(c);
    } catch (error) {
      await replays.release(telegramUpdateScope, key).catch(() => undefined);
      throw error;
    }
  };
}

/** The scope of Telegram update_ids among the remembered webhook requests. */
export const telegramUpdateScope = 'telegram-update';

/** Points Telegram at the webhook (keeping pending updates) and publishes the command menu. */
export async function prepareTelegramWebhook(bot: Bot, { url, secretToken }: { url: string; secretToken: string }): Promise<void> {
  await bot.init();
  await bot.api.setMyCommands(telegramCommands.map(({ command, description }) => ({ command, description })));
  await bot.api.setWebhook(url, { secret_token: secretToken, allowed_updates: [...allowedUpdates], drop_pending_updates: false });
}
