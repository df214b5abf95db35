import { randomBytes } from 'node:crypto';
import { KEY_ID_PATTERN, type Keyring } from '../platform/signing.js';

/**
 * Synchronizer tokens without server state: the token is a signature of the
 * session's nonce, so it is fixed for a session, unknown to other sites, and
 * checked by recomputing it. The sign-in form, which has no session yet, uses
 * the nonce of a short-lived pre-session cookie instead.
 */
export function csrfToken(keyring: Keyring, nonce: string): string {
  const { keyId, mac } = keyring.sign('csrf', nonce);
  return `${keyId}.${mac}`;
}

const TOKEN = new RegExp(`^(${KEY_ID_PATTERN})\\.([A-Za-z0-9_-]+)$`);

export function csrfTokenMatches(keyring: Keyring, nonce: string, submitted: unknown): boolean {
  if (typeof submitted !== 'string') return false;
  const match = TOKEN.exec(submitted);
  return match !== null && keyring.verify('csrf', nonce, match[2]!, match[1]!);
}

export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}
