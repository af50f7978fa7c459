import { createHash } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import pino, { type Logger } from 'pino';
import { z } from 'zod';
import type { Handled, Inbox, InboxMessage } from '../../src/conversation/inbox.ts';
import { recentRepliesTo } from '../../src/conversation/conversation-store.ts';
import type { InboundMessage } from '../../src/conversation/types.ts';
import type { ChannelSender } from '../../src/escalation/outbox.ts';
import { MemoryReplayGuard, type ReplayClaims } from '../../src/store/replay-guard.ts';
import { ChoiceMemory, joinReplies, officialAccountTextBytes, splitWechatText, utf8Bytes, wechatTexts } from './format.ts';
import {
  OfficialAccountAuthError,
  encryptedReplyXml,
  isEncodingAESKey,
  messageSignature,
  openEnvelope,
  parseMessageXml,
  plainSignature,
  sameSignature,
  sealEnvelope,
  textReplyXml,
} from './oa-protocol.ts';
import type { WechatCore } from './wechaty-bot.ts';

/** The channel name the core, the store and the outbox know Official Account followers by (user ids are OpenIDs). */
export const officialAccountChannel = 'wechat-oa';

export interface OfficialAccountOptions {
  /** The Token set in the account's server configuration (3–32 letters and digits). */
  token: string;
  /** The account's AppID (safe-mode envelopes are sealed for it). */
  appId: string;
  /** The 43-character EncodingAESKey; needed for safe (and compatible) mode. */
  encodingAESKey?: string;
  core: WechatCore;
  /**
   * Where a message is stored (by MsgId; events by FromUserName + CreateTime) before WeChat gets an
   * answer, and handled from: a crash loses nothing WeChat was answered for, and a retry of a
   * stored message is not handled again.
   */
  inbox: Inbox;
  log?: Logger;
  /** How long to wait for the core before answering WeChat "success" (it waits 5 s); default 4,500 ms. */
  replyTimeoutMs?: number;
  /**
   * Where a reply that missed the passive window (or the part that does not fit in one passive reply) goes: the
   * customer-service API (`customerServiceSender`), or the outbox for retries —
   * `{ send: (openId, text) => outbox.enqueue('wechat-oa', openId, text) }`.
   */
  customerService?: Pick<ChannelSender, 'send'>;
  /** Longest passive reply, UTF-8 bytes (default 2,048). */
  replyBytes?: number;
  /**
   * How far a request's `timestamp` may be from now, seconds (default 300): older or later ones are
   * refused, and a nonce is remembered that long.
   */
  maxSkewSeconds?: number;
  /**
   * Where nonces are remembered, so that a replayed request is refused: `new ReplayGuard(db)` shares
   * them between instances on one database; default: this process only.
   */
  replays?: ReplayClaims;
  now?: () => Date;
}

/** WeChat retries a request three times within about 15 s; a repeat after this long is not a retry. */
const retryAnswerWindowMs = 60_000;
/** The scope of the Official Account's nonces among the remembered webhook requests. */
export const officialAccountNonceScope = 'wechat-oa-nonce';
/** …and of nonce + body hash, which tells WeChat's retry of one request from a forged body under its nonce. */
export const officialAccountRequestScope = 'wechat-oa-request';

const optionsSchema = z.object({
  token: z.string().regex(/^[A-Za-z0-9]{3,32}$/u, 'the Official Account token is 3–32 letters and digits'),
  appId: z.string().min(1, 'the Official Account AppID is required'),
  encodingAESKey: z
    .string()
    .refine(isEncodingAESKey, 'the EncodingAESKey is 43 letters and digits')
    .optional(),
  replyTimeoutMs: z.number().int().positive().default(4_500),
  replyBytes: z.number().int().min(64).default(officialAccountTextBytes),
  maxSkewSeconds: z.number().int().positive().default(300),
});

