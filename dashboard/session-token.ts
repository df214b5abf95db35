import { createHmac, timingSafeEqual } from 'node:crypto';
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

const mac = (key: Buffer, payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

export function sealSession(key: Buffer, session: Session): string {
  const payload = Buffer.from(JSON.stringify({ k: session.keyId, e: session.expiresAt, n: session.nonce })).toString('base64url');
  return `${payload}.${mac(key, payload)}`;
}

/** The session, or null when the token is malformed, forged or expired. */
export function openSession(key: Buffer, token: string, now: number): Session | null {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return null;
  const expected = Buffer.from(mac(key, payload));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
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
