import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Prisma } from '../prisma/generated/client.js';

/**
 * The audit trail. Events are only ever appended; each carries the hash of the
 * one before it in the same listing, so changing or removing a stored event
 * breaks every hash after it.
 */
export const GENESIS_HASH = '0'.repeat(64);

export interface NewEvent {
  /** Deterministic id (e.g. `<taskId>:acknowledged`), so a retried write appends nothing. */
  id: string;
  at: Date;
  type: string;
  actor: string;
  taskId?: string | null;
  data?: Record<string, unknown>;
}

export interface StoredEvent {
  id: string;
  listingId: string;
  at: Date;
  type: string;
  actor: string;
  taskId: string | null;
  data: unknown;
  prevHash: string;
  hash: string;
}

/** What joins an event's body to the hash before it. */
export const EVENT_HASH_SEPARATOR = '\n';

/** The event as its hash covers it: canonical JSON (RFC 8785) of its fields. */
export function eventBody(event: Omit<StoredEvent, 'prevHash' | 'hash'>): string {
  return (
    canonicalize({
      id: event.id,
      listingId: event.listingId,
      at: event.at.toISOString(),
      type: event.type,
      actor: event.actor,
      taskId: event.taskId,
      data: event.data ?? {},
    }) ?? ''
  );
}

/** SHA-256 of the previous hash, the separator and the body, in hex. (The acknowledgment computes the same in SQL.) */
export function eventHash(prevHash: string, event: Omit<StoredEvent, 'prevHash' | 'hash'>): string {
  return createHash('sha256').update(prevHash).update(EVENT_HASH_SEPARATOR).update(eventBody(event)).digest('hex');
}

/**
 * Takes the listing's row lock for the rest of the transaction. Writers of one
 * listing's chain take turns; other listings are not blocked. Every
 * transaction that also locks tasks takes this lock first.
 */
export async function lockListing(tx: Prisma.TransactionClient, listingId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM "Listing" WHERE id = ${listingId}::uuid FOR UPDATE`;
}

/** Appends events to a listing's chain inside the caller's transaction. */
export async function appendEvents(tx: Prisma.TransactionClient, listingId: string, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await lockListing(tx, listingId);
  const known = new Set(
    (await tx.event.findMany({ where: { id: { in: events.map((e) => e.id) } }, select: { id: true } })).map((e) => e.id),
  );
  const last = await tx.event.findFirst({ where: { listingId }, orderBy: { seq: 'desc' }, select: { hash: true } });
  let prevHash = last?.hash ?? GENESIS_HASH;
  const rows = [];
  for (const event of events) {
    if (known.has(event.id)) continue;
    const stored = {
      id: event.id,
      listingId,
      at: new Date(event.at.getTime()),
      type: event.type,
      actor: event.actor,
      taskId: event.taskId ?? null,
      data: (event.data ?? {}) as Prisma.InputJsonObject,
    };
    const hash = eventHash(prevHash, stored);
    rows.push({ ...stored, prevHash, hash });
    prevHash = hash;
  }
  if (rows.length > 0) await tx.event.createMany({ data: rows });
}

/** Checks a listing's events, oldest first: the index of the first broken link, or null when intact. */
export function findBrokenLink(events: StoredEvent[]): number | null {
  let prevHash = GENESIS_HASH;
  for (const [index, event] of events.entries()) {
    if (event.prevHash !== prevHash || eventHash(prevHash, event) !== event.hash) return index;
    prevHash = event.hash;
  }
  return null;
}
