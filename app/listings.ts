import { randomUUID } from 'node:crypto';
import { dispatchPlan } from '../domain/catalog.js';
import { LISTING_EXTENSION_YEARS, LISTING_PERIOD_YEARS, expiryOf } from '../domain/circumstances.js';
import { instantOf, listingRuleViolations } from '../domain/listing-rules.js';
import { appendEvents, findBrokenLink } from '../db/events.js';
import { boundPersonsOf, imposeRestrictions } from '../db/restrictions.js';
import { listingDataOf } from '../db/listing-data.js';
import { boundSubjectsOf } from '../domain/restrictions.js';
import type { DisclosureLog } from '../db/disclosure-log.js';
import { Prisma, type Listing, type PrismaClient } from '../prisma/generated/client.js';
import { actorOf, courtScopeOf, departmentScopeOf, listingRefusal, may, type Principal } from '../domain/access.js';
import { normalizeCaseNumber } from '../domain/case-numbers.js';
import { RELISTING_BAR_MONTHS_AFTER_CREDITOR_REQUEST, isClosedStatus } from '../domain/listings.js';
import { disclosedText, type Audience, type Channel } from '../domain/disclosure.js';
import { identifierSearchRefusal, mayFindByIdentifier } from '../domain/listing-search.js';
import { conflict, forbidden, invalid, notFound } from './errors.js';
import { parseInput } from './validate.js';
import {
  createListingSchema,
  extensionSchema,
  listingIdParam,
  listingQuerySchema,
  deletionSchema,
  performanceSchema,
  revocationSchema,
  type CreateListingRequest,
} from './schemas.js';
import { listingView } from './views.js';
import type { CatalogService } from './catalog.js';
import { refusalError, workflowIdOf, type WorkflowGateway } from './workflow-gateway.js';
import type { LiftRequest } from '../workflows/types.js';

/** Art. 10 ¶1 (4): deletion once two or more network searches found nothing. */
export const NO_ASSETS_SEARCHES_REQUIRED = 2;

/** A network search (网络执行查控) of a listing's case for its debtor, as the deletion rule and the listing page read it. */
export interface CaseNetworkSearch {
  id: string;
  status: string;
  createdAt: string;
  completedAt: string | null;
  /** Institutions asked, and those of them that answered. */
  asked: number;
  answered: number;
  findings: number;
}

/** What the platform's own searches say of ground no-assets-found (art. 10 ¶1 (4)). */
export interface NoAssetsEvidence {
  /** Completed searches that found nothing, oldest first: what a deletion on the ground cites. */
  cited: { id: string; completedAt: string }[];
  /** The latest completed search, when it found assets: the ground does not hold, however many searches found nothing before it. */
  assetsFoundBy: { id: string; completedAt: string; findings: number } | null;
  required: number;
  /** Whether the platform's searches alone support the ground. */
  available: boolean;
}

/** Only a completed search counts: every institution asked has answered. */
export function noAssetsEvidenceOf(searches: CaseNetworkSearch[]): NoAssetsEvidence {
  const completed = searches
    .flatMap((search) => (search.status === 'completed' && search.completedAt !== null ? [{ ...search, completedAt: search.completedAt }] : []))
    .sort((a, b) => a.completedAt.localeCompare(b.completedAt) || a.id.localeCompare(b.id));
  const latest = completed.at(-1);
  const cited = completed.filter((search) => search.findings === 0).map(({ id, completedAt }) => ({ id, completedAt }));
  const assetsFoundBy = latest && latest.findings > 0 ? { id: latest.id, completedAt: latest.completedAt, findings: latest.findings } : null;
  return { cited, assetsFoundBy, required: NO_ASSETS_SEARCHES_REQUIRED, available: assetsFoundBy === null && cited.length >= NO_ASSETS_SEARCHES_REQUIRED };
}

/**
 * Why ground no-assets-found does not hold, if it does not: the platform's
 * searches that found nothing and the dates of searches made outside it
 * (`networkSearches`) must come to two, and the latest completed search
 * must not have found assets. A refusal names `networkSearches` when the
 * body gave dates (the caller completes them), `ground` otherwise.
 */
