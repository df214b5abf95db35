import { createCatalogVersions } from '../db/catalog-versions.js';
import { appendEvents } from '../db/events.js';
import { endRestrictions } from '../db/restrictions.js';
import type { DeletionGround } from '../domain/listings.js';
import type { LiftReason, ListingStatus } from '../workflows/types.js';
import type { ActivityDeps } from './deps.js';

export interface BeginLiftingInput {
  listingId: string;
  reason: LiftReason;
  by: string;
  note?: string | undefined;
  performedAt?: string | undefined;
  ground?: DeletionGround | undefined;
  decidedAt?: string | undefined;
  networkSearches?: string[] | undefined;
  at: string;
  cancelledTaskIds: string[];
}

/** The listing's own state in the read model: lifting, closing, a longer period. */
export function createListingRecordActivities({ prisma }: ActivityDeps) {
  const catalogs = createCatalogVersions(prisma);
  const catalogOf = (version: number) => catalogs.get(version);
  return {
    /** The court recorded a lift: from `at` on no check answers "restricted", whatever the lift tasks' state. */
    async endRestrictions({ listingId, at }: { listingId: string; at: string }): Promise<void> {
      await prisma.$transaction((tx) => endRestrictions(tx, listingId, new Date(at), catalogOf));
    },

    async beginLifting(input: BeginLiftingInput): Promise<void> {
      const at = new Date(input.at);
      await prisma.$transaction(async (tx) => {
        await tx.listing.update({
          where: { id: input.listingId },
          data: {
            status: 'lifting',
            liftReason: input.reason,
            liftRequestedAt: at,
            deletionGround: input.ground ?? null,
            liftDecidedAt: input.decidedAt ? new Date(input.decidedAt) : null,
            performedAt: input.performedAt ? new Date(input.performedAt) : null,
          },
        });
        await tx.task.updateMany({
          where: { id: { in: input.cancelledTaskIds }, status: { in: ['pending', 'acknowledged', 'declined'] } },
          data: { status: 'cancelled', openDeadlineAt: null },
        });
        await appendEvents(tx, input.listingId, [
          {
            id: `${input.listingId}.lift-requested`,
            at,
            type: 'lift-requested',
            actor: input.by,
            data: {
              reason: input.reason,
              note: input.note ?? null,
              performedAt: input.performedAt ?? null,
              ...(input.ground ? { ground: input.ground } : {}),
              ...(input.decidedAt ? { decidedAt: input.decidedAt } : {}),
              ...(input.networkSearches ? { networkSearches: input.networkSearches } : {}),
            },
          },
          ...input.cancelledTaskIds.map((taskId) => ({ id: `${taskId}.cancelled`, at, type: 'cancelled', actor: 'system', taskId, data: { reason: input.reason } })),
        ]);
        // Already done when the lift was requested by the court; an expiry (or a run of an earlier version) ends them here.
        await endRestrictions(tx, input.listingId, at, catalogOf);
      });
    },

    async closeListing({ listingId, status, at }: { listingId: string; status: ListingStatus; at: string }): Promise<void> {
      await prisma.$transaction(async (tx) => {
        await tx.listing.update({ where: { id: listingId }, data: { status, closedAt: new Date(at) } });
        await appendEvents(tx, listingId, [{ id: `${listingId}.closed`, at: new Date(at), type: 'closed', actor: 'system', data: { status } }]);
      });
    },

    async recordPeriodExtension(input: { listingId: string; expiresAt: string; periodYears?: number | undefined; by: string; reason: string; at: string }): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const listing = await tx.listing.findUniqueOrThrow({ where: { id: input.listingId } });
        await tx.listing.update({
          where: { id: input.listingId },
          data: { expiresAt: new Date(input.expiresAt), ...(input.periodYears !== undefined ? { periodYears: input.periodYears } : {}) },
        });
        await appendEvents(tx, input.listingId, [
          {
            id: `${input.listingId}.extended.${input.expiresAt}`,
            at: new Date(input.at),
            type: 'period-extended',
            actor: input.by,
            data: { from: listing.expiresAt?.toISOString() ?? null, to: input.expiresAt, reason: input.reason },
          },
        ]);
      });
    },
  };
}
