import { FileBox } from 'file-box';
import pino, { type Logger } from 'pino';
import { ScanStatus, WechatyBuilder, log as wechatyLog, qrcodeValueToImageUrl, types, type Contact, type Friendship, type Message, type Room, type Wechaty } from 'wechaty';
import type { InboundMessage, MessageKind, OutboundReply } from '../../src/conversation/types.ts';
import type { ChannelSender } from '../../src/escalation/outbox.ts';
import type { Inbox, InboxHandler } from '../../src/conversation/inbox.ts';
import { ChoiceMemory, replyText, splitWechatText, wechatTextLimit, wechatTexts } from './format.ts';

/** The channel name the core, the store and the outbox know personal WeChat (wechaty) by. */
export const wechatyChannel = 'wechat';

/** What the WeChat adapters need from the conversation core (`ConversationCore` is one). */
export interface WechatCore {
  handle(message: InboundMessage): Promise<{ replies: OutboundReply[]; handledAs: string }>;
}

/** Where the outbox can register a channel's sender (`Outbox` is one). */
export interface SenderRegistry {
  register(channel: string, sender: ChannelSender): void;
}

/** What to do with a friend request: accept it (and greet the new friend) or leave it to a person. */
export type FriendPolicy = 'accept' | 'ignore';

/** Where the WeChat login stands, for the dashboard (no names: only the state and the QR code). */
export interface WechatyLoginState {
  status: 'stopped' | 'starting' | 'scan' | 'logged-in' | 'logged-out';
  /** The QR code's value while a scan is awaited. */
  qrcode: string | null;
  /** An image of that QR code (`https://wechaty.js.org/qrcode/<encoded value>`). */
  qrUrl: string | null;
  /** `Waiting`, `Scanned`, `Confirmed`, `Timeout`, `Cancel`… while scanning. */
  scanStatus: string | null;
  since: Date;
}

const stoppedState = (): WechatyLoginState => ({ status: 'stopped', qrcode: null, qrUrl: null, scanStatus: null, since: new Date() });
let latestLogin: WechatyLoginState = stoppedState();

/**
 * The login state of the wechaty bot started last (`stopped` before any): while a scan is
 * awaited it carries the QR code to show on the dashboard.
 *
 * @example const { status, qrUrl } = wechatyLoginState();
 */
export function wechatyLoginState(): WechatyLoginState {
  return { ...latestLogin };
}

/** The kind of a wechaty message; `null` for what the bot does not answer (system notes, recalls, unknown). */
export function kindOf(type: types.Message): MessageKind | null {
  switch (type) {
    case types.Message.Text:
      return 'text';
    case types.Message.Image:
      return 'image';
    case types.Message.Audio:
      return 'voice';
    case types.Message.Video:
      return 'video';
    case types.Message.Attachment:
      return 'file';
    case types.Message.Emoticon:
      return 'sticker';
    case types.Message.Location:
      return 'location';
    case types.Message.Contact:
    case types.Message.ChatHistory:
    case types.Message.MiniProgram:
    case types.Message.Url:
    case types.Message.Transfer:
    case types.Message.RedEnvelope:
    case types.Message.Post:
      return 'other';
    default:
      return null;
  }
}

/** A plan (or another document) as a file WeChat can send. */
export function documentFileBox(document: NonNullable<OutboundReply['document']>): FileBox {
  // Base64 rather than a buffer: the same file also serialises (puppet-service, the mock).
  return FileBox.fromBase64(Buffer.from(document.content, 'utf8').toString('base64'), document.fileName);
}

/**
 * Sends the core's replies to one conversation, in order: each reply's text with its choices as
 * numbered lines, split into messages of at most `textLimit` characters (in a room the first
 * message @mentions the student), then its document as a file.
 */
export async function sendWechatyReplies(
  to: Contact | Room,
  replies: readonly OutboundReply[],
  options: { mention?: Contact; textLimit?: number } = {},
): Promise<void> {
  let mention = options.mention;
  // Room messages get "@name " in front: leave room for it.
  const limit = (options.textLimit ?? wechatTextLimit) - (mention ? 64 : 0);
  for (const reply of replies) {
    for (const part of splitWechatText(replyText(reply), limit)) {
      if (mention && 'topic' in to) await to.say(part, mention);
      else await to.say(part);
      mention = undefined;
    }
    if (reply.document) await to.say(documentFileBox(reply.document));
  }
}

