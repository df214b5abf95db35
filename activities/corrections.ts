import { createCatalogVersions } from '../db/catalog-versions.js';
import { appendEvents } from '../db/events.js';
import { columnValueOf } from '../db/listing-data.js';
import { boundPersonsOf, correctRestrictions } from '../db/restrictions.js';
import { dispatchPlan } from '../domain/catalog.js';
import { boundSubjectsOf } from '../domain/restrictions.js';
import type { PlannedTask } from '../workflows/types.js';
import type { ActivityDeps } from './deps.js';

export interface AppliedCorrection {
  /** The departments and measures the corrected data calls for. */
  plan: PlannedTask[];
  expiresAt: string | null;
}

type ColumnChanges = Record<string, { from: unknown; to: unknown }>;

/**
 * Applies a recorded correction (art. 9) to the listing: its data, its
 * restrictions and the feed, its audit trail, in one transaction. The
 * workflow is the one writer; a retry finds the correction applied and
 * answers the same.
 */
export function createCorrectionActivities({ prisma, now = () => new Date() }: ActivityDeps) {
  const catalogs = createCatalogVersions(prisma);
  return {
    async applyCorrection({ listingId, correctionId }: { listingId: string; correctionId: string }): Promise<AppliedCorrection | null> {
      const listing = await prisma.$transaction(async (tx) => {
        const correction = await tx.correction.findUnique({ where: { id: correctionId } });
        if (!correction || correction.listingId !== listingId) return null;
        if (correction.acceptedAt) return tx.listing.findUniqueOrThrow({ where: { id: listingId } });
        const at = now();
        const changes = correction.changes as ColumnChanges;
        const corrected = await tx.listing.update({
          where: { id: listingId },
          data: Object.fromEntries(Object.entries(changes).map(([column, { to }]) => [column, columnValueOf(column, to)])),
        });
        await tx.correction.update({ where: { id: correctionId }, data: { acceptedAt: at } });
        await appendEvents(tx, listingId, [
          { id: `${correctionId}.corrected`, at, type: 'corrected', actor: correction.by, data: { correctionId, reason: correction.reason, changes } },
        ]);
        // Last: it holds the change feed until the commit.
        await correctRestrictions(tx, corrected, await catalogs.get(corrected.catalogVersion), at);
        return corrected;
      });
      if (!listing) return null;
      const catalog = await catalogs.get(listing.catalogVersion);
      return {
        plan: dispatchPlan(catalog, { debtorKind: listing.debtorKind as 'individual' | 'entity', boundSubjects: boundSubjectsOf(boundPersonsOf(listing)) }),
        expiresAt: listing.expiresAt?.toISOString() ?? null,
      };
    },
  };
}
