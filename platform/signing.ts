import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Every HMAC the coordinator makes: email links, reply addresses, dashboard
 * sessions, CSRF tokens, and the keyed hashes that stand for subjects in the
 * disclosure log. Each signature names the key that made it, so the
 * secret can be rotated: new signatures use the current secret, and those of
 * earlier secrets (listed as previous) stay valid until they expire.
 * A purpose is part of what is signed, so a value signed for one use is never
 * accepted for another.
 */
export type SigningPurpose = 'link' | 'reply' | 'session' | 'csrf' | 'subject';

export interface Signature {
  keyId: string;
  mac: string;
}

export interface Keyring {
  /** A signature by the current key. */
  sign(purpose: SigningPurpose, payload: string): Signature;
  /**
   * Whether `mac` signs `payload` for `purpose` under the key `keyId`.
   * `truncatedTo`: the mac was cut to that many characters (reply addresses
   * are length-limited). `keyId` null is a signature made before signatures
   * named their key: it was made by the current key.
   */
  verify(purpose: SigningPurpose, payload: string, mac: string, keyId: string | null, truncatedTo?: number): boolean;
}

/** Four hex digits: enough to tell a handful of keys apart, short enough for a mailbox name. */
export const KEY_ID_PATTERN = '[0-9a-f]{4}';

export function keyIdOf(secret: string): string {
  return createHash('sha256').update(`jsc-signing-key-id\n${secret}`).digest('hex').slice(0, 4);
}

const macOf = (secret: string, purpose: SigningPurpose, payload: string) => createHmac('sha256', secret).update(`${purpose}.${payload}`).digest('base64url');

/** Compares in time that does not depend on where the texts differ. */
export function sameText(expected: string, actual: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(actual);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createKeyring(current: string, previous: readonly string[] = []): Keyring {
  const secrets = new Map<string, string>();
  for (const secret of [current, ...previous]) {
    const id = keyIdOf(secret);
    if (!secrets.has(id)) secrets.set(id, secret);
  }
  const currentId = keyIdOf(current);
  return {
    sign: (purpose, payload) => ({ keyId: currentId, mac: macOf(current, purpose, payload) }),
    verify(purpose, payload, mac, keyId, truncatedTo) {
      const secret = keyId === null ? current : secrets.get(keyId);
      if (!secret) return false;
      const expected = macOf(secret, purpose, payload);
      return sameText(truncatedTo === undefined ? expected : expected.slice(0, truncatedTo), mac);
    },
  };
}
