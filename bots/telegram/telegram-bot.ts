import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Api, Bot, GrammyError, HttpError, InputFile, type Context } from 'grammy';
import type { Chat, Message, User, UserFromGetMe } from 'grammy/types';
import { sequentialize } from '@grammyjs/runner';
import pino, { type Logger } from 'pino';
import type { Choice, InboundMessage, MessageKind, OutboundReply } from '../../src/conversation/types.ts';
import { Replies } from '../../src/prompts.ts';
import { addressedText, choiceFromData, choiceKeyboard, splitMessage } from './format.ts';
import { telegramChannel } from './intake.ts';
import { PossiblyDeliveredError, telegramRetries } from './retries.ts';

export { telegramChannel };

/** What the adapter needs from the conversation core (`ConversationCore` is one). */
export interface TelegramCore {
  handle(message: InboundMessage): Promise<{ replies: OutboundReply[]; handledAs: string }>;
}

/** One handled message, for metrics and the load bench (no text). */
export interface TelegramTurn {
  updateId: number;
  chatId: number;
  handledAs: string;
  replies: number;
  ms: number;
}

export interface TelegramBotOptions {
  token: string;
  core: TelegramCore;
  /** Bot API server root without a trailing slash (a local Bot API server, or the test fake). */
  apiRoot?: string;
  log?: Logger;
  /** Skip getMe (tests, webhook set-ups that know the bot). */
  botInfo?: UserFromGetMe;
  /** Called after each message the core handled and its replies were sent. */
  onTurn?: (turn: TelegramTurn) => void;
  /** Connections to the Bot API at most (kept alive; further calls wait for one); default 32. */
  maxConnections?: number;
  /**
   * Where replies go that Telegram would not take even after the automatic retries (an outage):
   * the outbox, which sends them later. Without it they are logged as lost.
   */
  undelivered?: { enqueue(channel: string, recipient: string, text: string): Promise<void> };
}

/** The update types the bot asks Telegram for (long polling and webhook). */
export const allowedUpdates = ['message', 'edited_message', 'callback_query'] as const;

/** Slash commands → the core's own commands; the menu Telegram shows (`setMyCommands`). */
export const telegramCommands: { command: string; text: string; description: string }[] = [
  { command: 'start', text: '帮助', description: '开始使用，看看我能做什么' },
  { command: 'help', text: '帮助', description: '帮助和菜单' },
  { command: 'plan', text: '职业规划', description: '做一次职业规划' },
  { command: 'myplan', text: '我的规划', description: '查看我的职业规划' },
  { command: 'human', text: '转人工', description: '请老师帮我（转人工）' },
  { command: 'restart', text: '重新开始', description: '重新开始对话' },
  { command: 'delete', text: '删除我的数据', description: '删除我在这里的全部数据' },
];

/** What the adapter itself says (everything else comes from the core). */
const channelTexts = new Replies(undefined, ['channels']);

/** What the adapter says itself (prompts/channels.zh.yaml); students on Telegram are addressed in Chinese. */
export const telegramTexts = {
  edited: channelTexts.render('zh', 'edited_message'),
  failed: channelTexts.render('zh', 'handling_failed'),
  staleButton: channelTexts.render('zh', 'stale_button'),
  choose: channelTexts.render('zh', 'choose'),
} as const;

const typingEveryMs = 4_500;
const rememberedKeyboards = 5_000;

/** Per bot: the updates being handled (stopping waits for them) and its connection pool. */
const internals = new WeakMap<Bot, { running: Set<Promise<unknown>>; agent: HttpAgent }>();

/** Resolves when every update the bot has started handling is done. */
export async function whenIdle(bot: Bot): Promise<void> {
  const running = internals.get(bot)?.running;
  while (running && running.size > 0) await Promise.allSettled([...running]);
}

/** Closes the bot's idle kept-alive connections (a later API call opens new ones). */
export function closeConnections(bot: Bot): void {
  internals.get(bot)?.agent.destroy();
}

/**
 * The conversation a Telegram message belongs to: the chat id in a private chat; in a group,
 * one conversation per student in that group (`<chat id>:<user id>`), so that two students in
 * one group never share a dialogue. `null` for chats the bot does not serve (channels).
 */
export function studentIdOf(chat: Pick<Chat, 'id' | 'type'>, from: Pick<User, 'id'> | undefined): string | null {
  if (chat.type === 'private') return String(chat.id);
  if ((chat.type === 'group' || chat.type === 'supergroup') && from) return `${chat.id}:${from.id}`;
  return null;
}

