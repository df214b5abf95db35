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

/**
 * What a reply address grants by itself: acknowledgment. Anything more needs
 * mail whose sender a trusted relay authenticated (app/replies.ts).
 */
export type ReplyGrant = 'acknowledge';

export interface ReplyAddressClaims {
  taskId: string;
  grant: ReplyGrant;
  /** Expiry, seconds since the epoch; null for an address mailed before addresses expired. */
  expiresAt: number | null;
}

/**
 * Mailbox local parts are limited to 64 characters:
 * `reply+` (6), the task id in base 32 (26), `.`, the grant and the expiry in
 * hours since the epoch, base 36 (1 + 4), `.`, the key id (4), `.`, and 16
 * characters (96 bits) of mac: 60 in all.
 */
const REPLY_MAC_LENGTH = 16;
const GRANT_CODES: Record<string, ReplyGrant> = { a: 'acknowledge' };
const CODE_OF_GRANT: Record<ReplyGrant, string> = { acknowledge: 'a' };
const REPLY_ADDRESS = new RegExp(`^reply\\+([0-9a-v]{26})\\.([a-z])([0-9a-z]{4})\\.(${KEY_ID_PATTERN})\\.([A-Za-z0-9_-]{${REPLY_MAC_LENGTH}})$`);
/** Addresses mailed before they expired: the task id in hex, no grant, no expiry. */
const LEGACY_REPLY_ADDRESS = new RegExp(`^reply\\+([0-9a-f]{32})\\.(?:(${KEY_ID_PATTERN})\\.)?([A-Za-z0-9_-]{${REPLY_MAC_LENGTH}})$`);

/** Whether a local part has the shape of a reply address (signed or not by us). */
export const looksLikeReplyAddress = (localPart: string) => REPLY_ADDRESS.test(localPart) || LEGACY_REPLY_ADDRESS.test(localPart);

const HOUR_SECONDS = 3600;
const uuidOfHex = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
const compactTaskId = (taskId: string) => BigInt(`0x${taskId.replace(/-/g, '')}`).toString(32).padStart(26, '0');
function taskIdOfCompact(compact: string): string | null {
  const hex = [...compact].reduce((value, digit) => value * 32n + BigInt(parseInt(digit, 32)), 0n).toString(16);
  return hex.length > 32 ? null : uuidOfHex(hex.padStart(32, '0'));
}

/**
 * `reply+<task>.<grant><expiry>.<key id>.<mac>`. The expiry is rounded up to
 * the hour, so the address never expires before `expiresAt`.
 */
export function createReplyLocalPart(keyring: Keyring, claims: { taskId: string; expiresAt: number; grant?: ReplyGrant }): string {
  const hours = Math.ceil(claims.expiresAt / HOUR_SECONDS).toString(36);
  if (hours.length > 4) throw new RangeError(`reply address expiry out of range: ${claims.expiresAt}`);
  const payload = `${compactTaskId(claims.taskId)}.${CODE_OF_GRANT[claims.grant ?? 'acknowledge']}${hours.padStart(4, '0')}`;
  const { keyId, mac } = keyring.sign('reply', payload);
  return `reply+${payload}.${keyId}.${mac.slice(0, REPLY_MAC_LENGTH)}`;
}

/**
 * The claims of a reply address we signed (expired or not), or null when we
 * did not sign it. Addresses in the earlier format (the task id alone) are
 * still read, with no expiry: the caller decides how long they count.
 */
export function readReplyLocalPart(keyring: Keyring, localPart: string): ReplyAddressClaims | null {
  const current = REPLY_ADDRESS.exec(localPart);
  if (current) {
    const [, task, grantCode, hours, keyId, mac] = current as unknown as [string, string, string, string, string, string];
    const grant = GRANT_CODES[grantCode];
    if (!grant || !keyring.verify('reply', `${task}.${grantCode}${hours}`, mac, keyId, REPLY_MAC_LENGTH)) return null;
    const taskId = taskIdOfCompact(task);
    return taskId ? { taskId, grant, expiresAt: parseInt(hours, 36) * HOUR_SECONDS } : null;
  }
  const legacy = LEGACY_REPLY_ADDRESS.exec(localPart);
  if (!legacy) return null;
  const [, hex, keyId, mac] = legacy as unknown as [string, string, string | undefined, string];
  if (!keyring.verify('reply', hex, mac, keyId ?? null, REPLY_MAC_LENGTH)) return null;
  return { taskId: uuidOfHex(hex), grant: 'acknowledge', expiresAt: null };
}

/** How a subject is named where its number must not be kept (the disclosure log): `<key id>.<mac>`, the same for the same number under one key. */
export function subjectHashOf(keyring: Keyring, idNumber: string): string {
  const { keyId, mac } = keyring.sign('subject', idNumber);
  return `${keyId}.${mac}`;
}

/**
 * The link in an asset request's email: it lets a small institution without
 * its own system answer that one request from the page it opens, until
 * `expiresAt` (seconds since the epoch). `<payload>.<key id>.<mac>`.
 */
export function createAssetAnswerToken(keyring: Keyring, claims: { requestId: string; expiresAt: number }): string {
  const payload = encode(JSON.stringify([claims.requestId, claims.expiresAt]));
  const { keyId, mac } = keyring.sign('asset-answer', payload);
  return `${payload}.${keyId}.${mac}`;
}

/** The claims of an asset answer link we signed (expired or not), or null. */
export function readAssetAnswerToken(keyring: Keyring, token: string): { requestId: string; expiresAt: number } | null {
  const [payload, keyId, mac, ...rest] = token.split('.');
  if (rest.length > 0 || !payload || !keyId || !mac || !KEY_ID.test(keyId)) return null;
  if (!keyring.verify('asset-answer', payload, mac, keyId)) return null;
  try {
    const [requestId, expiresAt] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof requestId === 'string' && typeof expiresAt === 'number' ? { requestId, expiresAt } : null;
  } catch {
    return null;
  }
}
