import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * Every HMAC the coordinator makes: email links, reply addresses, dashboard
 * sessions, CSRF tokens, and the keyed hashes that stand for subjects in the
 * disclosure log. Each purpose signs with a key of its own, derived from a
 * master secret (HKDF-SHA256), so a key that leaks for one use signs nothing
 * else. Each signature names the master secret that made it, so secrets can
 * be rotated: new signatures use the current secret, and those of earlier
 * secrets (listed as previous) stay valid until they expire.
 */
export type SigningPurpose = 'link' | 'reply' | 'session' | 'csrf' | 'subject' | 'asset-answer';

const PURPOSES: readonly SigningPurpose[] = ['link', 'reply', 'session', 'csrf', 'subject', 'asset-answer'];
/** What the dashboard signs: its own secret when one is configured, so mailed links and sessions share nothing. */
const DASHBOARD_PURPOSES: readonly SigningPurpose[] = ['session', 'csrf'];
/**
 * Links and reply addresses mailed before keys were derived per purpose were
 * signed with the master secret itself; they are accepted until they expire
 * (30 days after their task's deadline), so notices already sent keep working.
 * Sessions, CSRF tokens and subject hashes made that way are not: sessions
 * are simply signed in again.
 */
const UNDERIVED_ACCEPTED: readonly SigningPurpose[] = ['link', 'reply'];

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

/** The id a secret's derived keys are named by. */
export function keyIdOf(secret: string): string {
  return createHash('sha256').update(`jsc-signing-key-id/derived\n${secret}`).digest('hex').slice(0, 4);
}

/** The id signatures made with the master secret itself named (before keys were derived per purpose). */
export function underivedKeyIdOf(secret: string): string {
  return createHash('sha256').update(`jsc-signing-key-id\n${secret}`).digest('hex').slice(0, 4);
}

/** The key of one purpose: HKDF-SHA256 of the master secret, the purpose as its info. */
export function derivedKeyOf(secret: string, purpose: SigningPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'jsc-signing', `jsc-signing/${purpose}`, 32));
}

const macOf = (key: Buffer | string, purpose: SigningPurpose, payload: string) => createHmac('sha256', key).update(`${purpose}.${payload}`).digest('base64url');

/** Compares in time that does not depend on where the texts differ. */
export function sameText(expected: string, actual: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(actual);
  return a.length === b.length && timingSafeEqual(a, b);
}

interface PurposeKeys {
  current: { id: string; key: Buffer };
  /** By key id: the current and previous secrets' keys for this purpose. */
  byId: Map<string, Buffer>;
  /** By underived key id: master secrets whose own MACs are still accepted for this purpose. */
  underived: Map<string, string>;
  /** The master secret a signature without key id was made with. */
  currentUnderived: string | null;
}

function purposeKeys(purpose: SigningPurpose, current: string, previous: readonly string[]): PurposeKeys {
  const byId = new Map<string, Buffer>();
  const underived = new Map<string, string>();
  const acceptsUnderived = UNDERIVED_ACCEPTED.includes(purpose);
  for (const secret of [current, ...previous]) {
    if (!byId.has(keyIdOf(secret))) byId.set(keyIdOf(secret), derivedKeyOf(secret, purpose));
    if (acceptsUnderived && !underived.has(underivedKeyIdOf(secret))) underived.set(underivedKeyIdOf(secret), secret);
  }
  return { current: { id: keyIdOf(current), key: derivedKeyOf(current, purpose) }, byId, underived, currentUnderived: acceptsUnderived ? current : null };
}

/**
 * `current`: ACK_TOKEN_SECRET (or the embedded default's secret file); `previous`:
 * ACK_TOKEN_PREVIOUS_SECRETS; `session`: SESSION_SECRET, which then signs sessions
 * and CSRF tokens instead of `current`.
 */
export function createKeyring(current: string, previous: readonly string[] = [], options: { session?: string | undefined } = {}): Keyring {
  const keys = new Map<SigningPurpose, PurposeKeys>();
  for (const purpose of PURPOSES) {
    // A separate dashboard secret has no previous ones: rotating it signs everyone out, which is what it is for.
    const dashboard = options.session !== undefined && DASHBOARD_PURPOSES.includes(purpose);
    keys.set(purpose, dashboard ? purposeKeys(purpose, options.session!, []) : purposeKeys(purpose, current, previous));
  }
  const keysOf = (purpose: SigningPurpose) => keys.get(purpose)!;
  const matches = (expected: string, mac: string, truncatedTo: number | undefined) => sameText(truncatedTo === undefined ? expected : expected.slice(0, truncatedTo), mac);
  return {
    sign(purpose, payload) {
      const { current: key } = keysOf(purpose);
      return { keyId: key.id, mac: macOf(key.key, purpose, payload) };
    },
    verify(purpose, payload, mac, keyId, truncatedTo) {
      const ring = keysOf(purpose);
      const derived = keyId === null ? ring.current.key : ring.byId.get(keyId);
      if (derived && matches(macOf(derived, purpose, payload), mac, truncatedTo)) return true;
      const underived = keyId === null ? ring.currentUnderived : ring.underived.get(keyId);
      return underived !== undefined && underived !== null && matches(macOf(underived, purpose, payload), mac, truncatedTo);
    },
  };
}

