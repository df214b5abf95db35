import { randomUUID } from 'node:crypto';
import type { AssetFinding, AssetRequest, AssetSearch, Prisma, PrismaClient } from '../prisma/generated/client.js';
import { courtScopeOf, institutionScopeOf, type Principal } from '../domain/access.js';
import { answerSchedule, type Policy } from '../domain/policy.js';
import type { CalendarVersions } from '../db/calendar-versions.js';
import type { CourtSeals } from '../platform/court-seals.js';
import { readAssetAnswerToken } from '../platform/signed-tokens.js';
import type { Keyring } from '../platform/signing.js';
import { assetSearchChangedSignal } from '../workflows/messages.js';
import { assetSearchWorkflowIdOf } from '../workflows/workflow-id.js';
import type { AssetSearchWorkflowInput } from '../workflows/asset-search.js';
import { assetAnswerSchema, assetRequestQuerySchema, assetSearchQuerySchema, assetSearchSchema, linkAnswerSchema, type FindingInput } from './asset-schemas.js';
import { conflict, forbidden, invalid, notFound } from './errors.js';
import type { InstitutionService } from './institutions.js';
import { listingIdParam } from './schemas.js';
import type { OwedSignal, SignalOutbox } from './signal-outbox.js';
import { parseInput } from './validate.js';
import type { WorkflowGateway } from './workflow-gateway.js';
import type { Logger } from 'pino';

/**
 * How many requests one activity of the search's workflow delivers and
 * follows: the history grows with the batches, not with the institutions
 * (docs/adr/0004-asset-searches-in-batches.md).
 */
export const ASSET_BATCH_SIZE = 500;

type RequestStatus = 'open' | 'answered' | 'overdue' | 'closed';

/** What an answer came to: recorded now, or found recorded before with the same findings. */
export type AnswerOutcome = { recorded: true; changed: boolean; request: AssetRequest & { findings: AssetFinding[] } };

export interface AssetSearchDeps {
  prisma: PrismaClient;
  workflows: WorkflowGateway;
  outbox: SignalOutbox;
  institutions: InstitutionService;
  seals: CourtSeals;
  calendars: CalendarVersions;
  keyring: Keyring;
  policy: Policy;
  log?: Logger | undefined;
  now?: () => Date;
}

const statusOf = (request: Pick<AssetRequest, 'status' | 'dueAt'>, now: Date): RequestStatus =>
  request.status === 'open' && request.dueAt.getTime() < now.getTime() ? 'overdue' : (request.status as RequestStatus);

const findingView = (finding: AssetFinding) => ({
  id: finding.id,
  kind: finding.kind,
  ...(finding.account !== null ? { account: finding.account } : {}),
  ...(finding.currency !== null ? { currency: finding.currency } : {}),
  ...(finding.amountYuan !== null ? { amountYuan: Number(finding.amountYuan) } : {}),
  description: finding.description,
});

/**
 * Online asset query (网络执行查控): a clerk's search sends a signed notice to
 * every institution chosen; each institution answers with its signed
 * findings, by API or through its email link. Answers are accepted in
 * PostgreSQL, and the search's workflow hears only that a batch is complete.
 */
