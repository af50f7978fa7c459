import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InlineKeyboardMarkup, Message, MessageEntity, Update, UserFromGetMe } from 'grammy/types';

/**
 * Test support: a local fake of the Telegram Bot API over real HTTP on 127.0.0.1, enough for
 * the zhiyin bot — getMe, getUpdates (long polling; updates stay queued until a later call's
 * offset confirms them, as on Telegram), deleteWebhook, setWebhook, setMyCommands, sendMessage,
 * sendDocument (multipart), sendChatAction, answerCallbackQuery, editMessageReplyMarkup.
 * It records what the bot sent per chat, can fail the next calls of a method (429 with
 * retry_after, 500, or an answer lost after the call was carried out), and makes updates the way Telegram does (entities for commands and
 * @mentions, per-chat message ids shared by both sides).
 *
 * @example
 * const fake = await FakeBotApi.start();
 * const bot = createTelegramBot({ token: fake.token, core, apiRoot: fake.url });
 * fake.pushText(42, '实习押金');
 * const [reply] = await fake.waitForMessages(42, 1);
 * await fake.close();
 */

/** A message the bot sent, as the fake recorded it. */
export interface SentMessage {
  messageId: number;
  chatId: number;
  method: 'sendMessage' | 'sendDocument';
  text?: string;
  replyMarkup?: InlineKeyboardMarkup;
  replyTo?: number;
  parseMode?: string;
  document?: { fileName: string; mimeType: string; content: string; caption?: string };
  /** `performance.now()` when recorded. */
  at: number;
}

/** A chat action the bot sent ("typing"), as the fake recorded it. */
export interface ChatAction {
  chatId: number;
  action: string;
  /** `performance.now()` when recorded. */
  at: number;
}

/** A failure the fake returns instead of handling a call. */
export type InjectedFailure =
  | { status: 429; retryAfter: number }
  | { status: 500 }
  | { status: 400; description: string }
  /** The call is carried out (a message is delivered), then the connection drops before the answer: the bot cannot tell. */
  | { status: 'answer-lost' };

interface Waiter {
  response: ServerResponse;
  offset: number;
  limit: number;
  allowed: string[] | null;
  timer: NodeJS.Timeout;
}

interface Queued {
  update: Update;
  /** A redelivery: handed out even below the confirmed offset, until it has been handed out once. */
  forced: boolean;
  handedOut: boolean;
  pushedAt: number;
}

interface UploadedFile {
  name: string;
  type: string;
  data: Buffer;
}

/**
 * The parts of a multipart/form-data body. Tolerant the way Telegram is: grammY writes
 * `content-disposition:form-data;name="x";filename=名字.md` (no spaces, an unquoted UTF-8 file
 * name), which stricter parsers (undici's FormData) refuse.
 */
function multipartParts(body: Buffer, boundary: string): { name: string; fileName?: string; contentType: string; data: Buffer }[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: { name: string; fileName?: string; contentType: string; data: Buffer }[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const from = start + delimiter.length;
    if (body.subarray(from, from + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, from);
    if (next === -1) break;
    let part = body.subarray(from, next);
    if (part.subarray(0, 2).toString() === '\r\n') part = part.subarray(2);
    if (part.subarray(-2).toString() === '\r\n') part = part.subarray(0, -2);
    const split = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, split).toString('utf8');
    const data = part.subarray(split + 4);
    const name = /name="([^"]*)"/iu.exec(headers)?.[1] ?? '';
    const fileName = /filename=(?:"([^"]*)"|([^;\r\n]*))/iu.exec(headers);
    const contentType = /content-type:\s*([^;\r\n]+)/iu.exec(headers)?.[1]?.trim() ?? 'application/octet-stream';
    parts.push({ name, ...(fileName ? { fileName: (fileName[1] ?? fileName[2] ?? '').trim() } : {}), contentType, data });
    start = next;
  }
  return parts;
}

const studentName = (id: number) => ({ id, is_bot: false as const, first_name: `学生${id}`, language_code: 'zh-hans' });

function typeOf(update: Update): string {
  return Object.keys(update).find((key) => key !== 'update_id') ?? 'unknown';
}

