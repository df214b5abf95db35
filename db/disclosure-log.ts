import type { Logger } from 'pino';
import type { PrismaClient } from '../prisma/generated/client.js';

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

export interface DisclosureLogOptions {
  prisma: PrismaClient;
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
export function createDisclosureLog({ prisma, subjectHash, log, flushEveryMs = 1_000, batchSize = 500, maxQueued = 100_000 }: DisclosureLogOptions): DisclosureLog {
  let queue: { at: Date; departmentCode: string | null; keyId: string | null; subjectHash: string; purpose: string; listingId: string | null }[] = [];
  let writing: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    writing = writing.then(async () => {
      while (queue.length > 0) {
        const batch = queue.slice(0, batchSize);
        try {
          await prisma.disclosure.createMany({ data: batch });
        } catch (error) {
          log.warn({ err: error, queued: queue.length }, 'disclosures not written yet; retrying with the next batch');
          return;
        }
        queue = queue.slice(batch.length);
      }
    });
    return writing;
  };
  const timer = setInterval(() => void flush(), flushEveryMs);
  timer.unref();

  return {
    record(entry, at = new Date()) {
      const { idNumber, ...rest } = entry;
      queue.push({ at, ...rest, subjectHash: subjectHash(idNumber) });
      if (queue.length > maxQueued) {
        const dropped = queue.length - maxQueued;
        queue = queue.slice(dropped);
        log.warn({ dropped }, 'disclosure log full: the oldest unwritten entries were dropped');
      }
      if (queue.length >= batchSize) void flush();
    },
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
