import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Queryable } from '../../src/store/database.ts';

/** The cookie that carries a web-chat student's anonymous identity. */
export const identityCookie = 'zhiyin_student';

const idShape = /^w[A-Za-z0-9_-]{22}$/u;
const signatureShape = /^[A-Za-z0-9_-]{43}$/u;

/**
 * Anonymous student identities for the web chat: a random id, signed with HMAC-SHA256 so that a
 * browser can hold it in a cookie but nobody can make up (or guess) another student's. The same
 * key derives each identity's form token (CSRF), so nothing about a visitor is stored until they
 * write.
 *
 * @example
 * const identities = new StudentIdentities(secret);
 * const cookie = identities.sign(identities.create()); // 'wAbc….sig'
 * identities.verify(cookie); // 'wAbc…', or null for anything forged
 */
export class StudentIdentities {
  readonly #key: Buffer;

  constructor(secret: string) {
    if (secret.length < 32) throw new Error('the web chat secret must be at least 32 characters');
    this.#key = Buffer.from(secret, 'utf8');
  }

  /** A new identity: `w` and 22 characters of 128 random bits. */
  create(): string {
    return `w${randomBytes(16).toString('base64url')}`;
  }

  /** The cookie value for an identity: `<id>.<signature>`. */
  sign(id: string): string {
    return `${id}.${this.#mac('identity', id)}`;
  }

  /** The identity a cookie value proves, or null when it is malformed or its signature is wrong. */
  verify(value: string | undefined): string | null {
    if (!value) return null;
    const [id, signature, ...rest] = value.split('.');
    if (rest.length > 0 || !id || !signature || !idShape.test(id) || !signatureShape.test(signature)) return null;
    return this.#equal(signature, this.#mac('identity', id)) ? id : null;
  }

  /** The form token of an identity (sent with every POST; a page of another site cannot read it). */
  formToken(id: string): string {
    return this.#mac('form', id);
  }

  /** Whether `token` is the form token of `id`. */
  checkFormToken(id: string, token: string | undefined): boolean {
    return typeof token === 'string' && signatureShape.test(token) && this.#equal(token, this.formToken(id));
  }

  #mac(purpose: string, id: string): string {
    return createHmac('sha256', this.#key).update(`zhiyin-web-chat\u0000${purpose}\u0000${id}`).digest('base64url');
  }

  #equal(a: string, b: string): boolean {
    const left = Buffer.from(a, 'utf8');
    const right = Buffer.from(b, 'utf8');
    return left.length === right.length && timingSafeEqual(left, right);
  }
}

/**
 * The key that signs identities: `configured` (WEB_CHAT_SECRET) when given, otherwise the one kept
 * in the database — generated on first use (256 random bits) and shared by every instance, so a
 * restart or a second instance keeps students' cookies valid. Never in the repository.
 *
 * @example const secret = await webChatSecret(db, config.WEB_CHAT_SECRET);
 */
export async function webChatSecret(db: Queryable, configured?: string): Promise<string> {
  if (configured) return configured;
  await db.query(`insert into web_chat_keys (name, secret) values ('identity', $1) on conflict (name) do nothing`, [randomBytes(32).toString('base64url')]);
  const { rows } = await db.query<{ secret: string }>(`select secret from web_chat_keys where name = 'identity'`);
  return rows[0]!.secret;
}