/** What the webhook makes of a message: what the core is to handle, or `null` (answered "success"). */
export function inboundOf(fields: Readonly<Record<string, string>>): InboundMessage | null {
  const openId = fields.FromUserName ?? '';
  if (openId === '') return null;
  const base = { channel: officialAccountChannel, userId: openId };
  const messageId = fields.MsgId ? fields.MsgId : `${openId}:${fields.CreateTime ?? ''}`;
  const type = (fields.MsgType ?? '').toLowerCase();
  switch (type) {
    case 'text':
      return { ...base, messageId, kind: 'text', text: fields.Content ?? '' };
    case 'voice': {
      // With speech recognition switched on, WeChat sends what was said.
      const heard = (fields.Recognition ?? '').trim();
      return heard ? { ...base, messageId, kind: 'text', text: heard } : { ...base, messageId, kind: 'voice' };
    }
    case 'image':
      return { ...base, messageId, kind: 'image' };
    case 'video':
    case 'shortvideo':
      return { ...base, messageId, kind: 'video' };
    case 'location':
      return { ...base, messageId, kind: 'location' };
    case 'file':
      return { ...base, messageId, kind: 'file' };
    case 'event': {
      const event = (fields.Event ?? '').toLowerCase();
      const eventId = `event:${openId}:${fields.CreateTime ?? ''}:${event}`;
      if (event === 'subscribe') return { ...base, messageId: eventId, kind: 'text', text: '帮助' };
      if (event === 'click' && (fields.EventKey ?? '').trim() !== '') return { ...base, messageId: eventId, kind: 'text', text: fields.EventKey!.trim() };
      return null;
    }
    default:
      return { ...base, messageId, kind: 'other' };
  }
}

/** What a stored message's turn gives the request waiting for it: the passive reply ('' : "success"). */
interface Answer {
  handledAs: string;
  text: string;
}

const errorName = (error: unknown): string => (error instanceof Error ? error.name : typeof error);

/**
 * The Official Account (公众号) webhook as a Hono app, to mount where the account's server URL
 * points (`app.route('/wechat', officialAccountApp({ … }))`).
 *
 * - `GET /`: the URL check — `signature` over token, timestamp and nonce, answered with `echostr`
 *   (with `msg_signature` and an encrypted `echostr`, the decrypted one). Wrong: 401.
 * - `POST /`: a message, plain or in the AES safe mode (`encrypt_type=aes`: `msg_signature` is
 *   checked, the envelope opened and checked to be for this AppID). Wrong signature: 401; not a
 *   WeChat message: 400. With an EncodingAESKey, plain messages are refused (401): WeChat sends
 *   every message of a safe-mode account encrypted.
 * - Replays: a `timestamp` more than `maxSkewSeconds` from now is refused (401, GET too); a nonce
 *   is claimed in `replays` until its timestamp leaves the window, and a request with a nonce seen
 *   before is refused (409). Plain mode signs only token, timestamp and nonce — not the body — so
 *   a captured request could be replayed with another body before its nonce reaches us; that is
 *   logged as a warning when the app is made, and safe mode is recommended.
 * - Text, voice (its `Recognition` as text when WeChat sends one), image, video, location and
 *   files go to the core; following the account (subscribe) gets the core's menu (帮助); a CLICK
 *   menu item sends its EventKey as text; other events are answered "success".
 * - A message is stored in the inbox (by MsgId; events by FromUserName + CreateTime) before
 *   anything is answered, and handled from there, in order per follower. WeChat's retry of a
 *   stored message is not handled again: it waits for the turn in progress like the first
 *   request (a retry after a crash does); once the message is finished it gets the recorded
 *   answer again if that answer went out as a passive reply in the last minute (WeChat retries
 *   only when a reply did not reach it) — the inbox marks the row so, in the database, so this
 *   holds on another server and after a restart — else "success" (the answer went through
 *   customer service). Messages a stopped process stored but did not finish are handled at
 *   start, their answers sent through `customerService`. A core failure gets the waiting request
 *   an apology and the message tried again by the inbox (its answer then through customer
 *   service); a customer-service send that fails is tried again the same way.
 * - A reply within `replyTimeoutMs` is passive (one message: the replies joined with blank
 *   lines, choices numbered; encrypted in safe mode). A slower one is answered "success" and
 *   sent later through `customerService`. A reply longer than `replyBytes` goes out passively
 *   up to a paragraph or sentence end that fits (never inside a 《…》 citation), and the rest
 *   through `customerService`. Without `customerService` a late reply is dropped and a long
 *   one cut (logged, without text). Documents are not sent: their text is already in the replies.
 * - Logs message types, outcomes, the reply path and timings — never text or OpenIDs.
 *
 * @example
 * app.route('/wechat', officialAccountApp({ token, appId, encodingAESKey, core, inbox, log, customerService: customerServiceSender({ appId, appSecret }) }));
 */
