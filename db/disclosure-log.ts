import type { Logger } from 'pino';
import type { DatabaseClient } from './client.js';

/** Why a full identifier was shown. */
export type DisclosurePurpose = 'check' | 'feed' | 'webhook' | 'listing-view';

export interface DisclosureEntry {
  departmentCode: string | null;
  keyId: string | null;
  idNumber: string;
  purpose: DisclosurePurpose;
  listingId: string | null;
}

export interface DisclosureLog {
  /** Queues an entry; it is written within `flushEveryMs`. Never waits for the database. */
  record(entry: DisclosureEntry, at?: Date): void;
  /** Writes what is queued (shutdown, tests). */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/** One row of the log as stored. */
export interface DisclosureRow {
  at: Date;
  departmentCode: string | null;
  keyId: string | null;
  subjectHash: string;
  purpose: string;
  listingId: string | null;
}

export interface DisclosureLogOptions {
  /** Writes one batch (plain SQL in production: see `disclosureWriter`). */
  write(batch: DisclosureRow[]): Promise<void>;
  /** The keyed hash a subject is stored as: the log never holds the number itself. */
  subjectHash: (idNumber: string) => string;
  log: Logger;
  flushEveryMs?: number;
  /** A full batch is written at once, without waiting for the timer. */
  batchSize?: number;
  /** Beyond this many unwritten entries (the database away for long), the oldest are dropped, with a warning. */
  maxQueued?: number;
}

/**
 * The record of every full identifier shown to a department, kept off the
 * critical path of the check: entries are queued in memory and written in
 * batches. A crash loses what was queued and not yet written — at most
 * `flushEveryMs` of disclosures, or one batch.
 */
export function createDisclosureLog({ write, subjectHash, log, flushEveryMs = 1_000, batchSize = 5_000, maxQueued = 200_000 }: DisclosureLogOptions): DisclosureLog {
  let queue: DisclosureRow[] = [];
  // One write at a time: a burst of checks queues entries, it does not queue writes.
  let writing: Promise<void> | null = null;
  let dropped = 0;

  /** Full batches as they fill; everything when `all` (the timer, shutdown). */
  async function writeQueued(all: boolean): Promise<void> {
    while (queue.length >= (all ? 1 : batchSize)) {
      const batch = queue.splice(0, batchSize);
      try {
        await write(batch);
      } catch (error) {
        // Kept for the next tick: the database may be restarting.
        queue.unshift(...batch);
        log.warn({ err: error, queued: queue.length }, 'disclosures not written yet; trying again shortly');
        return;
      }
    }
  }

  const flush = (all = true): Promise<void> => {
    writing ??= writeQueued(all).finally(() => {
      writing = null;
    });
    return writing;
  };
  const timer = setInterval(() => {
    if (dropped > 0) log.warn({ dropped }, 'disclosure log full: the oldest unwritten entries were dropped');
    dropped = 0;
    void flush();
  }, flushEveryMs);
  timer.unref();

  return {
    record(entry, at = new Date()) {
      const { idNumber, ...rest } = entry;
      queue.push({ at, ...rest, subjectHash: subjectHash(idNumber) });
      if (queue.length > maxQueued) {
        // A batch's worth at once, so a full log costs one copy per batch, not one per entry.
        const excess = Math.min(queue.length, queue.length - maxQueued + batchSize);
        queue.splice(0, excess);
        dropped += excess;
      }
      if (queue.length >= batchSize && writing === null) void flush(false);
    },
    flush: () => flush(),
    async stop() {
      clearInterval(timer);
      await writing;
      await flush();
    },
  };
}

/**
 * A batch as one INSERT of arrays: the ORM's per-row work, at thousands of
 * checks a second, was a quarter of the API's CPU. Instants go as UTC, as
 * the ORM stores them.
 */
export function disclosureWriter(rows: DatabaseClient['rows']): (batch: DisclosureRow[]) => Promise<void> {
  return async (batch) => {
    await rows(
      `INSERT INTO "Disclosure" (at, "departmentCode", "keyId", "subjectHash", purpose, "listingId")
       SELECT a AT TIME ZONE 'UTC', d, k, h, p, l FROM unnest($1::timestamptz[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::uuid[]) AS t(a, d, k, h, p, l)`,
      [
        batch.map((row) => row.at.toISOString()),
        batch.map((row) => row.departmentCode),
        batch.map((row) => row.keyId),
        batch.map((row) => row.subjectHash),
        batch.map((row) => row.purpose),
        batch.map((row) => row.listingId),
      ],
    );
  };
}