/** One handled message, for metrics and tests (no text, no ids of people). */
export interface WechatyTurn {
  kind: MessageKind;
  room: boolean;
  handledAs: string;
  replies: number;
  ms: number;
}

export interface WechatyHandlerOptions {
  core: WechatCore;
  log?: Logger;
  /** Longest text message, characters (default 2,000). */
  textLimit?: number;
  /** Called after each message the core handled and its replies were sent. */
  onTurn?: (turn: WechatyTurn) => void;
}

/** A student's message as the core takes it, with where to answer; `null` when the bot stays silent. */
async function inboundOf(message: Message): Promise<{ inbound: InboundMessage; room: Room | undefined; talker: Contact } | null> {
  if (message.self()) return null;
  const kind = kindOf(message.type());
  if (kind === null) return null;
  const room = message.room();
  const talker = message.talker();
  let text: string | undefined = kind === 'text' ? message.text() : undefined;
  if (room) {
    if (!(await message.mentionSelf())) return null;
    if (kind === 'text') {
      text = (await message.mentionText()).replace(/^[\s\u2005,，:：]+/u, '').trim();
      // "@职引" alone asks for the menu.
      if (text === '') text = '帮助';
    }
  }
  return {
    inbound: { channel: wechatyChannel, userId: talker.id, messageId: message.id, kind, ...(text !== undefined && text !== '' ? { text } : {}) },
    room,
    talker,
  };
}

/** What the inbox keeps of a wechaty message: the core's message and where the answer goes. */
export interface StoredWechatyMessage {
  inbound: InboundMessage;
  talkerId: string;
  roomId?: string;
}

/**
 * The wechaty `message` listener: 1:1 chats are answered; in rooms only messages that @mention
 * the bot (the mention taken out; "@bot" alone asks for the menu), and the answer @mentions the
 * student. The bot's own messages are ignored. A message is stored in the inbox (by message id)
 * and handled from there by `createStoredWechatyHandler`: a message delivered twice is handled
 * once, and one stored but not answered when the process stopped is answered after the next
 * login. One student's messages (per room) stay in order. Logs kinds and outcomes only.
 *
 * @example bot.on('message', createWechatyMessageHandler({ inbox, log }));
 */
export function createWechatyMessageHandler(options: { inbox: Inbox; log?: Logger; onTurn?: (turn: WechatyTurn) => void }): (message: Message) => Promise<void> {
  const log = options.log ?? pino({ level: 'silent' });
  return async (message: Message): Promise<void> => {
    let input: Awaited<ReturnType<typeof inboundOf>>;
    try {
      input = await inboundOf(message);
    } catch (error) {
      log.warn({ errorName: error instanceof Error ? error.name : typeof error }, 'wechat message not read');
      return;
    }
    if (!input) return;
    const { inbound, room, talker } = input;
    const stored: StoredWechatyMessage = { inbound, talkerId: talker.id, ...(room ? { roomId: room.id } : {}) };
    const receipt = await options.inbox.receive(wechatyChannel, message.id, room ? `${room.id}/${inbound.userId}` : inbound.userId, stored);
    if (receipt !== 'new') {
      log.info({ kind: inbound.kind, room: room !== undefined, receipt }, 'wechat message received before: not handled again');
      options.onTurn?.({ kind: inbound.kind, room: room !== undefined, handledAs: 'duplicate', replies: 0, ms: 0 });
    }
  };
}

/**
 * Handles a wechaty message taken from the inbox: finds the room or contact again, asks the core
 * and sends the replies (a bare number picks from the choices last offered). A room or contact
 * that cannot be found (logged out) throws, for the inbox to retry.
 */
