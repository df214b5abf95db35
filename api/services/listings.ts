import { randomUUID } from 'node:crypto';
import { dispatchPlan } from '../../domain/catalog.js';
import { expiryOf } from '../../domain/circumstances.js';
import { listingRuleViolations, periodOf } from '../../domain/listing-rules.js';
import { appendEvents } from '../../db/events.js';
import { Prisma, type Listing, type PrismaClient } from '../../prisma/generated/client.js';
import type { Principal } from '../auth.js';
import { badRequest, forbidden, fieldErrorsOf, notFound } from '../problem.js';
import { createListingSchema, listingIdParam, type CreateListingRequest } from '../schemas.js';
import { listingView } from '../views.js';
import type { CatalogService } from './catalog.js';
import { workflowIdOf, type WorkflowGateway } from './workflow-gateway.js';

export interface ListingServiceDeps {
  prisma: PrismaClient;
  catalogs: CatalogService;
  workflows: WorkflowGateway;
  now?: () => Date;
}

/** Listing a debtor: validate, record once, and make sure exactly one sanction workflow runs for it. */
export function createListingService({ prisma, catalogs, workflows, now = () => new Date() }: ListingServiceDeps) {
  async function ensureWorkflow(listing: Listing): Promise<void> {
    const catalog = await catalogs.version(listing.catalogVersion);
    const plan = dispatchPlan(catalog, {
      debtorKind: listing.debtorKind as 'individual' | 'entity',
      hasLegalRepresentative: listing.legalRepIdNumber != null,
    });
    await workflows.startSanction({ listingId: listing.id, plan, courtCode: listing.courtCode });
  }

  function courtOf(principal: Principal, requested: string | undefined): string {
    if (principal.courtCode && requested && requested !== principal.courtCode) {
      throw forbidden(`This key lists for court ${principal.courtCode}, not ${requested}.`);
    }
    const court = principal.courtCode ?? requested;
    if (!court) throw badRequest('Name the enforcing court.', [{ field: 'courtCode', message: 'required: this key names no court' }]);
    return court;
  }

  const findExisting = (courtCode: string, request: CreateListingRequest) =>
    prisma.listing.findUnique({
      where: { courtCode_caseNumber_debtorIdNumber: { courtCode, caseNumber: request.caseNumber, debtorIdNumber: request.debtor.idNumber } },
    });

  return {
    /** POST /api/listings: `created` is false when the same listing was posted before. */
    async create(principal: Principal, body: unknown) {
      const parsed = createListingSchema.safeParse(body);
      if (!parsed.success) throw badRequest('The listing does not match the schema.', fieldErrorsOf(parsed.error));
      const request = parsed.data;
      const courtCode = courtOf(principal, request.courtCode);
      const listedAt = now();
      const violations = listingRuleViolations(request, listedAt);
      if (violations.length > 0) throw badRequest('The listing breaks the listing rules.', violations);

      const existing = await findExisting(courtCode, request);
      if (existing) {
        // A crash between recording and starting leaves a listing without its
        // workflow; the repeated POST finishes the job.
        await ensureWorkflow(existing);
        return { created: false, listing: listingView(existing, await tasksOf(existing.id), principal) };
      }

      const { version } = await catalogs.current();
      const id = randomUUID();
      const legalRep = request.debtor.kind === 'entity' ? request.debtor.legalRepresentative : undefined;
      let listing: Listing;
      try {
        listing = await prisma.$transaction(async (tx) => {
          const created = await tx.listing.create({
            data: {
              id,
              workflowId: workflowIdOf(id),
              courtCode,
              caseNumber: request.caseNumber,
              debtorKind: request.debtor.kind,
              debtorName: request.debtor.name,
              debtorIdNumber: request.debtor.idNumber,
              legalRepName: legalRep?.name ?? null,
              legalRepIdNumber: legalRep?.idNumber ?? null,
              circumstance: request.circumstance,
              obligationDescription: request.obligation.description,
              obligationAmountYuan: request.obligation.amountYuan ?? null,
              periodYears: periodOf(request),
              listedAt,
              expiresAt: expiryOf(listedAt, periodOf(request)),
              catalogVersion: version,
              createdByKeyId: principal.keyId,
            },
          });
          await appendEvents(tx, id, [
            { id: `${id}:listed`, at: listedAt, type: 'listed', actor: `${principal.role}:${principal.name}`, data: { courtCode, caseNumber: request.caseNumber, circumstance: request.circumstance, catalogVersion: version } },
          ]);
          return created;
        });
      } catch (error) {
        // Two identical POSTs raced; the loser answers with the winner's listing.
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
          const winner = await findExisting(courtCode, request);
          if (winner) return { created: false, listing: listingView(winner, await tasksOf(winner.id), principal) };
        }
        throw error;
      }
      await ensureWorkflow(listing);
      return { created: true, listing: listingView(listing, [], principal) };
    },

    /** GET /api/listings/:id, as far as the caller may see it. */
    async get(principal: Principal, id: string) {
      if (!listingIdParam.safeParse(id).success) throw notFound(`No listing ${id}.`);
      const listing = await prisma.listing.findUnique({ where: { id } });
      if (!listing) throw notFound(`No listing ${id}.`);
      if (principal.role === 'clerk' && principal.courtCode && listing.courtCode !== principal.courtCode) {
        throw forbidden('This listing belongs to another court.');
      }
      const tasks = await tasksOf(id, principal.role === 'department' ? principal.departmentCode : null);
      if (principal.role === 'department' && tasks.length === 0) throw forbidden('This listing has no task for your department.');
      return listingView(listing, tasks, principal);
    },
  };

  function tasksOf(listingId: string, departmentCode: string | null = null) {
    return prisma.task.findMany({
      where: { listingId, ...(departmentCode ? { departmentCode } : {}) },
      orderBy: [{ kind: 'asc' }, { departmentCode: 'asc' }],
    });
  }
}

export type ListingService = ReturnType<typeof createListingService>;