/** The kind of a student's message; `null` for service messages (members joined, pins…). */
export function kindOf(message: Message): MessageKind | null {
  if (message.text !== undefined) return 'text';
  if (message.sticker) return 'sticker';
  if (message.photo || message.animation) return 'image';
  if (message.video || message.video_note) return 'video';
  if (message.voice || message.audio) return 'voice';
  if (message.document) return message.document.mime_type?.startsWith('image/') ? 'image' : 'file';
  if (message.location || message.venue) return 'location';
  if (message.contact || message.poll || message.dice || message.game || message.story) return 'other';
  return null;
}

function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof PossiblyDeliveredError) return { ...describeError(error.httpError), errorName: error.name, method: error.method };
  if (error instanceof GrammyError) return { errorName: 'GrammyError', method: error.method, errorCode: error.error_code, description: error.description };
  if (error instanceof HttpError) {
    const cause = error.error as { code?: unknown; name?: unknown } | undefined;
    return { errorName: 'HttpError', cause: typeof cause?.code === 'string' ? cause.code : typeof cause?.name === 'string' ? cause.name : undefined };
  }
  // Other messages may quote what a student wrote: only the name is logged.
  return { errorName: error instanceof Error ? error.name : typeof error };
}

/**
 * Keeps "typing…" showing (Telegram clears it after 5 s) until the returned function is called;
 * that resolves once the last "typing" sent has been answered, so that no "typing…" arrives after
 * the answer (the student would see the bot typing for 5 s more) — "typing" is never retried.
 */
function keepTyping(api: Api, chatId: number): () => Promise<void> {
  let last: Promise<unknown> = Promise.resolve();
  const send = (): void => {
    last = api.sendChatAction(chatId, 'typing').catch(() => undefined);
  };
  send();
  const timer = setInterval(send, typingEveryMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await last;
  };
}

/**
 * Replies that did not all go out: `rest` is the text not sent (the parts after the failed one,
 * and the failed one itself unless it may have gone through — `possiblyDelivered`), for the
 * outbox; a document that was not sent is left out of it.
 */
export class UnsentRepliesError extends Error {
  override readonly name = 'UnsentRepliesError';

  constructor(
    readonly rest: string,
    readonly unsentMessages: number,
    readonly possiblyDelivered: boolean,
    readonly failure: unknown,
  ) {
    super(`telegram replies not sent: ${unsentMessages}`);
  }
}

/**
 * Sends the core's replies to one chat, in order: long text split at paragraph or line
 * boundaries, choices as an inline keyboard on the last part, a document as a file after its
 * text. Plain text (no parse_mode), so nothing needs escaping. `replyTo` (groups) makes the
 * first message a reply to the student's. A failure rejects with `UnsentRepliesError` (what is
 * left to send); a message that may have gone through is not counted in it.
 */
export async function sendReplies(
  api: Api,
  chatId: number,
  replies: OutboundReply[],
  options: { replyTo?: number; remember?: (chatId: number, messageId: number, choices: Choice[]) => void } = {},
): Promise<void> {
  let replyTo = options.replyTo;
  const replyParameters = (): object => (replyTo !== undefined ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } } : {});
  // every message to send, in order: its text (for the outbox, should it not go out) and how to send it
  const messages: { text: string; send: () => Promise<unknown> }[] = [];
  for (const reply of replies) {
    const choices = reply.choices ?? [];
    let parts = splitMessage(reply.text);
    if (parts.length === 0 && choices.length > 0) parts = [telegramTexts.choose];
    for (const [index, part] of parts.entries()) {
      const keyboard = index === parts.length - 1 && choices.length > 0 ? choiceKeyboard(choices) : null;
      messages.push({
        text: part,
        send: async () => {
          const sent = await api.sendMessage(chatId, part, {
            link_preview_options: { is_disabled: true },
            ...(keyboard ? { reply_markup: keyboard.keyboard } : {}),
            ...replyParameters(),
          });
          if (keyboard?.indexed) options.remember?.(chatId, sent.message_id, choices);
        },
      });
    }
    if (reply.document) {
      const { fileName, content } = reply.document;
      messages.push({ text: '', send: () => api.sendDocument(chatId, new InputFile(Buffer.from(content, 'utf8'), fileName), replyParameters()) });
    }
  }
  for (const [index, message] of messages.entries()) {
    try {
      await message.send();
    } catch (error) {
      const possiblyDelivered = error instanceof PossiblyDeliveredError;
      const unsent = messages.slice(possiblyDelivered ? index + 1 : index);
      const rest = unsent
        .map((left) => left.text)
        .filter((text) => text !== '')
        .join('\n\n');
      throw new UnsentRepliesError(rest, unsent.length, possiblyDelivered, error);
    }
    replyTo = undefined;
  }
}

