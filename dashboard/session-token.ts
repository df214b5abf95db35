import { KEY_ID_PATTERN, type Keyring } from '../platform/signing.js';
import { newNonce } from './csrf.js';

/**
 * What the session cookie carries: which API key signed in, until when, and a
 * random nonce that the CSRF token of the session is derived from. It holds no
 * secret: the API key itself never leaves the sign-in request.
 */
export interface Session {
  keyId: string;
  expiresAt: number;
  nonce: string;
}

export const SESSION_LIFETIME_MS = 8 * 60 * 60 * 1000;

export function newSession(keyId: string, now: number): Session {
  return { keyId, expiresAt: now + SESSION_LIFETIME_MS, nonce: newNonce() };
}

const SIGNING_KEY_ID = new RegExp(`^${KEY_ID_PATTERN}$`);

/** `<payload>.<signing key id>.<mac>` */
export function sealSession(keyring: Keyring, session: Session): string {
  const payload = Buffer.from(JSON.stringify({ k: session.keyId, e: session.expiresAt, n: session.nonce })).toString('base64url');
  const { keyId, mac } = keyring.sign('session', payload);
  return `${payload}.${keyId}.${mac}`;
}

/** The session, or null when the token is malformed, forged or expired. */
export function openSession(keyring: Keyring, token: string, now: number): Session | null {
  const [payload, signingKeyId, mac, extra] = token.split('.');
  if (!payload || !signingKeyId || !mac || extra !== undefined || !SIGNING_KEY_ID.test(signingKeyId)) return null;
  if (!keyring.verify('session', payload, mac, signingKeyId)) return null;
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const { k, e, n } = (fields ?? {}) as Record<string, unknown>;
  if (typeof k !== 'string' || typeof e !== 'number' || typeof n !== 'string') return null;
  if (e <= now) return null;
  return { keyId: k, expiresAt: e, nonce: n };
}
