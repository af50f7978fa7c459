import { timingSafeEqual } from 'node:crypto';
import type { Api, Bot } from 'grammy';
import type { Update } from 'grammy/types';
import type { Context as HonoContext } from 'hono';
import pino, { type Logger } from 'pino';
import { PartlyDeliveredError, type ChannelSender } from '../../src/escalation/outbox.ts';
import type { Inbox } from '../../src/conversation/inbox.ts';
import { splitMessage } from './format.ts';
import { inboxKeyOf, pollIntoInbox, telegramInboxHandler } from './intake.ts';
import { PossiblyDeliveredError } from './retries.ts';
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
export { inboxKeyOf, pollIntoInbox, telegramInboxHandler } from './intake.ts';
export { PossiblyDeliveredError, telegramRetries } from './retries.ts';

/** Where the outbox can register a channel's sender (`Outbox` is one). */
export interface SenderRegistry {
  register(channel: string, sender: ChannelSender): void;
  /** Queues a message for later delivery (replies Telegram would not take during an outage). */
  enqueue?(channel: string, recipient: string, text: string): Promise<void>;
}

export interface StartTelegramOptions extends TelegramBotOptions {
  /** Where updates are stored before Telegram is told they arrived, and handled from. */
  inbox: Inbox;
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
 * when the student never started a private chat with the bot). Rejects when Telegram refuses; when
 * a later part fails, or a part may have gone through (`PossiblyDeliveredError`), with
 * `PartlyDeliveredError` carrying the parts still to send (the outbox sends only those again).
 *
 * @example outbox.register('telegram', telegramSender(bot.api));
 */
export function telegramSender(api: Api, options: { log?: Logger } = {}): ChannelSender {
  const log = options.log ?? pino({ level: 'silent' });
  return {
    async send(recipient: string, text: string): Promise<void> {
      const match = /^(-?\d+)(?::(\d+))?$/u.exec(recipient.trim());
      if (!match) throw new Error(`not a Telegram recipient: ${recipient}`);
      const chatId = Number(match[2] ?? match[1]);
      const parts = splitMessage(text);
      for (const [index, part] of parts.entries()) {
        try {
          await api.sendMessage(chatId, part, { link_preview_options: { is_disabled: true } });
        } catch (error) {
          const possiblyDelivered = error instanceof PossiblyDeliveredError;
          if (index === 0 && !possiblyDelivered) throw error;
          // what went out (or may have) is not sent again: the outbox retries the rest only
          log.warn({ part: index + 1, parts: parts.length, possiblyDelivered }, 'telegram message sent in part');
          throw new PartlyDeliveredError(parts.slice(possiblyDelivered ? index + 1 : index).join('\n\n'), (error as Error).message);
        }
      }
    },
  };
}

/**
 * Starts the Telegram channel with long polling into the inbox (`pollIntoInbox`: an update is
 * confirmed to Telegram only once it is stored) and handles updates from the inbox (concurrent
 * across chats, in order within a chat), first those a stopped process left unfinished. Checks
 * the token (getMe), removes a webhook if one is set (keeping pending updates: nothing is
 * dropped), publishes the command menu and registers the outbox sender. Rejects when the token is
 * wrong.
 *
 * @example
 * const telegram = await startTelegram({ token: config.TELEGRAM_BOT_TOKEN, core, inbox, outbox, log });
 * process.once('SIGTERM', () => void telegram.stop());
 */
export async function startTelegram(options: StartTelegramOptions): Promise<TelegramHandle> {
  const log = options.log ?? pino({ level: 'silent' });
  const { outbox, inbox } = options;
  const bot = createTelegramBot({ ...options, log, ...(outbox?.enqueue ? { undelivered: { enqueue: (...args) => outbox.enqueue!(...args) } } : {}) });
  await bot.init();
  await bot.api.deleteWebhook({ drop_pending_updates: false });
  await bot.api
    .setMyCommands(telegramCommands.map(({ command, description }) => ({ command, description })))
    .catch(() => log.warn('telegram command menu not set'));
  options.outbox?.register(telegramChannel, telegramSender(bot.api, { log }));
  await inbox.start(telegramChannel, telegramInboxHandler(bot));
  const poller = pollIntoInbox({
    api: bot.api,
    inbox,
    botId: bot.botInfo.id,
    allowedUpdates,
    timeoutSeconds: options.pollTimeoutSeconds ?? 30,
    log,
  });
  log.info({ bot: bot.botInfo.username }, 'telegram polling');
  return {
    bot,
    async stop() {
      await poller.stop();
      await inbox.stop(telegramChannel);
      await whenIdle(bot);
      closeConnections(bot);
      log.info('telegram stopped');
    },
  };
}

/**
 * The Telegram webhook as a Hono handler: `app.post('/telegram/webhook', telegramWebhook(bot, secret, { inbox }))`.
 * A request without the right `X-Telegram-Bot-Api-Secret-Token` header gets 401 (and stores
 * nothing); a body that is not an update, 400. An update is stored in the inbox and answered 200
 * once the row is committed — handling runs from the inbox (`inbox.start(telegramChannel,
 * telegramInboxHandler(bot))`), so a crash after the 200 loses nothing. An update stored before
 * (Telegram retried, or a replay; also on another instance of the database) is answered 200 and
 * not handled again: the inbox keys it by message (`inboxKeyOf`), button presses and edits
 * included.
 *
 * @example
 * const bot = createTelegramBot({ token, core, log });
 * await prepareTelegramWebhook(bot, { url: 'https://example.edu/telegram/webhook', secretToken });
 * await inbox.start(telegramChannel, telegramInboxHandler(bot));
 * app.post('/telegram/webhook', telegramWebhook(bot, secretToken, { inbox, log }));
 */
export function telegramWebhook(bot: Bot, secretToken: string, options: { inbox: Inbox; log?: Logger }): (c: HonoContext) => Promise<Response> {
  if (!/^[A-Za-z0-9_-]{1,256}$/u.test(secretToken)) throw new Error('the Telegram webhook secret must be 1–256 characters of A–Z, a–z, 0–9, _ and -');
  const log = options.log ?? pino({ level: 'silent' });
  const botId = Number(bot.token.split(':')[0]);
  const expected = Buffer.from(secretToken, 'utf8');
  return async (c) => {
    // The secret first: an unauthenticated request must not store (and so block) an update.
    const given = Buffer.from(c.req.header('x-telegram-bot-api-secret-token') ?? '', 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return c.text('secret token is wrong', 401);
    let update: Update;
    try {
      update = (await c.req.json()) as Update;
    } catch {
      return c.text('bad request', 400);
    }
    if (typeof update?.update_id !== 'number' || !Number.isSafeInteger(update.update_id)) return c.text('bad request', 400);
    const { externalId, conversationKey } = inboxKeyOf(botId, update);
    const receipt = await options.inbox.receive(telegramChannel, externalId, conversationKey, update);
    if (receipt !== 'new') log.info({ updateId: update.update_id, receipt }, 'telegram update received before: not handled again');
    return c.body('', 200);
  };
}

/** Points Telegram at the webhook (keeping pending updates) and publishes the command menu. */
export async function prepareTelegramWebhook(bot: Bot, { url, secretToken }: { url: string; secretToken: string }): Promise<void> {
  await bot.init();
  await bot.api.setMyCommands(telegramCommands.map(({ command, description }) => ({ command, description })));
  await bot.api.setWebhook(url, { secret_token: secretToken, allowed_updates: [...allowedUpdates], drop_pending_updates: false });
}