export function createStoredWechatyHandler(bot: Wechaty, options: WechatyHandlerOptions): InboxHandler<StoredWechatyMessage> {
  const log = options.log ?? pino({ level: 'silent' });
  const choices = new ChoiceMemory();
  return async ({ payload: { inbound, talkerId, roomId } }) => {
    const started = performance.now();
    const talker = await bot.Contact.find({ id: talkerId });
    const room = roomId ? await bot.Room.find({ id: roomId }) : undefined;
    if (!talker || (roomId && !room)) throw new Error('wechat contact or room not found');
    const to = room ?? talker;
    const resolved = inbound.text !== undefined && inbound.kind === 'text' ? { ...inbound, text: choices.resolve(inbound.userId, inbound.text) } : inbound;
    let result: Awaited<ReturnType<WechatCore['handle']>>;
    try {
      result = await options.core.handle(resolved);
    } catch (error) {
      log.error({ kind: inbound.kind, room: room !== undefined, errorName: error instanceof Error ? error.name : typeof error }, 'core failed on a wechat message');
      await to.say(wechatTexts.failed).catch(() => undefined);
      return;
    }
    if (result.handledAs !== 'duplicate') {
      choices.offer(inbound.userId, result.replies);
      try {
        await sendWechatyReplies(to, result.replies, { ...(room ? { mention: talker } : {}), ...(options.textLimit ? { textLimit: options.textLimit } : {}) });
      } catch (error) {
        log.warn({ errorName: error instanceof Error ? error.name : typeof error }, 'wechat reply not sent');
      }
    }
    const ms = Math.round((performance.now() - started) * 100) / 100;
    log.info({ kind: inbound.kind, room: room !== undefined, handledAs: result.handledAs, replies: result.replies.length, ms }, 'wechat message handled');
    options.onTurn?.({ kind: inbound.kind, room: room !== undefined, handledAs: result.handledAs, replies: result.replies.length, ms });
  };
}

/**
 * The wechaty `friendship` listener: with `accept`, a friend request is accepted; once a
 * friendship is confirmed (either way) the new friend gets the core's menu (帮助).
 */
export function createWechatyFriendshipHandler(options: { core: WechatCore; log?: Logger; friendPolicy: FriendPolicy }): (friendship: Friendship) => Promise<void> {
  const log = options.log ?? pino({ level: 'silent' });
  return async (friendship: Friendship): Promise<void> => {
    try {
      const type = friendship.type();
      if (type === types.Friendship.Receive) {
        if (options.friendPolicy !== 'accept') {
          log.info({ policy: options.friendPolicy }, 'wechat friend request left');
          return;
        }
        await friendship.accept();
        log.info('wechat friend request accepted');
        return;
      }
      if (type === types.Friendship.Confirm) {
        const contact = friendship.contact();
        const result = await options.core.handle({ channel: wechatyChannel, userId: contact.id, messageId: `friendship:${friendship.id}`, kind: 'text', text: '帮助' });
        if (result.handledAs !== 'duplicate') await sendWechatyReplies(contact, result.replies);
      }
    } catch (error) {
      log.warn({ errorName: error instanceof Error ? error.name : typeof error }, 'wechat friendship not handled');
    }
  };
}

/**
 * Sends a teacher's reply (from the escalation outbox) to a WeChat student: the recipient is the
 * student's contact id (the reply goes to the 1:1 chat, also for a student who asked in a room);
 * long text is split. Rejects while the bot is logged out or when the contact is not found or
 * cannot be messaged (the outbox retries, and finally marks it failed on the ticket).
 *
 * @example outbox.register('wechat', wechatySender(bot));
 */
export function wechatySender(bot: Wechaty, textLimit = wechatTextLimit): ChannelSender {
  return {
    async send(recipient: string, text: string): Promise<void> {
      if (!bot.isLoggedIn) throw new Error('wechat is not logged in');
      const contact = await bot.Contact.find({ id: recipient });
      if (!contact) throw new Error('wechat contact not found');
      for (const part of splitWechatText(text, textLimit)) await contact.say(part);
    },
  };
}

/** A puppet: an npm name (`wechaty-puppet-service`, `wechaty-puppet-wechat4u`, …) or an instance. */
export type WechatyPuppetOption = string | NonNullable<Extract<Parameters<typeof WechatyBuilder.build>[0], { puppet?: unknown }>['puppet']>;

export interface StartWechatyOptions {
  /** Where messages are stored before they are handled, and handled from (after each login). */
  inbox: Inbox;
  puppet: WechatyPuppetOption;
  /** Token of a puppet service (`wechaty-puppet-service`), passed as the puppet's `token`. */
  puppetToken?: string;
  core: WechatCore;
  /** Registers the WeChat sender here, for teachers' replies. */
  outbox?: SenderRegistry;
  log?: Logger;
  /** Friend requests: `accept` (default) or `ignore`. */
  friendPolicy?: FriendPolicy;
  /**
   * A name for the login session, kept in `<name>.memory-card.json` in the working directory so
   * that a restart logs in again without a new scan (puppets that support it). Default: no file.
   */
  sessionName?: string;
  /** Longest text message, characters (default 2,000). */
  textLimit?: number;
  onTurn?: (turn: WechatyTurn) => void;
}