export function createAssetSearchService(deps: AssetSearchDeps) {
  const { prisma, workflows, outbox, institutions, seals, calendars, keyring, policy, log, now = () => new Date() } = deps;

  function requestView(request: AssetRequest & { findings?: AssetFinding[] }, at: Date) {
    return {
      id: request.id,
      institutionCode: request.institutionCode,
      status: statusOf(request, at),
      dueAt: request.dueAt.toISOString(),
      deliveredAt: request.deliveredAt?.toISOString() ?? null,
      deliveredVia: request.deliveredVia,
      escalationLevel: request.escalationLevel,
      answeredAt: request.answeredAt?.toISOString() ?? null,
      answeredVia: request.answeredVia,
      findings: (request.findings ?? []).map(findingView),
    };
  }

  function searchView(search: AssetSearch, requests: (AssetRequest & { findings: AssetFinding[] })[]) {
    const at = now();
    const views = requests.map((request) => requestView(request, at));
    return {
      id: search.id,
      status: search.status,
      courtCode: search.courtCode,
      caseNumber: search.caseNumber,
      debtor: search.debtor,
      directoryVersion: search.directoryVersion,
      createdAt: search.createdAt.toISOString(),
      answerDueAt: search.answerDueAt.toISOString(),
      completedAt: search.completedAt?.toISOString() ?? null,
      closedAt: search.closedAt?.toISOString() ?? null,
      summary: {
        requests: views.length,
        answered: views.filter((view) => view.status === 'answered').length,
        overdue: views.filter((view) => view.status === 'overdue').length,
        findings: views.reduce((sum, view) => sum + view.findings.length, 0),
      },
      requests: views,
    };
  }

  async function visibleSearch(principal: Principal, id: string): Promise<AssetSearch> {
    if (!listingIdParam.safeParse(id).success) throw notFound(`No asset search ${id}.`);
    const search = await prisma.assetSearch.findUnique({ where: { id } });
    if (!search) throw notFound(`No asset search ${id}.`);
    const court = courtScopeOf(principal);
    if (court && court !== search.courtCode) throw forbidden('This search belongs to another court.');
    return search;
  }

  /**
   * Records an answer under the request's row lock: a repeat with the same
   * findings changes nothing; the answer that completes its batch owes the
   * workflow a signal, written in the same transaction.
   */
  async function recordAnswer(requestId: string, institutionCode: string | null, answer: { findings: FindingInput[]; document: Record<string, unknown>; keyId: string | null; via: 'api' | 'link'; by: string }): Promise<AnswerOutcome> {
    const outcome = await prisma.$transaction(async (tx): Promise<AnswerOutcome & { owed?: OwedSignal }> => {
      const [request] = await tx.$queryRaw<AssetRequest[]>`SELECT * FROM "AssetRequest" WHERE id = ${requestId}::uuid FOR UPDATE`;
      if (!request) throw notFound(`No asset request ${requestId}.`);
      if (institutionCode !== null && request.institutionCode !== institutionCode) throw forbidden(`Asset request ${requestId} is addressed to another institution.`);
      if (request.status === 'answered') {
        const findings = await tx.assetFinding.findMany({ where: { requestId }, orderBy: { id: 'asc' } });
        if (!sameFindings(findings, answer.findings)) throw conflict(`Asset request ${requestId} was answered at ${request.answeredAt?.toISOString()} with other findings; an answer is final.`);
        return { recorded: true, changed: false, request: { ...request, findings } };
      }
      if (request.status !== 'open') throw conflict(`Asset request ${requestId} is ${request.status}: the search was closed before an answer.`);
      // Closed by the clerk, its requests not yet marked so by the workflow: no answer is awaited any more.
      const search = await tx.assetSearch.findUniqueOrThrow({ where: { id: request.searchId }, select: { status: true } });
      if (search.status === 'closed') throw conflict(`The search of asset request ${requestId} was closed before an answer.`);
      const at = now();
      const findings = answer.findings.map((finding) => ({
        id: randomUUID(),
        requestId,
        searchId: request.searchId,
        institutionCode: request.institutionCode,
        kind: finding.kind,
        account: finding.account ?? null,
        currency: finding.currency ?? (finding.amountYuan !== undefined ? 'CNY' : null),
        amountYuan: finding.amountYuan ?? null,
        description: finding.description,
        createdAt: at,
      }));
      if (findings.length > 0) await tx.assetFinding.createMany({ data: findings });
      const written = await tx.assetRequest.update({
        where: { id: requestId },
        data: { status: 'answered', answeredAt: at, answer: answer.document as Prisma.InputJsonValue, answerKeyId: answer.keyId, answeredVia: answer.via, answeredBy: answer.by },
      });
      await tx.assetEvent.create({
        data: { id: `asset-request.${requestId}.answered`, searchId: request.searchId, requestId, institutionCode: request.institutionCode, at, type: 'answered', actor: answer.by, data: { via: answer.via, keyId: answer.keyId, findings: findings.length } },
      });
      const [batch] = await tx.$queryRaw<{ open: number }[]>`
        UPDATE "AssetSearchBatch" SET open = open - 1 WHERE "searchId" = ${request.searchId}::uuid AND batch = ${request.batch} RETURNING open`;
      let owed: OwedSignal | undefined;
      if (batch && batch.open === 0) {
        owed = { id: `asset-search.${request.searchId}.batch.${request.batch}.answered`, workflowId: assetSearchWorkflowIdOf(request.searchId), signal: assetSearchChangedSignal.name, payload: { reason: 'batch-answered' } };
        await tx.outboxSignal.create({ data: { id: owed.id, workflowId: owed.workflowId, signal: owed.signal, payload: owed.payload as Prisma.InputJsonValue } });
      }
      const stored = await tx.assetFinding.findMany({ where: { requestId }, orderBy: { id: 'asc' } });
      return { recorded: true, changed: true, request: { ...written, findings: stored }, ...(owed ? { owed } : {}) };
    });
    if (outcome.owed) outbox.deliverSoon(outcome.owed);
    return { recorded: true, changed: outcome.changed, request: outcome.request };
  }

  return {
    /**
     * POST /api/asset-searches — one signed notice per institution chosen,
     * recorded with the search in one transaction, then the workflow that
     * delivers and follows them. Temporal being away delays the delivery
     * (the relay starts it), never the record.
     */
    async create(principal: Principal, body: unknown) {
      const input = parseInput(assetSearchSchema, body, 'asset search');
      const court = courtScopeOf(principal);
      if (court && input.courtCode && input.courtCode !== court) throw forbidden(`This key searches for court ${court} only.`);
      const courtCode = court ?? input.courtCode;
      if (!courtCode) throw invalid('Name the searching court.', [{ field: 'courtCode', message: 'required when the key is not bound to a court' }]);
      const directoryVersion = await institutions.currentVersion();
      if (directoryVersion === null) throw conflict('No institution directory is loaded: an administrator imports one (POST /api/institutions).');
      const chosen =
        input.institutions === 'all'
          ? await prisma.institution.findMany({ where: { retiredAt: null }, orderBy: { code: 'asc' } })
          : await prisma.institution.findMany({ where: { code: { in: input.institutions }, retiredAt: null }, orderBy: { code: 'asc' } });
      if (input.institutions !== 'all') {
        const known = new Set(chosen.map((institution) => institution.code));
        const problems = input.institutions.flatMap((code, index) => (known.has(code) ? [] : [{ field: `institutions.${index}`, message: `no institution ${code} in the directory` }]));
        const seen = new Set<string>();
        input.institutions.forEach((code, index) => {
          if (seen.has(code)) problems.push({ field: `institutions.${index}`, message: `${code} is listed twice` });
          seen.add(code);
        });
        if (problems.length > 0) throw invalid('Unknown institutions.', problems);
      }
      if (chosen.length === 0) throw conflict('The directory lists no institution to ask.');

      const at = now();
      const { calendar } = await calendars.current();
      const answer = answerSchedule(policy, 'answer', at, calendar);
      const stored = {
        answer: policy.assets.answer,
        schedule: { dueAt: answer.dueAt.toISOString(), reminderAt: answer.reminderAt?.toISOString() ?? null, escalations: answer.escalations.map((step) => ({ level: step.level, at: step.at.toISOString(), notify: step.notify })) },
      };
      const searchId = randomUUID();
      const debtor = { kind: input.debtor.kind, name: input.debtor.name, idType: input.debtor.idType, idNumber: input.debtor.idNumber };
      const batches = Math.ceil(chosen.length / ASSET_BATCH_SIZE);
      const requests = chosen.map((institution, index) => {
        const id = randomUUID();
        const document = seals.sign(courtCode, {
          type: 'asset-query',
          requestId: id,
          searchId,
          courtCode,
          caseNumber: input.caseNumber,
          debtor,
          institutionCode: institution.code,
          issuedAt: at.toISOString(),
          dueAt: answer.dueAt.toISOString(),
        });
        return { id, searchId, institutionCode: institution.code, batch: Math.floor(index / ASSET_BATCH_SIZE), dueAt: answer.dueAt, document: document as Prisma.InputJsonValue };
      });
      await prisma.$transaction(
        async (tx) => {
          await tx.assetSearch.create({
            data: {
              id: searchId,
              courtCode,
              caseNumber: input.caseNumber,
              caseKey: input.caseNumber,
              debtor,
              directoryVersion,
              requestCount: requests.length,
              batchSize: ASSET_BATCH_SIZE,
              answerDueAt: answer.dueAt,
              policy: stored,
              requestedBy: `${principal.role}:${principal.name}`,
              requestedByKeyId: principal.keyId,
              createdAt: at,
            },
          });
          await tx.assetSearchBatch.createMany({
            data: Array.from({ length: batches }, (_, batch) => ({ searchId, batch, open: requests.filter((request) => request.batch === batch).length })),
          });
          await tx.assetRequest.createMany({ data: requests });
          await tx.assetEvent.create({ data: { id: `asset-search.${searchId}.requested`, searchId, at, type: 'search-requested', actor: `${principal.role}:${principal.name}`, data: { institutions: requests.length, directoryVersion, caseNumber: input.caseNumber } } });
        },
        { timeout: 60_000 },
      );
      await startWorkflow({ searchId, batches }).catch((error: unknown) => log?.warn({ err: error, searchId }, 'asset search recorded; its workflow starts later'));
      return currentSearch(principal, searchId);
    },

    /** GET /api/asset-searches/:id — the search as it stands, findings as they arrived. */
    get: currentSearch,

    /** GET /api/asset-searches?caseNumber= — the searches of a case (newest first), without their requests. */
    async list(principal: Principal, query: unknown) {
      const input = parseInput(assetSearchQuerySchema, query, 'query');
      const court = courtScopeOf(principal);
      const searches = await prisma.assetSearch.findMany({
        where: { ...(input.caseNumber ? { caseKey: input.caseNumber } : {}), ...(court ? { courtCode: court } : {}) },
        orderBy: { createdAt: 'desc' },
        take: 200,
      });
      const counts = await prisma.assetFinding.groupBy({ by: ['searchId'], where: { searchId: { in: searches.map((s) => s.id) } }, _count: { _all: true } });
      const findings = new Map(counts.map((row) => [row.searchId, row._count._all]));
      return searches.map((search) => ({
        id: search.id,
        status: search.status,
        courtCode: search.courtCode,
        caseNumber: search.caseNumber,
        createdAt: search.createdAt.toISOString(),
        completedAt: search.completedAt?.toISOString() ?? null,
        requests: search.requestCount,
        findings: findings.get(search.id) ?? 0,
      }));
    },

    /** POST /api/asset-searches/:id/close — no more answers are awaited; what came stays. */
    async close(principal: Principal, id: string) {
      const search = await visibleSearch(principal, id);
      if (search.status === 'open') {
        const at = now();
        const owed: OwedSignal = { id: `asset-search.${search.id}.closed`, workflowId: assetSearchWorkflowIdOf(search.id), signal: assetSearchChangedSignal.name, payload: { reason: 'closed' } };
        const closed = await prisma.$transaction(async (tx) => {
          const changed = await tx.assetSearch.updateMany({ where: { id: search.id, status: 'open' }, data: { status: 'closed', closedAt: at } });
          if (changed.count === 0) return false;
          await tx.assetEvent.create({ data: { id: `asset-search.${search.id}.closed`, searchId: search.id, at, type: 'search-closed', actor: `${principal.role}:${principal.name}`, data: {} } });
          await tx.outboxSignal.create({ data: { id: owed.id, workflowId: owed.workflowId, signal: owed.signal, payload: owed.payload as Prisma.InputJsonValue } });
          return true;
        });
        if (closed) outbox.deliverSoon(owed);
      }
      return currentSearch(principal, id);
    },

    /** GET /api/asset-requests — the calling institution's requests, each with the court's signed notice. */
    async requestsFor(principal: Principal, query: unknown) {
      const input = parseInput(assetRequestQuerySchema, query, 'query');
      const institutionCode = institutionScopeOf(principal);
      if (!institutionCode) throw forbidden('Only an institution key lists its requests.');
      const at = now();
      const status = input.status === 'overdue' || input.status === 'open' ? 'open' : input.status;
      const dueAt = input.status === 'overdue' ? { lt: at } : input.status === 'open' ? { gte: at } : undefined;
      const rows = await prisma.assetRequest.findMany({
        where: { institutionCode, ...(status ? { status } : {}), ...(dueAt ? { dueAt } : {}) },
        include: { findings: { orderBy: { id: 'asc' } } },
        orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
        take: 1000,
      });
      // As API.md names them: the court's `signature` and `keyId` beside the notice they seal.
      return rows.map((request) => {
        const document = request.document as { signature?: string; keyId?: string };
        return { ...requestView(request, at), signature: document.signature, keyId: document.keyId, document };
      });
    },

    /**
     * POST /api/asset-requests/:id/answer — the institution's findings under
     * its signature. The signature covers the body without `signature` and
     * `keyId`, with `requestId` (the request of the path, when the body does
     * not repeat it): an answer cannot be replayed onto another request. A
     * bad signature is refused and recorded.
     */
    async answer(principal: Principal, requestId: string, body: unknown) {
      const institutionCode = institutionScopeOf(principal);
      if (!institutionCode) throw forbidden('Only an institution answers its requests.');
      if (!listingIdParam.safeParse(requestId).success) throw notFound(`No asset request ${requestId}.`);
      const input = parseInput(assetAnswerSchema, body, 'answer');
      if (input.requestId !== undefined && input.requestId !== requestId) throw invalid('The answer names another request.', [{ field: 'requestId', message: `must be ${requestId}, the request of the path` }]);
      const request = await prisma.assetRequest.findUnique({ where: { id: requestId } });
      if (!request) throw notFound(`No asset request ${requestId}.`);
      if (request.institutionCode !== institutionCode) throw forbidden(`Asset request ${requestId} is addressed to another institution.`);
      const document = { ...(body as Record<string, unknown>), requestId };
      const keyId = await institutions.acceptSigned(principal, institutionCode, document, { what: 'answer', coveredId: 'requestId', eventId: `asset-request.${requestId}`, searchId: request.searchId, requestId });
      const outcome = await recordAnswer(requestId, institutionCode, { findings: input.findings, document, keyId, via: 'api', by: `${principal.role}:${principal.name}` });
      return { changed: outcome.changed, request: requestView(outcome.request, now()) };
    },

    /** The email link's page: what it shows before the institution answers. */
    async linkRequest(token: string) {
      const request = await requestOfToken(token);
      const search = await prisma.assetSearch.findUniqueOrThrow({ where: { id: request.searchId } });
      const institution = await prisma.institution.findUnique({ where: { code: request.institutionCode } });
      return { request: requestView(request, now()), institutionName: institution?.name ?? request.institutionCode, courtCode: search.courtCode, caseNumber: search.caseNumber, debtorName: (search.debtor as { name: string }).name };
    },

    /**
     * An answer through the email link, for institutions without their own
     * system: the signed link stands for the institution (as a department's
     * one-click link does); the answer is recorded as given through it.
     */
    async answerByLink(token: string, body: unknown) {
      const request = await requestOfToken(token);
      const input = parseInput(linkAnswerSchema, body, 'answer');
      const at = now();
      const document = { requestId: request.id, findings: input.findings, answeredAt: at.toISOString(), attestation: 'email-link' };
      const outcome = await recordAnswer(request.id, null, { findings: input.findings, document, keyId: null, via: 'link', by: `link:${request.institutionCode}` });
      return { changed: outcome.changed, request: requestView(outcome.request, at) };
    },

    /** What the relay runs: searches recorded whose workflow never started. */
    async startUnstartedWorkflows(): Promise<number> {
      const unstarted = await prisma.assetSearch.findMany({ where: { status: 'open', workflowStartedAt: null, createdAt: { lt: new Date(now().getTime() - 5_000) } }, take: 100 });
      for (const search of unstarted) await startWorkflow({ searchId: search.id, batches: Math.ceil(search.requestCount / search.batchSize) });
      return unstarted.length;
    },
  };

  async function currentSearch(principal: Principal, id: string) {
    const search = await visibleSearch(principal, id);
    const requests = await prisma.assetRequest.findMany({ where: { searchId: search.id }, include: { findings: { orderBy: { id: 'asc' } } }, orderBy: { institutionCode: 'asc' } });
    return searchView(search, requests);
  }

  async function startWorkflow(input: AssetSearchWorkflowInput): Promise<void> {
    await workflows.startAssetSearch(input);
    await prisma.assetSearch.updateMany({ where: { id: input.searchId, workflowStartedAt: null }, data: { workflowStartedAt: now() } });
  }

  async function requestOfToken(token: string) {
    const claims = readAssetAnswerToken(keyring, token);
    if (!claims) throw notFound('This link is not valid.');
    if (claims.expiresAt * 1000 < now().getTime()) throw conflict('This link has expired: answer through the API, or ask the court for a new notice.', { linkExpired: true });
    const request = await prisma.assetRequest.findUnique({ where: { id: claims.requestId }, include: { findings: { orderBy: { id: 'asc' } } } });
    if (!request) throw notFound('This link is not valid.');
    return request;
  }
}

/** Whether stored findings are the ones given again (order aside): a repeated answer, not a changed one. */
function sameFindings(stored: AssetFinding[], given: FindingInput[]): boolean {
  // As stored: amounts in fen (the column keeps two decimals), a currency defaulting to CNY where there is an amount.
  const key = (finding: { kind: string; account?: string | null | undefined; currency?: string | null | undefined; amountYuan?: unknown; description: string }) => {
    const amount = finding.amountYuan === null || finding.amountYuan === undefined ? null : Math.round(Number(finding.amountYuan) * 100);
    return JSON.stringify([finding.kind, finding.account ?? null, finding.currency ?? (amount !== null ? 'CNY' : null), amount, finding.description]);
  };
  const a = stored.map(key).sort();
  const b = given.map(key).sort();
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

export type AssetSearchService = ReturnType<typeof createAssetSearchService>;
