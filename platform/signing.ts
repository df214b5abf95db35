import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signed tokens for the one-click link (`/ack/:token`) and the reply address of
 * a notice. Both use only URL-unreserved characters (base64url and '.'), so
 * they survive mail clients and address parsers.
 */
export type AckAction = 'acknowledge' | 'complete';

export interface LinkTokenClaims {
  taskId: string;
  action: AckAction;
  /** Expiry, seconds since the epoch. */
  expiresAt: number;
  /** Makes each issued token distinct, so a used one can be recorded. */
  nonce: string;
}

const encode = (value: Buffer | string) => Buffer.from(value).toString('base64url');

function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

function sameSignature(expected: string, actual: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(actual);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createLinkToken(
  secret: string,
  claims: Omit<LinkTokenClaims, 'nonce'> & { nonce?: string },
): string {
  const full: LinkTokenClaims = { ...claims, nonce: claims.nonce ?? randomBytes(9).toString('base64url') };
  const payload = encode(JSON.stringify([full.taskId, full.action, full.expiresAt, full.nonce]));
  return `${payload}.${sign(secret, `link.${payload}`)}`;
}

/** The claims of a well-signed token (expired or not), or null for a forged or malformed one. */
export function readLinkToken(secret: string, token: string): LinkTokenClaims | null {
  const [payload, signature, ...rest] = token.split('.');
  if (!payload || !signature || rest.length > 0) return null;
  if (!sameSignature(sign(secret, `link.${payload}`), signature)) return null;
  try {
    const [taskId, action, expiresAt, nonce] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof taskId !== 'string' || (action !== 'acknowledge' && action !== 'complete')) return null;
    if (typeof expiresAt !== 'number' || typeof nonce !== 'string') return null;
    return { taskId, action, expiresAt, nonce };
  } catch {
    return null;
  }
}

/**
 * The local part of a reply address. Mailbox local parts are limited to 64
 * characters, so it carries the task id in hex and a truncated signature.
 */
export function createReplyLocalPart(secret: string, taskId: string): string {
  const hex = taskId.replace(/-/g, '');
  return `reply+${hex}.${sign(secret, `reply.${hex}`).slice(0, 16)}`;
}

export function readReplyLocalPart(secret: string, localPart: string): string | null {
  const match = /^reply\+([0-9a-f]{32})\.([A-Za-z0-9_-]{16})$/.exec(localPart);
  if (!match) return null;
  const [, hex, signature] = match as unknown as [string, string, string];
  if (!sameSignature(sign(secret, `reply.${hex}`).slice(0, 16), signature)) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
