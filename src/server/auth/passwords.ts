import { hash, verify, type Algorithm, type Options } from '@node-rs/argon2';

/**
 * argon2id with the OWASP-recommended minimum (19 MiB, 2 passes, 1 lane). `Algorithm` is a const
 * enum in @node-rs/argon2's types, which isolated modules cannot read: 2 is `Algorithm.Argon2id`.
 */
const options: Options = { algorithm: 2 as Algorithm, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/**
 * Hashes a password with argon2id (a PHC string with its own salt: `$argon2id$v=19$m=19456,t=2,p=1$…`).
 *
 * @example const stored = await hashPassword('correct horse battery');
 */
export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

/**
 * Whether `password` matches a hash from {@link hashPassword}; false (never a throw) for a
 * malformed hash.
 *
 * @example if (await verifyPassword(stored, typed)) …
 */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/**
 * Spends about as long as checking a real password, so an unknown or locked account answers in
 * the same time as a known one (no user enumeration by timing).
 */
export async function verifyDummy(password: string): Promise<void> {
  dummy ??= hashPassword('zhiyin-dummy-password-never-matches');
  await verifyPassword(await dummy, password);
}
