import type { Principal } from '../domain/access.js';
import { apiKeyStateOf } from '../domain/api-key-state.js';
import type { QueuedRow } from './ports.js';
import type { ActivityDeps } from './deps.js';

/** Rows recorded side by side, and between two progress updates. */
export const IMPORT_CHUNK_SIZE = 8;
/** Chunks one activity records: fewer round trips through the workflow, progress still saved every chunk. */
const CHUNKS_PER_ACTIVITY = 4;

/**
 * Records the next rows of an import, saving progress after each chunk. A
 * retried activity starts from the last saved chunk and finds the listings it
 * recorded before (the intake is idempotent per court, case and debtor), so
 * no row is ever listed twice.
 */
export function createListingImportActivities({ prisma, listingIntake, log, now = () => new Date() }: ActivityDeps) {
  async function recordChunk(importId: string): Promise<{ done: boolean }> {
    const job = await prisma.listingImport.findUniqueOrThrow({ where: { id: importId } });
    if (job.status === 'completed' || job.status === 'stopped') return { done: true };
    // Each chunk is recorded in the importing key's name: once that key is revoked or expired, no further row is.
    const key = await prisma.apiKey.findUnique({ where: { id: job.createdByKeyId }, select: { revokedAt: true, expiresAt: true } });
    const keyState = key ? apiKeyStateOf(key, now()) : 'revoked';
    if (keyState !== 'active') {
      await prisma.listingImport.update({ where: { id: importId }, data: { status: 'stopped', stoppedReason: `key-${keyState}`, completedAt: now(), rows: [] } });
      log.warn({ importId, processed: job.processed, total: job.total, keyState }, 'listing import stopped: its key no longer acts');
      return { done: true };
    }
    const queue = job.rows as unknown as QueuedRow[];
    const chunk = queue.slice(job.processed, job.processed + IMPORT_CHUNK_SIZE);
    const principal = job.principal as unknown as Principal;
    const outcomes = await Promise.all(chunk.map(async ({ row, body }) => ({ row, ...(await listingIntake.record(principal, body)) })));
    const counts = { processed: job.processed + chunk.length, created: job.created, existing: job.existing, failed: job.failed };
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
  }

  return {
    async recordImportBatch(importId: string): Promise<{ done: boolean }> {
      for (let chunk = 0; chunk < CHUNKS_PER_ACTIVITY; chunk++) {
        if ((await recordChunk(importId)).done) return { done: true };
      }
      return { done: false };
    },
  };
}
