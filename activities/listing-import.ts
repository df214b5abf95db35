import type { Principal } from '../domain/access.js';
import type { ActivityDeps } from './deps.js';

/** A row of an import as queued at upload: its spreadsheet row number and its listing request. */
export interface QueuedRow {
  row: number;
  body: Record<string, unknown>;
}

export type RowOutcome = { outcome: 'created' | 'existing'; listingId: string } | { outcome: 'failed'; message: string };

/** How a row becomes a listing: the same intake as POST /api/listings, in the uploader's name. */
export interface ListingIntake {
  record(principal: Principal, body: Record<string, unknown>): Promise<RowOutcome>;
}

/** Rows recorded by one activity, side by side, and between two progress updates. */
export const IMPORT_BATCH_SIZE = 8;

/**
 * Records the next batch of an import and its progress. A retried batch finds
 * the listings it recorded before (the intake is idempotent per court, case
 * and debtor), so no row is ever listed twice.
 */
export function createListingImportActivities({ prisma, listingIntake, log, now = () => new Date() }: ActivityDeps) {
  return {
    async recordImportBatch(importId: string): Promise<{ done: boolean }> {
      const job = await prisma.listingImport.findUniqueOrThrow({ where: { id: importId } });
      if (job.status === 'completed') return { done: true };
      const queue = job.rows as unknown as QueuedRow[];
      const batch = queue.slice(job.processed, job.processed + IMPORT_BATCH_SIZE);
      const principal = job.principal as unknown as Principal;
      const outcomes = await Promise.all(batch.map(async ({ row, body }) => ({ row, ...(await listingIntake.record(principal, body)) })));
      const counts = { processed: job.processed + batch.length, created: job.created, existing: job.existing, failed: job.failed };
      for (const { outcome } of outcomes) counts[outcome] += 1;
      const done = counts.processed >= queue.length;
      await prisma.$transaction([
        prisma.listingImportResult.createMany({
          data: outcomes.map((result) => ({
            importId,
            row: result.row,
            outcome: result.outcome,
            listingId: 'listingId' in result ? result.listingId : null,
            message: 'message' in result ? result.message : null,
          })),
          skipDuplicates: true,
        }),
        // Once done, the listings hold the rows; the import keeps only its results.
        prisma.listingImport.update({
          where: { id: importId },
          data: { ...counts, ...(done ? { status: 'completed', completedAt: now(), rows: [] } : { status: 'running' }) },
        }),
      ]);
      if (done) log.info({ importId, ...counts }, 'listing import completed');
      return { done };
    },
  };
}
