import { describe, expect, it } from 'vitest';
import { StudentIdentities } from './identity.ts';

describe('student identities', () => {
  const identities = new StudentIdentities('k'.repeat(32));

  it('verifies a cookie it signed, and gives each new identity another id', () => {
    const id = identities.create();
    expect(identities.verify(identities.sign(id))).toBe(id);
    expect(identities.create()).not.toBe(id);
  });

  it('refuses a changed id, a changed or missing signature, and another key’s cookie', () => {
    const id = identities.create();
    const [, signature] = identities.sign(id).split('.');
    const other = identities.create();
    expect(identities.verify(`${other}.${signature}`)).toBeNull();
    expect(identities.verify(`${id}.${signature!.slice(0, -1)}${signature!.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    expect(identities.verify(id)).toBeNull();
    expect(identities.verify(`${id}.${signature}.x`)).toBeNull();
    expect(identities.verify(undefined)).toBeNull();
    expect(new StudentIdentities('z'.repeat(32)).verify(identities.sign(id))).toBeNull();
  });

  it('gives each identity its own form token', () => {
    const [a, b] = [identities.create(), identities.create()];
    expect(identities.checkFormToken(a, identities.formToken(a))).toBe(true);
    expect(identities.checkFormToken(a, identities.formToken(b))).toBe(false);
    expect(identities.checkFormToken(a, undefined)).toBe(false);
    // the form token is not the cookie's signature (a page of another site sees neither, but they differ)
    expect(identities.formToken(a)).not.toBe(identities.sign(a).split('.')[1]);
  });

  it('needs a key of at least 32 characters', () => {
    expect(() => new StudentIdentities('short')).toThrow(/32/u);
  });
});