function noAssetsProblems(evidence: NoAssetsEvidence, outside: number) {
  const { assetsFoundBy, cited } = evidence;
  if (assetsFoundBy) {
    return [{
      field: 'ground',
      rule: 'assets-found',
      message: `the latest completed network search of this case for this debtor (${assetsFoundBy.id}, completed ${assetsFoundBy.completedAt}) found ${assetsFoundBy.findings} asset${assetsFoundBy.findings === 1 ? '' : 's'}: ground no-assets-found does not hold (art. 10 ¶1 (4))`,
    }];
  }
  if (cited.length + outside >= NO_ASSETS_SEARCHES_REQUIRED) return [];
  const platform = `the platform has ${cited.length} completed network search${cited.length === 1 ? '' : 'es'} of this case for this debtor that found nothing`;
  const elsewhere = outside > 0 ? ` and networkSearches names ${outside} made outside it` : '';
  return [{
    field: outside > 0 ? 'networkSearches' : 'ground',
    rule: 'art-10-1-4-two-searches',
    message: `${platform}${elsewhere}; ground no-assets-found needs two or more network searches that found nothing (art. 10 ¶1 (4))`,
  }];
}

/** Set once every active listing has its restrictions recorded. */
export const RESTRICTIONS_BACKFILLED = 'restrictionsBackfilled';

const apiAudience = (principal: Principal): Audience => ({ channel: 'api', role: principal.role });
const audienceOf = (principal: Principal, channel: Channel): Audience => (channel === 'api' ? apiAudience(principal) : { channel });