/** Entities Telegram would add: a command at the start, @mentions anywhere. */
function entitiesOf(text: string): MessageEntity[] {
  const entities: MessageEntity[] = [];
  const command = /^\/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?/u.exec(text);
  if (command) entities.push({ type: 'bot_command', offset: 0, length: command[0].length });
  for (const match of text.matchAll(/@[A-Za-z0-9_]{5,32}/gu)) {
    if (command && match.index < command[0].length) continue;
    entities.push({ type: 'mention', offset: match.index, length: match[0].length });
  }
  return entities;
}

export class FakeBotApi {
  readonly token: string;
  readonly bot: UserFromGetMe;
  /** Every call, in order: method and HTTP status. */
  readonly calls: { method: string; status: number }[] = [];
  readonly chatActions: ChatAction[] = [];
  readonly callbackAnswers: { id: string; text?: string }[] = [];
  readonly markupEdits: { chatId: number; messageId: number; replyMarkup?: InlineKeyboardMarkup }[] = [];
  commands: { command: string; description: string }[] | null = null;
  webhook: { url: string; secretToken?: string } | null = null;

  readonly #server: Server;
  #url = '';
  #queue: Queued[] = [];
  #nextUpdateId = 700_000;
  #nextCallbackId = 1;
  #waiter: Waiter | null = null;
  readonly #failures: { method: string; failure: InjectedFailure; times: number }[] = [];
  readonly #sent = new Map<number, SentMessage[]>();
  readonly #timeline = new Map<number, (SentMessage | ChatAction)[]>();
  readonly #messages = new Map<string, Message>();
  readonly #nextMessageId = new Map<number, number>();
  readonly #pushedAt = new Map<number, number>();