/**
 * The Telegram channel as a grammY bot (not started: see `startTelegram`, or `telegramWebhook`).
 *
 * - Text goes to the core; `/start /help /plan /myplan /human /restart /delete` become the core's
 *   Chinese commands (帮助, 职业规划, 我的规划, 转人工, 重新开始, 删除我的数据).
 * - A pressed choice button sends the choice's value as the student's text (the keyboard is then
 *   removed, so a rating or a deletion cannot be pressed twice).
 * - Stickers, photos, voice, video, files and locations go to the core with their kind (a caption
 *   as their text), which asks for text.
 * - Edited messages are not re-read: in a private chat the student is told to send the new
 *   version; in groups they are ignored.
 * - In groups the bot answers only when @mentioned, replied to or sent one of its commands (the
 *   mention is taken out; a bare mention shows the menu), as a reply to the student's message;
 *   each student in a group has their own conversation (`<chat id>:<user id>`).
 * - Each message's id for the core's de-duplication is `<bot id>:<chat id>:<message id>` (a
 *   button press: `cb:<callback query id>`), so a redelivered update is answered once — also
 *   after a restart, and unlike update_id it never repeats (Telegram reseeds update_id after a
 *   week without updates).
 * - API calls retry on 429 (after `retry_after`) and 5xx; one chat's updates are handled in order.
 * - Logs ids, kinds, outcomes and timings — never message text.
 *
 * @example
 * const bot = createTelegramBot({ token, core, log });
 * const runner = run(bot);
 */
