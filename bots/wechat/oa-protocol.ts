import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';

/**
 * The WeChat Official Account (公众号) wire format: request signatures, the AES "safe mode"
 * envelope (the scheme WeChat shares with WeCom, done by `@wecom/crypto`), and the XML of
 * messages and passive replies (`fast-xml-parser`).
 */

/** A request that is not from WeChat: wrong signature, or an envelope for another app. */
export class OfficialAccountAuthError extends Error {
  override readonly name = 'OfficialAccountAuthError';
}

/** A body that is not a WeChat message. */
export class OfficialAccountFormatError extends Error {
  override readonly name = 'OfficialAccountFormatError';
}

/** The plain-mode signature: sha1 of token, timestamp and nonce, sorted and joined. */
export function plainSignature(token: string, timestamp: string, nonce: string): string {
  return createHash('sha1').update([token, timestamp, nonce].sort().join('')).digest('hex');
}

/** The safe-mode signature (`msg_signature`): the same over token, timestamp, nonce and the ciphertext. */
export function messageSignature(token: string, timestamp: string, nonce: string, encrypted: string): string {
  return getSignature(token, timestamp, nonce, encrypted);
}

/** Whether a signature from a request equals the expected one (in constant time). */
export function sameSignature(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected.toLowerCase(), 'utf8');
  const b = Buffer.from(given.trim().toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether a string can be an EncodingAESKey (43 characters of base64 without the trailing `=`). */
export function isEncodingAESKey(key: string): boolean {
  return /^[A-Za-z0-9+/]{43}$/u.test(key);
}

/**
 * Opens a safe-mode envelope: the plaintext inside, after checking that it was sealed for
 * `appId`. Throws `OfficialAccountAuthError` when it cannot be opened or is for another app.
 */
export function openEnvelope(encodingAESKey: string, appId: string, encrypted: string): string {
  let opened: { message: string; id: string };
  try {
    opened = decrypt(encodingAESKey, encrypted);
  } catch {
    throw new OfficialAccountAuthError('the envelope cannot be opened');
  }
  if (opened.id !== appId) throw new OfficialAccountAuthError('the envelope is for another app');
  return opened.message;
}

/** Seals a plaintext (a reply's XML) in a safe-mode envelope for `appId`. */
export function sealEnvelope(encodingAESKey: string, appId: string, plaintext: string): string {
  return encrypt(encodingAESKey, plaintext, appId);
}

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, processEntities: true, ignoreDeclaration: true });
const builder = new XMLBuilder({ cdataPropName: '__cdata', format: false });

/**
 * The fields of a WeChat XML message (`<xml><ToUserName>…</ToUserName>…</xml>`) as strings —
 * numbers too (a MsgId does not fit a JS number). Throws `OfficialAccountFormatError` for
 * anything else; documents with a DTD are refused (WeChat never sends one).
 */
export function parseMessageXml(xml: string): Record<string, string> {
  if (/<!(?:DOCTYPE|ENTITY)/iu.test(xml)) throw new OfficialAccountFormatError('a DTD is not accepted');
  let parsed: unknown;
  try {
    parsed = parser.parse(xml, true);
  } catch {
    throw new OfficialAccountFormatError('not well-formed XML');
  }
  const root = (parsed as { xml?: unknown }).xml;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) throw new OfficialAccountFormatError('no <xml> root');
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(root)) {
    if (typeof value === 'string') fields[key] = value;
  }
  return fields;
}

/** A passive text reply: `<xml>` with ToUserName, FromUserName, CreateTime, MsgType text and Content. */
export function textReplyXml(reply: { toUser: string; fromUser: string; createTime: number; content: string }): string {
  return builder.build({
    xml: {
      ToUserName: { __cdata: reply.toUser },
      FromUserName: { __cdata: reply.fromUser },
      CreateTime: reply.createTime,
      MsgType: { __cdata: 'text' },
      Content: { __cdata: reply.content },
    },
  }) as string;
}

/** A safe-mode reply: the sealed reply XML with its signature, timestamp and nonce. */
export function encryptedReplyXml(reply: { encrypt: string; signature: string; timestamp: string; nonce: string }): string {
  return builder.build({
    xml: {
      Encrypt: { __cdata: reply.encrypt },
      MsgSignature: { __cdata: reply.signature },
      TimeStamp: reply.timestamp,
      Nonce: { __cdata: reply.nonce },
    },
  }) as string;
}

/** A nonce as WeChat makes them (digits). */
export function newNonce(): string {
  return String(randomInt(100_000_000, 2_000_000_000));
}