/** Keyset pagination: the cursor is the last row's (createdAt, id). */
function encodeCursor(listing: Listing): string {
  return Buffer.from(`${listing.createdAt.toISOString()}|${listing.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  // Only a cursor this service wrote reads back to the same text.
  const year = createdAt.getUTCFullYear();
  if (!id || Number.isNaN(createdAt.getTime()) || year < 2000 || year > 9999 || createdAt.toISOString() !== at || !listingIdParam.safeParse(id).success) {
    throw invalid('Bad cursor.', [{ field: 'cursor', message: 'use the nextCursor of a previous page' }]);
  }
  return { createdAt, id };
}

export interface ListingServiceDeps {
  prisma: PrismaClient;
  catalogs: CatalogService;
  workflows: WorkflowGateway;
  disclosures: DisclosureLog;
  /** Told of every lift the workflow accepted: an upheld objection waiting for it is remedied. */
  afterLift?: (listingId: string, kind: 'performance' | 'revocation' | 'deletion') => Promise<void>;
  now?: () => Date;
}

/** Listing a debtor: validate, record once, and make sure exactly one sanction workflow runs for it. */
export function createListingService({ prisma, catalogs, workflows, disclosures, afterLift, now = () => new Date() }: ListingServiceDeps) {
  /** A department's system reads the subjects of its own tasks in full through the API; each such view is logged. */
  function logDisclosure(principal: Principal, channel: Channel, listing: Listing): void {
    const departmentCode = departmentScopeOf(principal);
    if (channel !== 'api' || departmentCode === null) return;
    for (const idNumber of [listing.debtorIdNumber, ...boundPersonsOf(listing).map((person) => person.idNumber)]) {
      disclosures.record({ departmentCode, keyId: principal.keyId, idNumber, purpose: 'listing-view', listingId: listing.id });
    }
  }

  async function ensureWorkflow(listing: Listing): Promise<void> {
    const catalog = await catalogs.version(listing.catalogVersion);
    const plan = dispatchPlan(catalog, { debtorKind: listing.debtorKind as 'individual' | 'entity', boundSubjects: boundSubjectsOf(boundPersonsOf(listing)) });
    await workflows.startSanction({
      listingId: listing.id,
      courtCode: listing.courtCode,
      plan,
      expiresAt: listing.expiresAt?.toISOString() ?? null,
    });
  }

  function courtOf(principal: Principal, requested: string | undefined): string {
    if (principal.courtCode && requested && requested !== principal.courtCode) {
      throw forbidden(`This key lists for court ${principal.courtCode}, not ${requested}.`);
    }
    const court = principal.courtCode ?? requested;
    if (!court) throw invalid('Name the enforcing court.', [{ field: 'courtCode', message: 'required: this key names no court' }]);
    return court;
  }

  /** The network searches of the listing's case (same court, same case number once normalised) for its debtor, newest first. */
  async function networkSearchesOf(listing: Listing): Promise<CaseNetworkSearch[]> {
    const searches = await prisma.assetSearch.findMany({
      where: { courtCode: listing.courtCode, caseKey: normalizeCaseNumber(listing.caseNumber), debtor: { path: ['idNumber'], equals: listing.debtorIdNumber } },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: 200,
    });
    if (searches.length === 0) return [];
    const searchId = { in: searches.map((search) => search.id) };
    const [answered, findings] = await Promise.all([
      prisma.assetRequest.groupBy({ by: ['searchId'], where: { searchId, status: 'answered' }, _count: { _all: true } }),
      prisma.assetFinding.groupBy({ by: ['searchId'], where: { searchId }, _count: { _all: true } }),
    ]);
    const answeredOf = new Map(answered.map((row) => [row.searchId, row._count._all]));
    const findingsOf = new Map(findings.map((row) => [row.searchId, row._count._all]));
    return searches.map((search) => ({
      id: search.id,
      status: search.status,
      createdAt: search.createdAt.toISOString(),
      completedAt: search.completedAt?.toISOString() ?? null,
      asked: search.requestCount,
      answered: answeredOf.get(search.id) ?? 0,
      findings: findingsOf.get(search.id) ?? 0,
    }));
  }

  /**
   * What the court records, read and checked: performance, a deletion on a
   * ground of art. 10 ¶1, or a revocation (art. 9). A deletion on ground
   * no-assets-found cites the platform's own searches that found nothing:
   * their completion instants join the dates of `networkSearches` in the
   * lift's record, and `cited` names them for the audit trail.
   */
  async function liftRequestOf(kind: 'performance' | 'revocation' | 'deletion', body: unknown, listing: Listing): Promise<{ request: Omit<LiftRequest, 'by'>; cited: NoAssetsEvidence['cited'] }> {
    if (kind === 'performance') {
      const { note, performedAt } = parseInput(performanceSchema, body, 'performance record');
      return { request: { reason: 'performance', ground: 'performed', note, performedAt }, cited: [] };
    }
    if (kind === 'revocation') return { request: { reason: 'revocation', note: parseInput(revocationSchema, body, 'revocation').reason }, cited: [] };
    const deletion = parseInput(deletionSchema, body, 'deletion');
    const decidedAt = instantOf(deletion.decidedAt);
    const problems = [];
    if (decidedAt.getTime() > now().getTime()) problems.push({ field: 'decidedAt', rule: 'not-in-future', message: 'the decision to delete cannot be in the future' });
    if (decidedAt.getTime() < (listing.decidedAt ?? listing.listedAt).getTime()) problems.push({ field: 'decidedAt', rule: 'after-listing', message: 'the decision to delete cannot precede the listing' });
    // Searches made outside the platform, by their dates (the form of the request before the platform searched).
    const outside = [...new Set((deletion.networkSearches ?? []).map((value) => instantOf(value).toISOString()))];
    const evidence = deletion.ground === 'no-assets-found' ? noAssetsEvidenceOf(await networkSearchesOf(listing)) : null;
    if (evidence) problems.push(...noAssetsProblems(evidence, outside.length));
    if (outside.some((at) => Date.parse(at) > now().getTime())) problems.push({ field: 'networkSearches', rule: 'not-in-future', message: 'a search cannot be in the future' });
    if (problems.length > 0) throw invalid('The deletion breaks the listing rules.', problems);
    const cited = evidence?.cited ?? [];
    const searches = [...new Set([...outside, ...cited.map((search) => search.completedAt)])].sort();
    return {
      request: {
        reason: deletion.ground === 'performed' ? 'performance' : 'deletion',
        ground: deletion.ground,
        decidedAt: decidedAt.toISOString(),
        note: deletion.note,
        ...(searches.length > 0 ? { networkSearches: searches } : {}),
      },
      cited,
    };
  }

  /**
   * Art. 10 ¶3–4: a closed listing does not stop a new one for the same case
   * and debtor, except within six months of a deletion on the creditor's request.
   */
  function relistingBar(latest: Listing, at: Date): string | null {
    if (latest.deletionGround !== 'creditor-request' || !latest.liftDecidedAt) return null;
    const until = new Date(latest.liftDecidedAt);
    until.setUTCMonth(until.getUTCMonth() + RELISTING_BAR_MONTHS_AFTER_CREDITOR_REQUEST);
    if (at.getTime() >= until.getTime()) return null;
    return `This debtor was deleted from the list of this case on the creditor's request on ${latest.liftDecidedAt.toISOString().slice(0, 10)}; the creditor may not have it listed again before ${until.toISOString().slice(0, 10)} (art. 10 ¶4).`;
  }

  /**
   * Everything that can be said about a listing request before recording
   * it: the schema, the listing rules and the caller's court. Throws a 400
   * naming each offending field.
   */
  function check(principal: Principal, body: unknown, listedAt = now()): { request: CreateListingRequest; courtCode: string } {
    const request = parseInput(createListingSchema, body, 'listing');
    const courtCode = courtOf(principal, request.courtCode);
    const violations = listingRuleViolations(request, listedAt);
    if (violations.length > 0) throw invalid('The listing breaks the listing rules.', violations);
    return { request, courtCode };
  }

  return {
    check,

    /** The listing and the caller's tasks of it, when the caller may see it; not-found or forbidden otherwise. */
    visible: visibleListing,

    /**
     * POST /api/listings: `created` is false when the same court, case and
     * debtor is listed and not yet closed. Once it is closed, the debtor may
     * be listed again (art. 10 ¶3) as a new listing.
     */
    async create(principal: Principal, body: unknown) {
      const listedAt = now();
      const { request, courtCode } = check(principal, body, listedAt);
      const { version, catalog } = await catalogs.current();
      const { debtor } = request;
      const data = listingDataOf(request, listedAt);
      const identity = [courtCode, request.caseNumber, debtor.idNumber].join('\u001f');
      const id = randomUUID();

      const outcome = await prisma.$transaction(async (tx) => {
        // One intake per court, case and debtor at a time: what exists and what is recorded are one step.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${identity}, 0))`;
        const latest = await tx.listing.findFirst({ where: { courtCode, caseNumber: request.caseNumber, debtorIdNumber: debtor.idNumber }, orderBy: { listedAt: 'desc' } });
        if (latest && !isClosedStatus(latest.status)) return { created: false as const, listing: latest };
        const bar = latest ? relistingBar(latest, listedAt) : null;
        if (bar) throw conflict(bar, { rule: 'art-10-4-relisting-within-six-months' });
        const created = await tx.listing.create({
          data: {
            id,
            workflowId: workflowIdOf(id),
            courtCode,
            debtorKind: debtor.kind,
            ...data,
            listedAt,
            catalogVersion: version,
            createdByKeyId: principal.keyId,
          },
        });
        await appendEvents(tx, id, [
          {
            id: `${id}:listed`,
            at: listedAt,
            type: 'listed',
            actor: actorOf(principal),
            data: { courtCode, caseNumber: request.caseNumber, circumstance: request.circumstance, catalogVersion: version, ...(latest ? { relistingOf: latest.id } : {}) },
          },
        ]);
        // Restricted from the moment the listing is recorded; last, since it holds the change feed until the commit.
        await imposeRestrictions(tx, created, catalog, listedAt);
        return { created: true as const, listing: created };
      });
      // A crash between recording and starting leaves a listing without its
      // workflow; the repeated POST (or the relay) finishes the job. A closed
      // listing's workflow has ended and stays ended.
      if (outcome.listing.status === 'active') await ensureWorkflow(outcome.listing);
      const tasks = outcome.created ? [] : await tasksOf(outcome.listing.id);
      return { created: outcome.created, listing: listingView(outcome.listing, tasks, apiAudience(principal)) };
    },

    /**
     * Starts the workflow of every listing that was recorded but never
     * started (the API stopped between the two). Starting is idempotent, so
     * running this on several API instances at once is harmless.
     */
    async startUnstartedWorkflows(olderThanMs = 30_000): Promise<number> {
      const stale = await prisma.listing.findMany({
        where: { status: 'active', createdAt: { lt: new Date(now().getTime() - olderThanMs) }, tasks: { none: {} } },
        take: 500,
      });
      for (const listing of stale) await ensureWorkflow(listing);
      return stale.length;
    },

    /** The case number a listing is known by, for a confirmation after acting on one of its tasks. */
    async caseNumberOf(id: string): Promise<string | null> {
      return (await prisma.listing.findUnique({ where: { id }, select: { caseNumber: true } }))?.caseNumber ?? null;
    },

    /**
     * Restrictions of active listings recorded before restrictions were kept
     * (an upgrade) are imposed now, so every active listing is checked. Run by
     * the relay until it finds none; new listings are restricted as they are recorded.
     */
    async imposeMissingRestrictions(): Promise<number> {
      if (await prisma.setting.findUnique({ where: { key: RESTRICTIONS_BACKFILLED } })) return 0;
      const unrestricted = await prisma.$queryRaw<Listing[]>`
        SELECT l.* FROM "Listing" l
        WHERE l.status = 'active' AND NOT EXISTS (SELECT 1 FROM "RestrictedSubject" r WHERE r."listingId" = l.id)
        LIMIT 500`;
      for (const listing of unrestricted) {
        const catalog = await catalogs.version(listing.catalogVersion);
        await prisma.$transaction((tx) => imposeRestrictions(tx, listing, catalog, listing.listedAt));
      }
      if (unrestricted.length === 0) await prisma.setting.createMany({ data: [{ key: RESTRICTIONS_BACKFILLED, value: now().toISOString() }], skipDuplicates: true });
      return unrestricted.length;
    },

    /** GET /api/listings/:id, as far as the caller may see it. */
    async get(principal: Principal, id: string, channel: Channel = 'api') {
      const { listing, tasks } = await visibleListing(principal, id);
      logDisclosure(principal, channel, listing);
      return listingView(listing, tasks, audienceOf(principal, channel));
    },

    /** GET /api/listings — newest first, paged by an opaque cursor. */
    async list(principal: Principal, query: unknown, channel: Channel = 'api') {
      const filters = parseInput(listingQuerySchema, query, 'query');
      const searchRefusal = filters.q ? identifierSearchRefusal(principal.role, filters.q) : null;
      if (searchRefusal) throw invalid('A department searches listings by case number or debtor name, not by identifier.', [{ field: 'q', rule: 'no-identifier-search', message: searchRefusal }]);
      const limit = filters.limit ?? 50;
      const after = filters.cursor ? decodeCursor(filters.cursor) : null;
      const where: Prisma.ListingWhereInput = {
        AND: [
          filters.status ? { status: filters.status } : {},
          courtScopeOf(principal) ? { courtCode: courtScopeOf(principal)! } : {},
          departmentScopeOf(principal) ? { tasks: { some: { departmentCode: departmentScopeOf(principal)! } } } : {},
          filters.q
            ? {
                OR: [
                  { caseNumber: { contains: filters.q } },
                  { debtorName: { contains: filters.q } },
                  ...(mayFindByIdentifier(principal.role) ? [{ debtorIdNumber: filters.q.toUpperCase() }] : []),
                ],
              }
            : {},
          after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {},
        ],
      };
      const rows = await prisma.listing.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: limit + 1 });
      const page = rows.slice(0, limit);
      for (const listing of page) logDisclosure(principal, channel, listing);
      const last = page.at(-1);
      return {
        items: page.map((listing) => listingView(listing, null, audienceOf(principal, channel))),
        nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
      };
    },

    /**
     * The network searches of the listing's case for its debtor, and whether
     * they support a deletion on ground no-assets-found: for those who may
     * read asset searches (a department sees none).
     */
    async networkSearches(principal: Principal, id: string) {
      if (!may(principal, 'asset-searches:read')) throw forbidden('Asset searches are for clerks and supervisors.');
      const { listing } = await visibleListing(principal, id);
      const searches = await networkSearchesOf(listing);
      return { searches, noAssetsFound: noAssetsEvidenceOf(searches) };
    },

    /** POST /api/listings/:id/performance and /revocation: the workflow lifts every sanction. */
    async requestLift(principal: Principal, id: string, kind: 'performance' | 'revocation' | 'deletion', body: unknown) {
      const { listing } = await visibleListing(principal, id);
      const { request, cited } = await liftRequestOf(kind, body, listing);
      if (isClosedStatus(listing.status)) throw conflict(`The listing is already ${listing.status}.`);
      const result = await workflows.requestLift(id, { ...request, by: actorOf(principal) });
      if (result.refused) throw refusalError(result);
      // The workflow's lift record carries the searches' dates only; which searches they were is recorded here, once the lift is accepted.
      if (result.changed && cited.length > 0) {
        const searchesCited = { id: `${id}.asset-searches-cited`, at: now(), type: 'asset-searches-cited', actor: actorOf(principal), data: { ground: request.ground, assetSearches: cited } };
        await prisma.$transaction((tx) => appendEvents(tx, id, [searchesCited]));
      }
      await afterLift?.(id, kind);
      // The debtor performed (or the listing is deleted): the court is offered the release of every freeze of the case.
      const freezesInForce = kind === 'revocation' ? 0 : await prisma.freeze.count({ where: { caseKey: listing.caseNumber, courtCode: listing.courtCode, debtorIdNumber: listing.debtorIdNumber, status: 'active' } });
      return {
        id,
        status: result.phase === 'imposing' ? 'lifting' : listing.status === 'active' ? 'lifting' : listing.status,
        accepted: result.changed,
        ...(freezesInForce > 0 ? { freezesInForce, releaseFreezes: `/api/listings/${id}/freeze-releases` } : {}),
      };
    },

    /**
     * POST /api/listings/:id/extension: extends a fixed period by 1–3 years (art. 2). `periodYears` names the
     * period once extended, so a repeat of the request (a retry after a lost answer) changes nothing;
     * `extensionYears` adds to the current period.
     */
    async extend(principal: Principal, id: string, body: unknown) {
      const request = parseInput(extensionSchema, body, 'extension');
      const { listing } = await visibleListing(principal, id);
      const basePeriod = listing.periodYears;
      if (basePeriod === null || !listing.expiresAt) throw conflict('This listing has no fixed term to extend.');
      const field = request.periodYears !== undefined ? 'periodYears' : 'extensionYears';
      const total = request.periodYears ?? basePeriod + request.extensionYears!;
      // The target reached already: the same extension again.
      if (request.periodYears !== undefined && total === basePeriod) return listingView(listing, null, apiAudience(principal));
      if (total < basePeriod) throw invalid('An extension makes the period longer.', [{ field, rule: 'period-range', message: `the period is ${basePeriod} years already` }]);
      if (total > LISTING_PERIOD_YEARS + LISTING_EXTENSION_YEARS.max) {
        throw invalid('The extension is too long.', [{ field, rule: 'period-range', message: `the period may not exceed ${LISTING_PERIOD_YEARS + LISTING_EXTENSION_YEARS.max} years in all` }]);
      }
      const expiresAt = expiryOf(listing.decidedAt ?? listing.listedAt, total)!;
      // The workflow records the new period before it answers: one writer of the listing's term.
      const result = await workflows.extendPeriod(id, { expiresAt: expiresAt.toISOString(), periodYears: total, by: actorOf(principal), reason: request.reason });
      if (result.refused) throw refusalError(result);
      return listingView(await prisma.listing.findUniqueOrThrow({ where: { id } }), null, apiAudience(principal));
    },

    /** GET /api/listings/:id/events — the audit trail, oldest first, and whether its hash chain is intact. */
    async events(principal: Principal, id: string, channel: Channel = 'api') {
      const audience = audienceOf(principal, channel);
      const { tasks } = await visibleListing(principal, id);
      const events = await prisma.event.findMany({ where: { listingId: id }, orderBy: { seq: 'asc' } });
      const brokenAt = findBrokenLink(events);
      const ownTaskIds = new Set(tasks.map((task) => task.id));
      const visible = departmentScopeOf(principal) !== null ? events.filter((event) => event.taskId && ownTaskIds.has(event.taskId)) : events;
      return {
        chain: { intact: brokenAt === null, brokenAt, length: events.length, head: events.at(-1)?.hash ?? null },
        events: visible.map((event) => ({
          id: event.id,
          at: event.at.toISOString(),
          type: event.type,
          actor: disclosedText(audience, event.actor),
          taskId: event.taskId,
          data: disclosedData(audience, event.data),
          hash: event.hash,
        })),
      };
    },
  };

  /** Notes, references and reasons are typed by people and may quote an identifier. */
  function disclosedData(audience: Audience, data: unknown): unknown {
    if (typeof data === 'string') return disclosedText(audience, data);
    if (Array.isArray(data)) return data.map((item) => disclosedData(audience, item));
    if (data && typeof data === 'object') return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, disclosedData(audience, value)]));
    return data;
  }

  async function visibleListing(principal: Principal, id: string) {
    if (!listingIdParam.safeParse(id).success) throw notFound(`No listing ${id}.`);
    const listing = await prisma.listing.findUnique({ where: { id } });
    if (!listing) throw notFound(`No listing ${id}.`);
    const court = courtScopeOf(principal);
    if (court && listing.courtCode !== court) throw forbidden(listingRefusal(principal, listing, 0)!);
    const tasks = await tasksOf(id, departmentScopeOf(principal));
    const refusal = listingRefusal(principal, listing, tasks.length);
    if (refusal) throw forbidden(refusal);
    return { listing, tasks };
  }

  function tasksOf(listingId: string, departmentCode: string | null = null) {
    return prisma.task.findMany({
      where: { listingId, ...(departmentCode ? { departmentCode } : {}) },
      orderBy: [{ kind: 'asc' }, { departmentCode: 'asc' }],
    });
  }
}

export type ListingService = ReturnType<typeof createListingService>;
