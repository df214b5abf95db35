import { randomBytes } from 'node:crypto';
import type { TaskAction } from '../domain/tasks.js';
import { KEY_ID_PATTERN, type Keyring } from './signing.js';

/**
 * The signed values of a task notice: the one-click link (`/ack/:token`) and
 * the reply address. Both use only URL-unreserved characters (base64url and
 * '.'), so they survive mail clients and address parsers.
 */
export interface LinkTokenClaims {
  taskId: string;
  action: TaskAction;
  /** Expiry, seconds since the epoch. */
  expiresAt: number;
  /** Makes each issued token distinct, so a used one can be recorded. */
  nonce: string;
}

const encode = (value: string) => Buffer.from(value).toString('base64url');
const KEY_ID = new RegExp(`^${KEY_ID_PATTERN}$`);

/** `<payload>.<key id>.<mac>` */
export function createLinkToken(keyring: Keyring, claims: Omit<LinkTokenClaims, 'nonce'> & { nonce?: string }): string {
  const full: LinkTokenClaims = { ...claims, nonce: claims.nonce ?? randomBytes(9).toString('base64url') };
  const payload = encode(JSON.stringify([full.taskId, full.action, full.expiresAt, full.nonce]));
  const { keyId, mac } = keyring.sign('link', payload);
  return `${payload}.${keyId}.${mac}`;
}

/**
 * The claims of a well-signed token (expired or not), or null for a forged or
 * malformed one. Tokens mailed before signatures named their key
 * (`<payload>.<mac>`) are still read.
 */
export function readLinkToken(keyring: Keyring, token: string): LinkTokenClaims | null {
  const parts = token.split('.');
  const [payload, keyId, mac] = parts.length === 2 ? [parts[0], null, parts[1]] : parts;
  if (parts.length < 2 || parts.length > 3 || !payload || !mac || (keyId !== null && !KEY_ID.test(keyId ?? ''))) return null;
  if (!keyring.verify('link', payload, mac, keyId ?? null)) return null;
  try {
    const [taskId, action, expiresAt, nonce] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof taskId !== 'string' || (action !== 'acknowledge' && action !== 'complete')) return null;
    if (typeof expiresAt !== 'number' || typeof nonce !== 'string') return null;
    return { taskId, action, expiresAt, nonce };
  } catch {
    return null;
  }
}

/** Mailbox local parts are limited to 64 characters: the task id in hex, the key id and 16 characters of mac. */
const REPLY_MAC_LENGTH = 16;
export const REPLY_LOCAL_PART = new RegExp(`^reply\\+([0-9a-f]{32})\\.(?:(${KEY_ID_PATTERN})\\.)?([A-Za-z0-9_-]{${REPLY_MAC_LENGTH}})$`);

/** `reply+<task id hex>.<key id>.<mac>` */
export function createReplyLocalPart(keyring: Keyring, taskId: string): string {
  const hex = taskId.replace(/-/g, '');
  const { keyId, mac } = keyring.sign('reply', hex);
  return `reply+${hex}.${keyId}.${mac.slice(0, REPLY_MAC_LENGTH)}`;
}

/** The task a reply address names, or null when it is not one we signed. */
export function readReplyLocalPart(keyring: Keyring, localPart: string): string | null {
  const match = REPLY_LOCAL_PART.exec(localPart);
  if (!match) return null;
  const [, hex, keyId, mac] = match as unknown as [string, string, string | undefined, string];
  if (!keyring.verify('reply', hex, mac, keyId ?? null, REPLY_MAC_LENGTH)) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** How a subject is named where its number must not be kept (the disclosure log): `<key id>.<mac>`, the same for the same number under one key. */
export function subjectHashOf(keyring: Keyring, idNumber: string): string {
  const { keyId, mac } = keyring.sign('subject', idNumber);
  return `${keyId}.${mac}`;
}
