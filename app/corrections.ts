import { randomUUID } from 'node:crypto';
import { canonical, changedColumns, listingDataOf, requestOfListing } from '../db/listing-data.js';
import { actorOf, type Principal } from '../domain/access.js';
import { listingRuleViolations } from '../domain/listing-rules.js';
import type { PrismaClient } from '../prisma/generated/client.js';
import { conflict, invalid } from './errors.js';
import type { ListingService } from './listings.js';
import type { ObjectionService } from './objections.js';
import { correctionSchema, createListingSchema, type CorrectionRequest } from './schemas.js';
import { fieldErrorsOf, parseInput } from './validate.js';
import { listingView } from './views.js';
import { refusalError, type WorkflowGateway } from './workflow-gateway.js';

type Body = Record<string, unknown>;

/**
 * Applies the changes to the listing body: objects merge field by field, null
 * removes, lists replace. The legal representative is the shorthand, so a new
 * list of bound persons keeps it unless it changes too.
 */
function correctedBody(current: Body, changes: CorrectionRequest['changes']): Body {
  const next: Body = { ...current };
  const assign = (target: Body, key: string, value: unknown) => {
    if (value === null) delete target[key];
    else if (value !== undefined) target[key] = value;
  };
  for (const [key, value] of Object.entries(changes)) {
    if (key === 'debtor' || key === 'obligation') {
      const merged: Body = { ...(current[key] as Body) };
      for (const [field, fieldValue] of Object.entries(value as Body)) assign(merged, field, fieldValue);
      next[key] = merged;
    } else assign(next, key, value);
  }
  return next;
}

/** Art. 3's facts were not asked before; a listing recorded without them is not refused a correction of something else. */
const ART_3_RULES = new Set(['art-3-security', 'art-3-seized-assets']);

export interface CorrectionServiceDeps {
  prisma: PrismaClient;
  listings: ListingService;
  workflows: WorkflowGateway;
  objections: ObjectionService;
  now?: () => Date;
}

/**
 * Correcting a listing (art. 9): the changes are read as the listing body
 * would be, checked by the intake's rules, and recorded; the workflow applies
 * them and sends every department that holds a task a correction round with
 * 3 working days.
 */
export function createCorrectionService({ prisma, listings, workflows, objections, now = () => new Date() }: CorrectionServiceDeps) {
  return {
    /** POST /api/listings/:id/correction: the corrected listing; nothing is recorded when nothing differs. */
    async correct(principal: Principal, id: string, body: unknown) {
      const request = parseInput(correctionSchema, body, 'correction');
      const { listing } = await listings.visible(principal, id);
      if (listing.status !== 'active') throw conflict(`The listing is ${listing.status}: only a listing in force is corrected.`);

      const merged = createListingSchema.safeParse(correctedBody(requestOfListing(listing), request.changes));
      if (!merged.success) throw invalid('The corrected listing does not match the schema.', fieldErrorsOf(merged.error, ['changes']));
      const legacy = listing.securityProvided === null && request.changes.securityProvided === undefined && request.changes.circumstance === undefined;
      const violations = listingRuleViolations(merged.data, listing.listedAt)
        .filter((violation) => !(legacy && ART_3_RULES.has(violation.rule)))
        .map((violation) => ({ ...violation, field: `changes.${violation.field}` }));
      if (violations.length > 0) throw invalid('The corrected listing breaks the listing rules.', violations);

      const changes = changedColumns(listing, listingDataOf(merged.data, listing.listedAt));
      if (Object.keys(changes).length === 0) return listingView(listing, null, { channel: 'api', role: principal.role });
      if (changes.caseNumber || changes.debtorIdNumber) {
        const twin = await prisma.listing.findFirst({
          where: { id: { not: id }, courtCode: listing.courtCode, caseNumber: merged.data.caseNumber, debtorIdNumber: merged.data.debtor.idNumber, status: { in: ['active', 'lifting'] } },
        });
        if (twin) throw conflict(`Listing ${twin.id} already lists this debtor in this case: revoke one of the two instead.`, { listingId: twin.id });
      }

      // The same correction sent again before the workflow took it (a retry after a timeout) is the same correction.
      const pending = await prisma.correction.findMany({ where: { listingId: id, acceptedAt: null } });
      const same = pending.find((candidate) => canonical(candidate.changes) === canonical(changes) && candidate.reason === request.reason);
      const correctionId = same?.id ?? randomUUID();
      if (!same) {
        await prisma.correction.create({ data: { id: correctionId, listingId: id, changes: changes as object, reason: request.reason, by: actorOf(principal), recordedAt: now() } });
      }
      const result = await workflows.correctListing(id, correctionId);
      if (result.refused) {
        await prisma.correction.deleteMany({ where: { id: correctionId, acceptedAt: null } });
        throw refusalError(result);
      }
      await objections.remedied(id, 'correction');
      return listingView(await prisma.listing.findUniqueOrThrow({ where: { id } }), null, { channel: 'api', role: principal.role });
    },

    /**
     * Sends the workflow each correction recorded but not taken (the API
     * stopped, or Temporal was away, between the two). Run by the relay.
     */
    async sendUnacceptedCorrections(olderThanMs = 30_000): Promise<number> {
      const stale = await prisma.correction.findMany({ where: { acceptedAt: null, recordedAt: { lt: new Date(now().getTime() - olderThanMs) } }, take: 500 });
      for (const correction of stale) {
        const result = await workflows.correctListing(correction.listingId, correction.id);
        // The listing was lifted meanwhile: the correction no longer has anything to correct. A workflow
        // handing over to its continuation decided nothing: the correction is sent again next time.
        if (result.refused && result.refused !== 'retryLater') await prisma.correction.deleteMany({ where: { id: correction.id, acceptedAt: null } });
      }
      return stale.length;
    },
  };
}

export type CorrectionService = ReturnType<typeof createCorrectionService>;