export function createTelegramBot(options: TelegramBotOptions): Bot {
  const log = options.log ?? pino({ level: 'silent' });
  const { core } = options;
  // A bounded pool of kept-alive connections: a burst of answers reuses them instead of opening
  // hundreds of new connections (and TLS handshakes) at once.
  const apiRoot = options.apiRoot ?? 'https://api.telegram.org';
  const pool = { keepAlive: true, maxSockets: options.maxConnections ?? 32 };
  const agent = apiRoot.startsWith('http:') ? new HttpAgent(pool) : new HttpsAgent(pool);
  const bot = new Bot(options.token, {
    client: { apiRoot, baseFetchConfig: agent instanceof HttpsAgent ? { agent, compress: true } : { agent } },
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
  });
  // Every attempt that failed is logged (inside telegramRetries, which is the outer transformer).
  bot.api.config.use(async (previous, method, payload, signal) => {
    try {
      const result = await previous(method, payload, signal);
      if (!result.ok) log.warn({ method, errorCode: result.error_code, retryAfter: result.parameters?.retry_after }, 'telegram api call failed');
      return result;
    } catch (error) {
      if (!signal?.aborted) log.warn({ method, ...describeError(error) }, 'telegram api unreachable');
      throw error;
    }
  });
  // 429 and 5xx retried; a send that may have gone through is not sent blindly again; "typing" never retried.
  bot.api.config.use(telegramRetries());

  const running = new Set<Promise<unknown>>();
  internals.set(bot, { running, agent });
  bot.use(async (_ctx, next) => {
    const handling = next();
    running.add(handling);
    try {
      await handling;
    } finally {
      running.delete(handling);
    }
  });
  bot.use(sequentialize((ctx: Context) => (ctx.chat ? String(ctx.chat.id) : undefined)));

  // Keyboards whose buttons carry an index (values too long for 64 bytes), newest last.
  const keyboards = new Map<string, Choice[]>();
  const remember = (chatId: number, messageId: number, choices: Choice[]): void => {
    keyboards.set(`${chatId}:${messageId}`, choices);
    if (keyboards.size > rememberedKeyboards) keyboards.delete(keyboards.keys().next().value!);
  };

  const turn = async (
    ctx: Context,
    input: { chat: Chat; userId: string; messageId: string; kind: MessageKind; text?: string; replyTo?: number },
  ): Promise<void> => {
    const started = performance.now();
    const updateId = ctx.update.update_id;
    const stopTyping = keepTyping(ctx.api, input.chat.id);
    let result: Awaited<ReturnType<TelegramCore['handle']>>;
    try {
      result = await core.handle({
        channel: telegramChannel,
        userId: input.userId,
        messageId: input.messageId,
        kind: input.kind,
        ...(input.text !== undefined && input.text !== '' ? { text: input.text } : {}),
      });
    } catch (error) {
      await stopTyping();
      log.error({ updateId, chatType: input.chat.type, ...describeError(error) }, 'core failed on a telegram message');
      await ctx.api.sendMessage(input.chat.id, telegramTexts.failed).catch(() => undefined);
      return;
    }
    await stopTyping();
    if (result.handledAs !== 'duplicate') {
      try {
        await sendReplies(ctx.api, input.chat.id, result.replies, { ...(input.replyTo !== undefined ? { replyTo: input.replyTo } : {}), remember });
      } catch (error) {
        if (!(error instanceof UnsentRepliesError)) throw error;
        // Telegram is down past the retries: the rest of the answer waits in the outbox. A message
        // that may have gone through (the connection failed after it was sent) is not sent again.
        const queued = Boolean(options.undelivered) && error.rest !== '';
        log.warn(
          { updateId, unsent: error.unsentMessages, possiblyDelivered: error.possiblyDelivered, queued, ...describeError(error.failure) },
          error.possiblyDelivered ? 'telegram reply may have been delivered: not sent again' : 'telegram replies not sent',
        );
        if (queued) await options.undelivered!.enqueue(telegramChannel, input.userId, error.rest).catch(() => undefined);
      }
    }
    const ms = Math.round((performance.now() - started) * 100) / 100;
    log.info({ updateId, chatType: input.chat.type, kind: input.kind, handledAs: result.handledAs, replies: result.replies.length, ms }, 'telegram message handled');
    options.onTurn?.({ updateId, chatId: input.chat.id, handledAs: result.handledAs, replies: result.replies.length, ms });
  };

  const messageKey = (ctx: Context, message: Message): string => `${ctx.me.id}:${message.chat.id}:${message.message_id}`;

  for (const { command, text } of telegramCommands) {
    bot.command(command, async (ctx) => {
      const message = ctx.message;
      if (!message) return; // a command in an edited message: see edited_message
      const userId = studentIdOf(message.chat, message.from);
      if (!userId || message.from?.is_bot) return;
      await turn(ctx, {
        chat: message.chat,
        userId,
        messageId: messageKey(ctx, message),
        kind: 'text',
        text,
        ...(message.chat.type === 'private' ? {} : { replyTo: message.message_id }),
      });
    });
  }

  bot.on('callback_query:data', async (ctx) => {
    const query = ctx.callbackQuery;
    const message = query.message;
    const remembered = message ? keyboards.get(`${message.chat.id}:${message.message_id}`) : undefined;
    const markup = message && 'reply_markup' in message ? message.reply_markup : undefined;
    const value = choiceFromData(query.data, remembered, markup);
    const userId = message ? studentIdOf(message.chat, query.from) : null;
    if (!message || !userId || value === null) {
      await ctx.answerCallbackQuery({ text: telegramTexts.staleButton }).catch(() => undefined);
      return;
    }
    await ctx.answerCallbackQuery().catch(() => undefined);
    await ctx.api.editMessageReplyMarkup(message.chat.id, message.message_id).catch(() => undefined);
    await turn(ctx, { chat: message.chat, userId, messageId: `cb:${query.id}`, kind: 'text', text: value });
  });

  bot.on('edited_message', async (ctx) => {
    const message = ctx.editedMessage;
    if (message.chat.type !== 'private') return;
    log.info({ updateId: ctx.update.update_id }, 'telegram edit not read');
    await ctx.api.sendMessage(message.chat.id, telegramTexts.edited, { reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true } });
  });

  bot.on('message', async (ctx) => {
    const message = ctx.message;
    const kind = kindOf(message);
    const userId = studentIdOf(message.chat, message.from);
    if (kind === null || userId === null || message.from?.is_bot) return;
    let text = message.text ?? message.caption;
    const group = message.chat.type !== 'private';
    if (group) {
      const addressed = addressedText(message, { id: ctx.me.id, username: ctx.me.username });
      if (addressed === null) return;
      // "@zhiyin_bot" alone asks for the menu.
      text = addressed === '' && kind === 'text' ? '帮助' : addressed;
    }
    await turn(ctx, {
      chat: message.chat,
      userId,
      messageId: messageKey(ctx, message),
      kind,
      ...(text !== undefined ? { text } : {}),
      ...(group ? { replyTo: message.message_id } : {}),
    });
  });

  bot.catch((error) => {
    log.error({ updateId: error.ctx.update.update_id, ...describeError(error.error) }, 'telegram update failed');
  });
  return bot;
}