  private constructor(token: string, username: string) {
    this.token = token;
    this.bot = {
      id: 7_000_001,
      is_bot: true,
      first_name: '职引',
      username,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
    } as UserFromGetMe;
    this.#server = createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) this.#reply(response, 500, { ok: false, error_code: 500, description: `fake: ${(error as Error).message}` });
      });
    });
  }

  /** Starts the fake on 127.0.0.1 at a free port. */
  static async start(options: { token?: string; username?: string } = {}): Promise<FakeBotApi> {
    const fake = new FakeBotApi(options.token ?? '123456:TEST-token_for-the-fake', options.username ?? 'zhiyin_test_bot');
    // Keep idle connections open like api.telegram.org does: with Node's 5 s default the server
    // closes sockets that grammY's keep-alive agent is about to reuse (ECONNRESET, then retries).
    fake.#server.keepAliveTimeout = 10 * 60_000;
    // A deep accept queue: a burst of hundreds of new connections (the load bench) would
    // otherwise overflow Node's default of 511 and wait for SYN retransmits (1 s, 3 s, 7 s…).
    await new Promise<void>((resolve) => fake.#server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
    fake.#url = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  /** The apiRoot to give grammY (`client: { apiRoot }`). */
  get url(): string {
    return this.#url;
  }

  async close(): Promise<void> {
    if (this.#waiter) this.#answerWaiter([]);
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  // ── what tests do to it ────────────────────────────────────────────────────────────────

  /** The next `times` calls of `method` fail with `failure`. */
  failNext(method: string, failure: InjectedFailure, times = 1): void {
    this.#failures.push({ method, failure, times });
  }

  /** Queues an update (its update_id assigned) and hands it to a waiting getUpdates. */
  pushUpdate(content: Omit<Update, 'update_id'>): Update {
    const update = { update_id: this.#nextUpdateId++, ...content } as Update;
    this.#enqueue(update, false);
    return update;
  }

  /**
   * Delivers `update` again with its own update_id, as Telegram does when a bot stopped before
   * confirming it (and as a webhook retry does) — handed out even below the confirmed offset.
   */
  redeliver(update: Update): void {
    this.#enqueue(structuredClone(update), true);
  }

  /** A student's message in a private chat (chat id = user id). */
  pushText(chatId: number, text: string): Update {
    return this.pushMessage(chatId, { text, entities: entitiesOf(text) });
  }

  /** A student's message in a group (`@username` in the text becomes a mention). */
  pushGroupText(chatId: number, fromId: number, text: string, options: { replyTo?: number } = {}): Update {
    return this.pushMessage(chatId, { text, entities: entitiesOf(text) }, { fromId, chatType: 'supergroup', ...options });
  }

  pushSticker(chatId: number): Update {
    return this.pushMessage(chatId, {
      sticker: { file_id: 'sticker-1', file_unique_id: 'u-sticker-1', type: 'regular', width: 512, height: 512, is_animated: false, is_video: false, emoji: '👍' },
    });
  }

  pushPhoto(chatId: number, caption?: string): Update {
    return this.pushMessage(chatId, {
      photo: [{ file_id: 'photo-1', file_unique_id: 'u-photo-1', width: 90, height: 90 }],
      ...(caption ? { caption, caption_entities: entitiesOf(caption) } : {}),
    });
  }

  pushVoice(chatId: number): Update {
    return this.pushMessage(chatId, { voice: { file_id: 'voice-1', file_unique_id: 'u-voice-1', duration: 3 } });
  }

  pushLocation(chatId: number): Update {
    return this.pushMessage(chatId, { location: { latitude: 41.8, longitude: 123.4 } });
  }

  pushDocument(chatId: number, fileName: string, mimeType = 'application/pdf'): Update {
    return this.pushMessage(chatId, { document: { file_id: 'doc-1', file_unique_id: 'u-doc-1', file_name: fileName, mime_type: mimeType } });
  }

  /** Any message from a student; `chatType` other than private makes it a group message. */
  pushMessage(
    chatId: number,
    content: Partial<Message>,
    options: { fromId?: number; chatType?: 'private' | 'group' | 'supergroup'; replyTo?: number } = {},
  ): Update {
    const chatType = options.chatType ?? 'private';
    const from = studentName(options.fromId ?? chatId);
    const chat = chatType === 'private' ? { id: chatId, type: 'private' as const, first_name: from.first_name } : { id: chatId, type: chatType, title: '就业指导群' };
    const message = {
      message_id: this.#messageId(chatId),
      date: Math.floor(Date.now() / 1000),
      chat,
      from,
      ...content,
      ...(options.replyTo !== undefined ? { reply_to_message: this.#messages.get(`${chatId}:${options.replyTo}`) } : {}),
    } as Message;
    this.#messages.set(`${chatId}:${message.message_id}`, message);
    return this.pushUpdate({ message } as Omit<Update, 'update_id'>);
  }

  /** The student edits an earlier message of theirs. */
  pushEdit(chatId: number, messageId: number, text: string): Update {
    const original = this.#messages.get(`${chatId}:${messageId}`);
    if (!original) throw new Error(`fake: no message ${messageId} in chat ${chatId}`);
    const edited = { ...original, text, entities: entitiesOf(text), edit_date: Math.floor(Date.now() / 1000) } as Message;
    return this.pushUpdate({ edited_message: edited } as Omit<Update, 'update_id'>);
  }

  /** A press of a button with `data` under the bot's message `messageId`. */
  pushCallback(chatId: number, messageId: number, data: string, fromId = chatId): Update {
    const message = this.#messages.get(`${chatId}:${messageId}`);
    if (!message) throw new Error(`fake: no message ${messageId} in chat ${chatId}`);
    return this.pushUpdate({
      callback_query: { id: `cq-${this.#nextCallbackId++}`, from: studentName(fromId), message, chat_instance: `ci-${chatId}`, data },
    } as Omit<Update, 'update_id'>);
  }

  /** Presses the button labelled `label` on the newest bot message in the chat that shows it. */
  press(chatId: number, label: string, fromId = chatId): Update {
    for (const sent of [...this.sent(chatId)].reverse()) {
      const message = this.#messages.get(`${chatId}:${sent.messageId}`);
      const markup = message && 'reply_markup' in message ? message.reply_markup : undefined;
      const button = markup?.inline_keyboard.flat().find((candidate) => candidate.text === label);
      if (button && 'callback_data' in button) return this.pushCallback(chatId, sent.messageId, button.callback_data, fromId);
    }
    throw new Error(`fake: no button "${label}" in chat ${chatId}`);
  }

  // ── what tests read ────────────────────────────────────────────────────────────────────

  /** Messages the bot sent to a chat, in order. */
  sent(chatId: number): SentMessage[] {
    return this.#sent.get(chatId) ?? [];
  }

  /** Messages and chat actions ("typing") the bot sent to a chat, in the order they arrived. */
  timeline(chatId: number): readonly (SentMessage | ChatAction)[] {
    return this.#timeline.get(chatId) ?? [];
  }

  /** Every chat the bot sent to. */
  get chats(): number[] {
    return [...this.#sent.keys()];
  }

  /** Updates not yet confirmed by an offset. */
  get pending(): number {
    return this.#queue.length;
  }

  /** `performance.now()` when an update was pushed. */
  pushedAt(updateId: number): number | undefined {
    return this.#pushedAt.get(updateId);
  }

  /** Waits until the bot has sent at least `count` messages to the chat (polling, with a deadline). */
  async waitForMessages(chatId: number, count: number, timeoutMs = 30_000): Promise<SentMessage[]> {
    await this.waitFor(() => this.sent(chatId).length >= count, timeoutMs, () => `chat ${chatId}: ${this.sent(chatId).length} of ${count} messages`);
    return this.sent(chatId);
  }

  /** Waits until `condition` holds (polling every 5 ms); rejects after `timeoutMs`. */
  async waitFor(condition: () => boolean, timeoutMs = 30_000, describe: () => string = () => 'condition'): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!condition()) {
      if (performance.now() > deadline) throw new Error(`fake: timed out waiting for ${describe()}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  // ── the HTTP side ──────────────────────────────────────────────────────────────────────

  #appendToTimeline(chatId: number, entry: SentMessage | ChatAction): void {
    const timeline = this.#timeline.get(chatId) ?? [];
    timeline.push(entry);
    this.#timeline.set(chatId, timeline);
  }

  #messageId(chatId: number): number {
    const next = this.#nextMessageId.get(chatId) ?? 1;
    this.#nextMessageId.set(chatId, next + 1);
    return next;
  }

  #enqueue(update: Update, forced: boolean): void {
    this.#pushedAt.set(update.update_id, performance.now());
    this.#queue.push({ update, forced, handedOut: false, pushedAt: performance.now() });
    if (this.#waiter) {
      const { offset, limit, allowed } = this.#waiter;
      const ready = this.#take(offset, limit, allowed);
      if (ready.length > 0) this.#answerWaiter(ready);
    }
  }

  /** Confirms updates below `offset`, then returns the next ones (at most `limit`), in order. */
  #take(offset: number, limit: number, allowed: string[] | null): Queued[] {
    if (offset > 0) this.#queue = this.#queue.filter((item) => item.update.update_id >= offset || (item.forced && !item.handedOut));
    if (allowed) this.#queue = this.#queue.filter((item) => allowed.includes(typeOf(item.update)));
    return [...this.#queue].sort((a, b) => a.update.update_id - b.update.update_id).slice(0, limit);
  }

  /**
   * Answers a getUpdates call. A redelivery handed out becomes an ordinary update: the poller's
   * next offset confirms it, and a poller that went away before confirming gets it again.
   */
  #deliver(response: ServerResponse, items: Queued[]): void {
    if (response.writableEnded || response.destroyed) return;
    this.#reply(response, 200, { ok: true, result: items.map((item) => item.update) });
    for (const item of items) item.handedOut = true;
  }

  #answerWaiter(items: Queued[]): void {
    const waiter = this.#waiter;
    if (!waiter) return;
    this.#waiter = null;
    clearTimeout(waiter.timer);
    this.#deliver(waiter.response, items);
  }

  #reply(response: ServerResponse, status: number, body: unknown): void {
    const json = JSON.stringify(body);
    response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
    response.end(json);
  }

  async #params(request: IncomingMessage, url: URL): Promise<{ fields: Record<string, unknown>; files: Map<string, UploadedFile> }> {
    const fields: Record<string, unknown> = Object.fromEntries(url.searchParams);
    const files = new Map<string, UploadedFile>();
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const type = request.headers['content-type'] ?? '';
    if (body.length === 0) return { fields, files };
    if (type.startsWith('application/json')) Object.assign(fields, JSON.parse(body.toString('utf8')));
    else if (type.startsWith('multipart/form-data')) {
      const boundary = /boundary=("?)([^";]+)\1/u.exec(type)?.[2];
      if (!boundary) throw new Error('multipart without a boundary');
      for (const part of multipartParts(body, boundary)) {
        if (part.fileName === undefined) fields[part.name] = part.data.toString('utf8');
        else files.set(part.name, { name: part.fileName, type: part.contentType, data: part.data });
      }
    } else if (type.startsWith('application/x-www-form-urlencoded')) {
      Object.assign(fields, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
    }
    // multipart and query values are strings; objects arrive as JSON text
    for (const [key, value] of Object.entries(fields)) {
      if (typeof value === 'string' && /^[[{]/u.test(value)) {
        try {
          fields[key] = JSON.parse(value);
        } catch {
          // a plain string that starts with a bracket
        }
      }
    }
    return { fields, files };
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake');
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/u.exec(url.pathname);
    if (!match) return this.#reply(response, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method] = match as unknown as [string, string, string];
    const { fields, files } = await this.#params(request, url);
    let answerLost = false;
    const respond = (status: number, body: unknown): void => {
      if (answerLost) {
        // carried out, but the bot never hears back: the connection drops (status 0 in `calls`)
        this.calls.push({ method, status: 0 });
        response.socket?.destroy();
        return;
      }
      this.calls.push({ method, status });
      this.#reply(response, status, body);
    };
    if (token !== this.token) return respond(401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const failure = this.#failures.find((candidate) => candidate.method === method && candidate.times > 0);
    if (failure?.failure.status === 'answer-lost') {
      failure.times -= 1;
      answerLost = true;
    } else if (failure) {
      failure.times -= 1;
      if (failure.failure.status === 400) return respond(400, { ok: false, error_code: 400, description: `Bad Request: ${failure.failure.description}` });
      return failure.failure.status === 429
        ? respond(429, {
            ok: false,
            error_code: 429,
            description: `Too Many Requests: retry after ${failure.failure.retryAfter}`,
            parameters: { retry_after: failure.failure.retryAfter },
          })
        : respond(500, { ok: false, error_code: 500, description: 'Internal Server Error' });
    }
    const ok = (result: unknown): void => respond(200, { ok: true, result });
    const bad = (description: string): void => respond(400, { ok: false, error_code: 400, description: `Bad Request: ${description}` });
    switch (method) {
      case 'getMe':
        return ok(this.bot);
      case 'deleteWebhook':
        this.webhook = null;
        if (fields.drop_pending_updates === true || fields.drop_pending_updates === 'true') this.#queue = [];
        return ok(true);
      case 'setWebhook':
        this.webhook = { url: String(fields.url), ...(fields.secret_token ? { secretToken: String(fields.secret_token) } : {}) };
        return ok(true);
      case 'setMyCommands':
        this.commands = fields.commands as { command: string; description: string }[];
        return ok(true);
      case 'getUpdates': {
        if (this.webhook) return respond(409, { ok: false, error_code: 409, description: "Conflict: can't use getUpdates method while webhook is active" });
        const offset = Number(fields.offset ?? 0);
        const limit = Math.min(100, Math.max(1, Number(fields.limit ?? 100)));
        const timeout = Number(fields.timeout ?? 0);
        const allowed = Array.isArray(fields.allowed_updates) && fields.allowed_updates.length > 0 ? (fields.allowed_updates as string[]) : null;
        if (this.#waiter) {
          // as on Telegram: a second poller ends the first
          const previous = this.#waiter;
          this.#waiter = null;
          clearTimeout(previous.timer);
          if (!previous.response.writableEnded) this.#reply(previous.response, 409, { ok: false, error_code: 409, description: 'Conflict: terminated by other getUpdates request' });
        }
        const ready = this.#take(offset, limit, allowed);
        this.calls.push({ method, status: 200 });
        if (ready.length > 0 || timeout <= 0) return this.#deliver(response, ready);
        const waiter: Waiter = {
          response,
          offset,
          limit,
          allowed,
          timer: setTimeout(() => this.#answerWaiter([]), timeout * 1000),
        };
        this.#waiter = waiter;
        response.on('close', () => {
          if (this.#waiter === waiter) {
            clearTimeout(waiter.timer);
            this.#waiter = null;
          }
        });
        return;
      }
      case 'sendChatAction':
        const action: ChatAction = { chatId: Number(fields.chat_id), action: String(fields.action), at: performance.now() };
        this.chatActions.push(action);
        this.#appendToTimeline(action.chatId, action);
        return ok(true);
      case 'answerCallbackQuery':
        this.callbackAnswers.push({ id: String(fields.callback_query_id), ...(fields.text ? { text: String(fields.text) } : {}) });
        return ok(true);
      case 'editMessageReplyMarkup': {
        const chatId = Number(fields.chat_id);
        const messageId = Number(fields.message_id);
        const message = this.#messages.get(`${chatId}:${messageId}`);
        if (!message) return bad('message to edit not found');
        const replyMarkup = fields.reply_markup as InlineKeyboardMarkup | undefined;
        this.markupEdits.push({ chatId, messageId, ...(replyMarkup ? { replyMarkup } : {}) });
        const edited = { ...message } as Message & { reply_markup?: InlineKeyboardMarkup };
        if (replyMarkup) edited.reply_markup = replyMarkup;
        else delete edited.reply_markup;
        this.#messages.set(`${chatId}:${messageId}`, edited);
        return ok(edited);
      }
      case 'sendMessage':
      case 'sendDocument': {
        const chatId = Number(fields.chat_id);
        if (!Number.isFinite(chatId)) return bad('chat not found');
        const replyMarkup = fields.reply_markup as InlineKeyboardMarkup | undefined;
        for (const button of replyMarkup?.inline_keyboard.flat() ?? []) {
          if ('callback_data' in button && Buffer.byteLength(button.callback_data, 'utf8') > 64) return bad('BUTTON_DATA_INVALID');
        }
        const replyTo = (fields.reply_parameters as { message_id?: number } | undefined)?.message_id;
        const sent: SentMessage = {
          messageId: 0,
          chatId,
          method,
          ...(replyMarkup ? { replyMarkup } : {}),
          ...(replyTo !== undefined ? { replyTo: Number(replyTo) } : {}),
          ...(fields.parse_mode ? { parseMode: String(fields.parse_mode) } : {}),
          at: 0,
        };
        if (method === 'sendMessage') {
          const text = typeof fields.text === 'string' ? fields.text : '';
          if (text.trim() === '') return bad('message text is empty');
          if (text.length > 4096) return bad('message is too long');
          sent.text = text;
        } else {
          const reference = String(fields.document ?? '');
          const file = reference.startsWith('attach://') ? files.get(reference.slice('attach://'.length)) : files.get('document');
          if (!file) return bad('there is no document in the request');
          sent.document = {
            fileName: file.name,
            mimeType: file.type,
            content: file.data.toString('utf8'),
            ...(fields.caption ? { caption: String(fields.caption) } : {}),
          };
        }
        sent.messageId = this.#messageId(chatId);
        sent.at = performance.now();
        const message = {
          message_id: sent.messageId,
          date: Math.floor(Date.now() / 1000),
          chat: chatId > 0 ? { id: chatId, type: 'private', first_name: `学生${chatId}` } : { id: chatId, type: 'supergroup', title: '就业指导群' },
          from: this.bot,
          ...(sent.text !== undefined ? { text: sent.text } : {}),
          ...(sent.document
            ? { document: { file_id: `doc-${sent.messageId}`, file_unique_id: `u-doc-${sent.messageId}`, file_name: sent.document.fileName, mime_type: sent.document.mimeType } }
            : {}),
          ...(replyMarkup ? { reply_markup: replyMarkup } : {}),
        } as unknown as Message;
        this.#messages.set(`${chatId}:${sent.messageId}`, message);
        const list = this.#sent.get(chatId) ?? [];
        list.push(sent);
        this.#sent.set(chatId, list);
        this.#appendToTimeline(chatId, sent);
        return ok(message);
      }
      default:
        return respond(404, { ok: false, error_code: 404, description: `Not Found: method ${method} is not in the fake` });
    }
  }
}
