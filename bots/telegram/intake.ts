import { BotError, GrammyError, HttpError, type Api, type Bot } from 'grammy';
import type { Update } from 'grammy/types';
import pino, { type Logger } from 'pino';
import type { Inbox, InboxHandler } from '../../src/conversation/inbox.ts';

/** The channel name the core, the store, the inbox and the outbox know Telegram by. */
export const telegramChannel = 'telegram';

/**
 * The key an update is stored under in the inbox, and the conversation it stays in order with.
 * A message's key is the core's message id (`<bot id>:<chat id>:<message id>`), a button press's
 * `cb:<callback query id>`, an edit's the message's plus its edit date: a redelivered update gets
 * the same key, and unlike update_id it never repeats (Telegram reseeds update_id after a week
 * without updates). Updates stay in order per chat, as grammY's sequentialize keeps them.
 */
export function inboxKeyOf(botId: number, update: Update): { externalId: string; conversationKey: string } {
  if (update.message) {
    const { chat, message_id: messageId } = update.message;
    return { externalId: `${botId}:${chat.id}:${messageId}`, conversationKey: String(chat.id) };
  }
  if (update.edited_message) {
    const { chat, message_id: messageId, edit_date: editDate } = update.edited_message;
    return { externalId: `edit:${botId}:${chat.id}:${messageId}:${editDate ?? 0}`, conversationKey: String(chat.id) };
  }
  if (update.callback_query) {
    const chat = update.callback_query.message?.chat.id;
    return { externalId: `cb:${update.callback_query.id}`, conversationKey: chat === undefined ? `user:${update.callback_query.from.id}` : String(chat) };
  }
  return { externalId: `update:${botId}:${update.update_id}`, conversationKey: 'other' };
}

/**
 * Handles an update taken from the inbox with the bot's middleware (commands, buttons, edits,
 * the core's turn and its replies). A failure is rethrown unwrapped, for the inbox to retry.
 */
export function telegramInboxHandler(bot: Bot): InboxHandler<Update> {
  return async ({ payload }) => {
    if (!bot.isInited()) await bot.init();
    try {
      await bot.handleUpdate(payload);
    } catch (error) {
      throw error instanceof BotError ? error.error : error;
    }
  };
}

export interface PollOptions {
  api: Api;
  inbox: Inbox;
  botId: number;
  /** Update types to ask for. */
  allowedUpdates: readonly string[];
  /** Long-poll timeout of getUpdates, seconds. */
  timeoutSeconds: number;
  log?: Logger;
}

/** A running poll loop. */
export interface Poller {
  /** Ends the long poll; resolves when the loop has stopped (updates not yet confirmed come again). */
  stop(): Promise<void>;
  /** Settles when the loop ends by itself (Telegram refused the token). */
  readonly done: Promise<void>;
}

const describe = (error: unknown): Record<string, unknown> =>
  error instanceof GrammyError
    ? { errorName: 'GrammyError', errorCode: error.error_code }
    : { errorName: error instanceof HttpError ? 'HttpError' : error instanceof Error ? error.name : typeof error };

/**
 * Long polling that confirms only what is stored: every update of a getUpdates batch is stored
 * in the inbox (committed) before the next call's offset confirms it to Telegram. A crash at any
 * point leaves each update either in the inbox or still queued at Telegram, which hands it out
 * again; the inbox stores a repeat once. Handling runs from the inbox, not from this loop, so a
 * slow answer never holds up intake. Network failures are retried with a growing pause (up to
 * 30 s); a wrong token (401) ends the loop.
 *
 * @example
 * const poller = pollIntoInbox({ api: bot.api, inbox, botId: bot.botInfo.id, allowedUpdates, timeoutSeconds: 30 });
 * await poller.stop();
 */
export function pollIntoInbox(options: PollOptions): Poller {
  const log = options.log ?? pino({ level: 'silent' });
  const abort = new AbortController();
  let offset = 0;
  let pauseMs = 0;
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      abort.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  const loop = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      let updates: Update[];
      try {
        updates = await options.api.getUpdates(
          { offset, timeout: options.timeoutSeconds, allowed_updates: [...options.allowedUpdates] as never },
          // grammY types its signal with the abort-controller shim; Node's is the same at run time
          abort.signal as Parameters<Api['getUpdates']>[1],
        );
        pauseMs = 0;
      } catch (error) {
        if (abort.signal.aborted) return;
        if (error instanceof GrammyError && error.error_code === 401) {
          log.error(describe(error), 'telegram polling stopped: the token was refused');
          return;
        }
        pauseMs = Math.min(30_000, Math.max(1_000, pauseMs * 2));
        log.warn({ ...describe(error), pauseMs }, 'telegram getUpdates failed: polling again after a pause');
        await pause(pauseMs);
        continue;
      }
      try {
        for (const update of updates) {
          const { externalId, conversationKey } = inboxKeyOf(options.botId, update);
          const receipt = await options.inbox.receive(telegramChannel, externalId, conversationKey, update);
          if (receipt !== 'new') log.info({ updateId: update.update_id, receipt }, 'telegram update received before: not handled again');
          // Only now may the next getUpdates confirm it.
          offset = update.update_id + 1;
        }
      } catch (error) {
        // The database refused: what is stored is confirmed, the rest comes again.
        pauseMs = Math.min(30_000, Math.max(1_000, pauseMs * 2));
        log.error({ ...describe(error), pauseMs }, 'telegram updates not stored: asking again after a pause');
        await pause(pauseMs);
      }
    }
  };
  const done = loop();
  return {
    done,
    async stop() {
      abort.abort();
      await done;
    },
  };
}