/** A running wechaty channel. */
export interface WechatyHandle {
  bot: Wechaty;
  /** The sender registered with the outbox (also usable without one). */
  sender: ChannelSender;
  /** This bot's login state (the same as `wechatyLoginState()` while it is the latest bot). */
  loginState(): WechatyLoginState;
  /** Stops the bot after the messages being handled are answered. */
  stop(): Promise<void>;
}

/**
 * Starts the personal-WeChat channel with wechaty: logs the login QR code's URL on `scan` and
 * keeps it for the dashboard (`wechatyLoginState()`), stores messages in the inbox and answers
 * them from it after each login — first those left unanswered before; a logout pauses it (see
 * `createWechatyMessageHandler`) —, handles friend requests by `friendPolicy` and registers the
 * outbox sender. Resolves once the puppet has started (logging in may wait for a scan).
 * wechaty's own log stays silent unless `WECHATY_LOG` is set (it may print message text).
 *
 * @example
 * const wechat = await startWechaty({ puppet: 'wechaty-puppet-wechat4u', core, inbox, outbox, log, friendPolicy: 'accept' });
 * process.once('SIGTERM', () => void wechat.stop());
 */
export async function startWechaty(options: StartWechatyOptions): Promise<WechatyHandle> {
  const log = options.log ?? pino({ level: 'silent' });
  if (!process.env.WECHATY_LOG) wechatyLog.level('silent');
  const bot =
    typeof options.puppet === 'string'
      ? WechatyBuilder.build({
          puppet: options.puppet as never,
          ...(options.puppetToken ? { puppetOptions: { token: options.puppetToken } } : {}),
          ...(options.sessionName ? { name: options.sessionName } : {}),
        })
      : WechatyBuilder.build({ puppet: options.puppet, ...(options.sessionName ? { name: options.sessionName } : {}) });

  let state: WechatyLoginState = { ...stoppedState(), status: 'starting' };
  const setState = (next: Omit<WechatyLoginState, 'since'>): void => {
    state = { ...next, since: new Date() };
    latestLogin = state;
  };
  setState(state);

  bot.on('scan', (qrcode: string, status: ScanStatus) => {
    const qrUrl = qrcode ? qrcodeValueToImageUrl(qrcode) : null;
    setState({ status: 'scan', qrcode: qrcode || null, qrUrl, scanStatus: ScanStatus[status] ?? String(status) });
    log.info({ qrUrl, scanStatus: ScanStatus[status] }, 'wechat login: scan the QR code');
  });
  bot.on('login', () => {
    setState({ status: 'logged-in', qrcode: null, qrUrl: null, scanStatus: null });
    log.info('wechat logged in');
    // messages stored before (a stopped process left them unanswered), then each new one
    track(options.inbox.start(wechatyChannel, handleStored).catch((error: unknown) => log.error({ errorName: error instanceof Error ? error.name : typeof error }, 'wechat inbox not started')));
  });
  bot.on('logout', () => {
    setState({ status: 'logged-out', qrcode: null, qrUrl: null, scanStatus: null });
    log.warn('wechat logged out');
    // stored messages wait for the next login (no contact can be found meanwhile)
    track(options.inbox.stop(wechatyChannel));
  });
  bot.on('error', (error: unknown) => {
    log.warn({ errorName: error instanceof Error ? error.name : typeof error }, 'wechaty error');
  });

  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(task: Promise<T>): void => {
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
  };
  const { inbox } = options;
  const onMessage = createWechatyMessageHandler({ inbox, log, ...(options.onTurn ? { onTurn: options.onTurn } : {}) });
  const handleStored = createStoredWechatyHandler(bot, {
    core: options.core,
    log,
    ...(options.textLimit ? { textLimit: options.textLimit } : {}),
    ...(options.onTurn ? { onTurn: options.onTurn } : {}),
  });
  const onFriendship = createWechatyFriendshipHandler({ core: options.core, log, friendPolicy: options.friendPolicy ?? 'accept' });
  bot.on('message', (message: Message) => track(onMessage(message)));
  bot.on('friendship', (friendship: Friendship) => track(onFriendship(friendship)));

  const sender = wechatySender(bot, options.textLimit);
  options.outbox?.register(wechatyChannel, sender);
  await bot.start();
  log.info({ puppet: typeof options.puppet === 'string' ? options.puppet : bot.puppet.name() }, 'wechat started');

  return {
    bot,
    sender,
    loginState: () => ({ ...state }),
    async stop() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      await inbox.stop(wechatyChannel);
      await bot.stop();
      setState({ status: 'stopped', qrcode: null, qrUrl: null, scanStatus: null });
      log.info('wechat stopped');
    },
  };
}