export function officialAccountApp(options: OfficialAccountOptions): Hono {
  const settings = optionsSchema.parse({
    token: options.token,
    appId: options.appId,
    encodingAESKey: options.encodingAESKey || undefined,
    replyTimeoutMs: options.replyTimeoutMs,
    replyBytes: options.replyBytes,
    maxSkewSeconds: options.maxSkewSeconds,
  });
  const { token, appId, encodingAESKey, replyTimeoutMs, replyBytes, maxSkewSeconds } = settings;
  const log = options.log ?? pino({ level: 'silent' });
  const now = options.now ?? (() => new Date());
  const replays = options.replays ?? new MemoryReplayGuard(now);
  if (!encodingAESKey) {
    log.warn(
      { channel: officialAccountChannel },
      'wechat official account in plain mode: the signature does not cover the message, so a captured request can be replayed with another body within the time window; safe mode (an EncodingAESKey) is recommended',
    );
  }
  const choices = new ChoiceMemory();
  const app = new Hono();

  const unauthorized = (c: Context, method: string): Response => {
    log.warn({ method }, 'wechat official account request with a wrong signature');
    return c.text('unauthorized', 401);
  };

  /** Whether a request's timestamp (seconds) is within `maxSkewSeconds` of now. */
  const fresh = (timestamp: string): boolean => {
    if (!/^\d{1,12}$/u.test(timestamp)) return false;
    return Math.abs(Number(timestamp) - now().getTime() / 1000) <= maxSkewSeconds;
  };
  const stale = (c: Context, method: string): Response => {
    log.warn({ method }, 'wechat official account request with a timestamp outside the allowed window');
    return c.text('request expired', 401);
  };

  app.get('/', (c) => {
    const { signature, timestamp, nonce, echostr, msg_signature: msgSignature } = c.req.query();
    if (!timestamp || !nonce || !echostr) return c.text('bad request', 400);
    if (msgSignature !== undefined && encodingAESKey) {
      if (!sameSignature(messageSignature(token, timestamp, nonce, echostr), msgSignature)) return unauthorized(c, 'get');
      if (!fresh(timestamp)) return stale(c, 'get');
      try {
        return c.text(openEnvelope(encodingAESKey, appId, echostr));
      } catch {
        return unauthorized(c, 'get');
      }
    }
    if (!sameSignature(plainSignature(token, timestamp, nonce), signature)) return unauthorized(c, 'get');
    if (!fresh(timestamp)) return stale(c, 'get');
    return c.text(echostr);
  });

  /** The message of a POST, checked (and opened in safe mode), or the response refusing it. */
  const readMessage = async (c: Context): Promise<{ fields: Record<string, string>; safe: boolean; timestamp: string; nonce: string } | Response> => {
    const { signature, timestamp = '', nonce = '', encrypt_type: encryptType, msg_signature: msgSignature } = c.req.query();
    const safe = encryptType === 'aes';
    if (!safe && !sameSignature(plainSignature(token, timestamp, nonce), signature)) return unauthorized(c, 'post');
    if (!safe && encodingAESKey) {
      // With an EncodingAESKey the account is in safe (or compatible) mode and WeChat always sends
      // encrypt_type=aes: a plain request is a safe one stripped of the signature that binds its body.
      log.warn({ method: 'post' }, 'wechat official account plain message, but safe mode is configured: refused');
      return c.text('unauthorized', 401);
    }
    if (safe && !encodingAESKey) {
      log.error('wechat official account message in safe mode, but no EncodingAESKey is configured');
      return c.text('safe mode is not configured', 400);
    }
    let fields: Record<string, string>;
    const body = await c.req.text();
    try {
      fields = parseMessageXml(body);
      if (safe) {
        // msg_signature covers the ciphertext too: a body swapped under the same query fails it.
        const envelope = fields.Encrypt ?? '';
        if (envelope === '' || !sameSignature(messageSignature(token, timestamp, nonce, envelope), msgSignature)) return unauthorized(c, 'post');
        fields = parseMessageXml(openEnvelope(encodingAESKey!, appId, envelope));
      }
    } catch (error) {
      if (error instanceof OfficialAccountAuthError) return unauthorized(c, 'post');
      log.warn({ errorName: errorName(error) }, 'wechat official account request not read');
      return c.text('bad request', 400);
    }
    if (!fresh(timestamp)) return stale(c, 'post');
    // A nonce is used once while its timestamp is in the window; after that the timestamp is refused.
    const expires = new Date((Number(timestamp) + maxSkewSeconds + 1) * 1000);
    // The nonce with the body it came with, claimed first: the same request again (WeChat's retry,
    // also after a crash before the message was stored) goes on to the inbox, which answers a stored
    // message once; the nonce with another body (a forged plain-mode request) is refused.
    const sameRequest = `${nonce}:${createHash('sha256').update(body).digest('base64url')}`;
    if (!(await replays.claim(officialAccountRequestScope, sameRequest, expires))) {
      log.info({ method: 'post', safe }, 'wechat official account request repeated (same nonce and body): the inbox answers it once');
      return { fields, safe, timestamp, nonce };
    }
    if (!(await replays.claim(officialAccountNonceScope, nonce, expires))) {
      await replays.release(officialAccountRequestScope, sameRequest);
      log.warn({ method: 'post', safe }, 'wechat official account request replayed (a nonce seen before): refused');
      return c.text('replayed', 409);
    }
    return { fields, safe, timestamp, nonce };
  };

  /**
   * Sends what did not go out passively through the customer-service path; without one it is
   * dropped (logged). A failed send throws: the inbox tries the message again (at least once).
   */
  const deliverLater = async (openId: string, text: string, why: 'late' | 'long'): Promise<void> => {
    if (!options.customerService) {
      log.warn({ why }, 'wechat official account reply dropped: no customer-service sender');
      return;
    }
    try {
      await options.customerService.send(openId, text);
    } catch (error) {
      log.warn({ why, errorName: errorName(error) }, 'wechat official account reply not delivered (the message is tried again)');
      throw error;
    }
    log.info({ why }, 'wechat official account reply sent through customer service');
  };

  /** Answers the request with `text` as a passive reply (sealed in safe mode). */
  const passiveReply = (c: Context, to: { openId: string; fields: Record<string, string>; safe: boolean; timestamp: string; nonce: string }, text: string): Response => {
    const xml = textReplyXml({ toUser: to.openId, fromUser: to.fields.ToUserName ?? '', createTime: Math.floor(now().getTime() / 1000), content: text });
    if (!to.safe) return c.body(xml, 200, { 'content-type': 'application/xml; charset=utf-8' });
    const sealed = sealEnvelope(encodingAESKey!, appId, xml);
    const reply = encryptedReplyXml({ encrypt: sealed, signature: messageSignature(token, to.timestamp, to.nonce, sealed), timestamp: to.timestamp, nonce: to.nonce });
    return c.body(reply, 200, { 'content-type': 'application/xml; charset=utf-8' });
  };

  /** The part of an answer that fits in one passive reply (cut at a paragraph or sentence end, never in a citation), and the rest. */
  const passiveParts = (text: string): { passive: string; rest: string } => {
    if (utf8Bytes(text) <= replyBytes) return { passive: text, rest: '' };
    const passive = splitWechatText(text, replyBytes, utf8Bytes)[0]!;
    return { passive, rest: text.slice(passive.length).trim() };
  };

  /** Requests waiting for their message's turn, by message id (a retry's request replaces the one before it). */
  const waiting = new Map<string, (answer: Answer) => void>();
  /** Hands `answer` to the request waiting for the message, if one still is. */
  const answerWaiting = (messageId: string, answer: Answer): boolean => {
    const waiter = waiting.get(messageId);
    if (!waiter) return false;
    waiting.delete(messageId);
    waiter(answer);
    return true;
  };
  /** The turn of `messageId` if it comes within `ms`, else `late` (and a later turn is nobody's to wait for). */
  const awaitTurn = (messageId: string, ms: number): { answer: Promise<Answer | 'late'>; cancel(): void } => {
    let settle!: (answer: Answer) => void;
    let timer: NodeJS.Timeout | undefined;
    const answer = new Promise<Answer | 'late'>((resolve) => {
      settle = (value) => {
        clearTimeout(timer);
        resolve(value);
      };
      timer = setTimeout(() => {
        if (waiting.get(messageId) === settle) waiting.delete(messageId);
        resolve('late');
      }, ms);
    });
    waiting.set(messageId, settle);
    return {
      answer,
      cancel() {
        clearTimeout(timer);
        if (waiting.get(messageId) === settle) waiting.delete(messageId);
      },
    };
  };

  /**
   * One stored message's turn: the core, then the answer to the request waiting for it (passive;
   * the part that does not fit through customer service, before the row is finished), or —
   * nobody waiting: too late, or taken up after a restart — all through customer service. The
   * row is finished when this returns, marked when the answer went out passively.
   */
  const handleStored = async ({ payload: inbound }: InboxMessage<InboundMessage>): Promise<Handled> => {
    const handledAt = performance.now();
    const openId = inbound.userId;
    const messageId = inbound.messageId!;
    let result: Awaited<ReturnType<WechatCore['handle']>>;
    try {
      result = await options.core.handle(inbound.kind === 'text' && inbound.text !== undefined ? { ...inbound, text: choices.resolve(openId, inbound.text) } : inbound);
    } catch (error) {
      // The request waiting now gets an apology; the inbox tries the message again (its answer then goes through customer service).
      if (answerWaiting(messageId, { handledAs: 'error', text: wechatTexts.failed })) log.error({ errorName: errorName(error) }, 'core failed on a wechat official account message');
      throw error;
    }
    if (result.handledAs !== 'duplicate') choices.offer(openId, result.replies);
    const text = result.handledAs === 'duplicate' ? '' : joinReplies(result.replies);
    const done = (path: string): void =>
      log.info(
        { handledAs: result.handledAs, replies: result.replies.length, path, ms: Math.round((performance.now() - handledAt) * 100) / 100 },
        'wechat official account message handled',
      );
    if (text.trim() === '') {
      answerWaiting(messageId, { handledAs: result.handledAs, text: '' });
      done('none');
      return {};
    }
    const { passive, rest } = passiveParts(text);
    if (answerWaiting(messageId, { handledAs: result.handledAs, text: passive })) {
      // The rest before the row is finished: a crash in between sends the whole answer again, never loses the rest.
      if (rest !== '') {
        if (options.customerService) await deliverLater(openId, rest, 'long');
        else log.warn({ handledAs: result.handledAs }, 'wechat official account reply cut to one passive message: no customer-service sender');
      }
      done('passive');
      return { answeredInResponse: true };
    }
    await deliverLater(openId, text, 'late');
    done('customer-service');
    return {};
  };
  const inboxStarted = options.inbox.start(officialAccountChannel, handleStored);
  inboxStarted.catch((error: unknown) => log.error({ errorName: errorName(error) }, 'wechat official account inbox not started'));

  app.post(
    '/',
    bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.text('payload too large', 413) }),
    async (c) => {
      const started = performance.now();
      const request = await readMessage(c);
      if (request instanceof Response) return request;
      const { fields, safe, timestamp, nonce } = request;
      const msgType = (fields.MsgType ?? '').toLowerCase();
      const event = msgType === 'event' ? (fields.Event ?? '').toLowerCase() : undefined;
      const handled = (extra: Record<string, unknown>): void => {
        log.info({ msgType, event, safe, ...extra, ms: Math.round((performance.now() - started) * 100) / 100 }, 'wechat official account message handled');
      };

      const inbound = inboundOf(fields);
      if (!inbound) {
        handled({ path: 'none' });
        return c.text('success');
      }
      const openId = inbound.userId;
      const messageId = inbound.messageId!;
      await inboxStarted;
      const to = { openId, fields, safe, timestamp, nonce };
      /** WeChat's retry of a message whose passive reply did not reach it: the recorded answer again (any server, after a restart too). */
      const recordedAnswer = async (): Promise<Response | null> => {
        if (!(await options.inbox.answeredInResponse(officialAccountChannel, messageId, retryAnswerWindowMs))) return null;
        const replies = await recentRepliesTo(options.inbox.db, officialAccountChannel, openId, messageId, retryAnswerWindowMs);
        if (replies.length === 0) return null;
        handled({ handledAs: 'retry', path: 'passive' });
        return passiveReply(c, to, passiveParts(replies.join('\n\n')).passive);
      };
      // Waits for the turn from before the message is stored: the inbox may hand it over at once.
      // WeChat's 5 s run from its request, not from here: the time spent reading it counts.
      const turn = awaitTurn(messageId, Math.max(0, replyTimeoutMs - (performance.now() - started)));
      const receipt = await options.inbox.receive(officialAccountChannel, messageId, openId, inbound).catch((error: unknown) => {
        turn.cancel();
        throw error;
      });
      if (receipt === 'finished') {
        turn.cancel();
        // WeChat asks again only when our answer did not reach it in time. Only an answer that went
        // out as a passive reply can have been lost that way (one sent through customer service
        // was delivered, or is retried by the outbox); a repeat long after — not a retry — gets "success".
        const again = await recordedAnswer();
        if (again) return again;
        handled({ handledAs: 'duplicate', path: 'none' });
        return c.text('success');
      }
      const answer = await turn.answer;
      if (answer === 'late') {
        // The turn handed its passive reply to another request of this message (WeChat gave up on
        // one of the two) or finished as this one came: this one gets the recorded answer.
        const again = await recordedAnswer();
        if (again) return again;
        // WeChat stops waiting at 5 s (and would retry): "success" now, the answer later (the inbox's turn sends it).
        return c.text('success');
      }
      if (answer.text.trim() === '') {
        handled({ handledAs: answer.handledAs, path: 'none' });
        return c.text('success');
      }
      handled({ handledAs: answer.handledAs, path: 'passive' });
      return passiveReply(c, to, answer.text);
    },
  );

  return app;
}
