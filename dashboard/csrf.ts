import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Synchronizer tokens without server state: the token is an HMAC of the
 * session's nonce, so it is fixed for a session, unknown to other sites, and
 * checked by recomputing it. The sign-in form, which has no session yet, uses
 * the nonce of a short-lived pre-session cookie instead.
 */
export function csrfToken(key: Buffer, nonce: string): string {
  return createHmac('sha256', key).update(`csrf:${nonce}`).digest('base64url');
}

export function csrfTokenMatches(key: Buffer, nonce: string, submitted: unknown): boolean {
  if (typeof submitted !== 'string' || submitted === '') return false;
  const expected = Buffer.from(csrfToken(key, nonce));
  const given = Buffer.from(submitted);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}
