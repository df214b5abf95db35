import { randomUUID } from 'node:crypto';
import type { ControlOrder, Freeze, Prisma, PrismaClient } from '../prisma/generated/client.js';
import { courtScopeOf, institutionScopeOf, type Principal } from '../domain/access.js';
import { freezeEndProblem, latestFreezeEnd, type AssetKind } from '../domain/freeze-periods.js';
import { hasEnded } from '../domain/freeze-alarms.js';
import { answerSchedule, type Policy } from '../domain/policy.js';
import type { CalendarVersions } from '../db/calendar-versions.js';
import type { CourtSeals } from '../platform/court-seals.js';
import { freezeChangedSignal } from '../workflows/messages.js';
import { freezeWorkflowIdOf } from '../workflows/workflow-id.js';
import { controlConfirmationSchema, controlOrderQuerySchema, controlOrderSchema, freezeQuerySchema, freezeReleaseSchema } from './asset-schemas.js';
import { conflict, forbidden, invalid, notFound } from './errors.js';
import type { InstitutionService } from './institutions.js';
import { listingIdParam } from './schemas.js';
import type { OwedSignal, SignalOutbox } from './signal-outbox.js';
import { parseInput } from './validate.js';
import type { WorkflowGateway } from './workflow-gateway.js';
import type { Logger } from 'pino';

export interface ControlOrderDeps {
  prisma: PrismaClient;
  workflows: WorkflowGateway;
  outbox: SignalOutbox;
  institutions: InstitutionService;
  seals: CourtSeals;
  calendars: CalendarVersions;
  policy: Policy;
  /** The listing a clerk may see (a performance releases its case's freezes). */
  visibleListing(principal: Principal, id: string): Promise<{ listing: { caseNumber: string; courtCode: string; debtorIdNumber: string } }>;
  log?: Logger | undefined;
  now?: () => Date;
}

type OrderAction = 'freeze' | 'renew' | 'deduct' | 'release';
const DAY_MS = 86_400_000;
const money = (value: { toString(): string } | number | null | undefined): number | null => (value === null || value === undefined ? null : Number(value));
/** Yuan compared in fen: decimals from the database and numbers from JSON meet exactly. */
const fen = (yuan: number) => Math.round(yuan * 100);

export const orderView = (order: ControlOrder) => ({
  id: order.id,
  freezeId: order.freezeId,
  findingId: order.findingId,
  institutionCode: order.institutionCode,
  action: order.action,
  status: order.status,
  amountYuan: money(order.amountYuan),
  until: order.until?.toISOString() ?? null,
  reason: order.reason,
  dueAt: order.dueAt.toISOString(),
  orderedAt: order.orderedAt.toISOString(),
  deliveredAt: order.deliveredAt?.toISOString() ?? null,
  escalationLevel: order.escalationLevel,
  confirmedAt: order.confirmedAt?.toISOString() ?? null,
  confirmedAmountYuan: money(order.confirmedAmountYuan),
  reference: order.reference,
  effectiveAt: order.effectiveAt?.toISOString() ?? null,
});

export const freezeView = (freeze: Freeze, at: Date) => ({
  id: freeze.id,
  findingId: freeze.findingId,
  searchId: freeze.searchId,
  institutionCode: freeze.institutionCode,
  courtCode: freeze.courtCode,
  caseNumber: freeze.caseNumber,
  assetKind: freeze.assetKind,
  account: freeze.account,
  status: freeze.status,
  amountYuan: Number(freeze.amountYuan),
  deductedYuan: Number(freeze.deductedYuan),
  frozenAt: freeze.frozenAt?.toISOString() ?? null,
  until: freeze.until.toISOString(),
  daysLeft: freeze.status === 'active' ? Math.max(Math.ceil((freeze.until.getTime() - at.getTime()) / DAY_MS), 0) : null,
  renewals: freeze.renewals,
  endedAt: freeze.endedAt?.toISOString() ?? null,
});

/**
 * Control orders (网络执行查控): from a finding, the clerk orders a freeze;
 * the institution confirms it under its signature with the amount actually
 * frozen and when it took effect; renewals, deductions and releases follow
 * the same way. Each freeze has a workflow with a durable timer on its end
 * (workflows/freeze.ts). Orders and confirmations are decided here, under the
 * freeze's row lock, so a confirmation and a lapse never both win.
 */
export function createControlOrderService(deps: ControlOrderDeps) {
  const { prisma, workflows, outbox, institutions, seals, calendars, policy, visibleListing, log, now = () => new Date() } = deps;

  const changed = (freezeId: string, orderId: string, fact: string): OwedSignal => ({
    id: `control-order.${orderId}.${fact}`,
    workflowId: freezeWorkflowIdOf(freezeId),
    signal: freezeChangedSignal.name,
    payload: { orderId },
  });

  async function owe(tx: Prisma.TransactionClient, owed: OwedSignal): Promise<void> {
    await tx.outboxSignal.create({ data: { id: owed.id, workflowId: owed.workflowId, signal: owed.signal, payload: owed.payload as Prisma.InputJsonValue } });
  }

  async function startFreezeWorkflow(freezeId: string): Promise<void> {
    try {
      await workflows.startFreeze(freezeId);
      await prisma.freeze.updateMany({ where: { id: freezeId, workflowStartedAt: null }, data: { workflowStartedAt: now() } });
    } catch (error) {
      log?.warn({ err: error, freezeId }, 'freeze recorded; its workflow starts later');
    }
  }

  /** Orders one measure on a finding: checked against the freeze as it stands under its row lock. */
  async function order(principal: Principal, body: unknown) {
    const input = parseInput(controlOrderSchema, body, 'control order');
    const finding = await prisma.assetFinding.findUnique({ where: { id: input.findingId }, include: { request: { include: { search: true } } } });
    if (!finding) throw invalid('No such finding.', [{ field: 'findingId', message: `no finding ${input.findingId}` }]);
    const search = finding.request.search;
    const court = courtScopeOf(principal);
    if (court && court !== search.courtCode) throw forbidden('This finding belongs to another court\'s search.');
    const institution = await prisma.institution.findUniqueOrThrow({ where: { code: finding.institutionCode } });
    if (!institution.capabilities.includes(input.action)) {
      throw invalid(`${institution.name} does not ${input.action} online.`, [{ field: 'action', rule: 'capability', message: `${institution.code} does ${institution.capabilities.join(', ')}` }]);
    }
    const kind = finding.kind as AssetKind;
    const at = now();
    const { calendar } = await calendars.current();
    const dueAt = answerSchedule(policy, 'confirm', at, calendar).dueAt;
    const orderId = randomUUID();
    const actor = `${principal.role}:${principal.name}`;

    const created = await prisma.$transaction(async (tx) => {
      // The finding's row serialises its orders: two freezes of one deposit ordered at once find each other.
      await tx.$queryRaw`SELECT id FROM "AssetFinding" WHERE id = ${finding.id}::uuid FOR UPDATE`;
      const [current] = await tx.$queryRaw<Freeze[]>`SELECT * FROM "Freeze" WHERE "findingId" = ${finding.id}::uuid ORDER BY "createdAt" DESC LIMIT 1 FOR UPDATE`;
      const openOrders = current ? await tx.controlOrder.findMany({ where: { freezeId: current.id, status: 'open' } }) : [];
      let freeze: Freeze;
      let amountYuan: number | null = null;
      let until: Date | null = null;
      const action = input.action as OrderAction;
      if (action === 'freeze') {
        if (current && !hasEnded(current.status)) throw conflict(`This finding is frozen already (freeze ${current.id}, until ${current.until.toISOString()}): order a renewal instead.`, { freezeId: current.id });
        amountYuan = input.amountYuan ?? money(finding.amountYuan);
        if (amountYuan === null || amountYuan <= 0) throw invalid('Name the amount to freeze.', [{ field: 'amountYuan', message: 'required: the finding reports no balance' }]);
        until = input.until ? new Date(input.until) : latestFreezeEnd(kind, at);
        const problem = freezeEndProblem(kind, at, until);
        if (problem) throw invalid('The freeze would last too long.', [{ field: 'until', rule: 'freeze-period', message: problem }]);
        freeze = await tx.freeze.create({
          data: {
            id: randomUUID(),
            findingId: finding.id,
            searchId: search.id,
            institutionCode: finding.institutionCode,
            courtCode: search.courtCode,
            caseKey: search.caseKey,
            caseNumber: search.caseNumber,
            debtorIdNumber: (search.debtor as { idNumber: string }).idNumber,
            assetKind: kind,
            account: finding.account,
            amountYuan,
            until,
            officerEmail: input.officerEmail ?? null,
            createdAt: at,
          },
        });
      } else {
        if (!current) throw conflict('This finding has not been frozen: order a freeze first.');
        freeze = current;
        if (current.status === 'lapsed') throw conflict(`The freeze lapsed at ${current.until.toISOString()}: a ${action} of a lapsed freeze is refused; order a new freeze.`, { freezeId: current.id, freezeStatus: 'lapsed' });
        if (hasEnded(current.status)) throw conflict(`The freeze was ${current.status}.`, { freezeId: current.id, freezeStatus: current.status });
        if (current.status !== 'active') throw conflict('The freeze awaits the institution\'s confirmation.', { freezeId: current.id, freezeStatus: current.status });
        if (current.until.getTime() <= at.getTime()) throw conflict(`The freeze ended at ${current.until.toISOString()}.`, { freezeId: current.id });
        if (openOrders.some((each) => each.action === action && action !== 'deduct')) throw conflict(`A ${action} of this freeze awaits the institution's confirmation.`);
        if (action === 'renew') {
          until = input.until ? new Date(input.until) : latestFreezeEnd(kind, current.until);
          const problem = until.getTime() <= current.until.getTime() ? `a renewal must end after the current end, ${current.until.toISOString()}` : freezeEndProblem(kind, current.until, until);
          if (problem) throw invalid('The renewal does not fit the freeze.', [{ field: 'until', rule: 'freeze-period', message: problem }]);
        }
        if (action === 'deduct') {
          if (input.amountYuan === undefined) throw invalid('Name the amount to deduct.', [{ field: 'amountYuan', message: 'required for a deduction' }]);
          const pending = openOrders.filter((each) => each.action === 'deduct').reduce((sum, each) => sum + fen(money(each.amountYuan) ?? 0), 0);
          const left = fen(Number(current.amountYuan)) - fen(Number(current.deductedYuan)) - pending;
          if (fen(input.amountYuan) > left) throw invalid('The deduction exceeds what is frozen.', [{ field: 'amountYuan', message: `at most ${(left / 100).toFixed(2)} yuan is frozen and not yet deducted or ordered` }]);
          amountYuan = input.amountYuan;
        }
      }
      const document = seals.sign(search.courtCode, {
        type: 'control-order',
        orderId,
        freezeId: freeze.id,
        action,
        courtCode: search.courtCode,
        caseNumber: search.caseNumber,
        debtor: search.debtor as Record<string, unknown>,
        institutionCode: finding.institutionCode,
        asset: { findingId: finding.id, kind, ...(finding.account ? { account: finding.account } : {}) },
        ...(amountYuan !== null ? { amountYuan } : {}),
        ...(until ? { until: until.toISOString() } : {}),
        ...(action === 'release' ? { reason: input.reason ?? 'order' } : {}),
        issuedAt: at.toISOString(),
        dueAt: dueAt.toISOString(),
      });
      const row = await tx.controlOrder.create({
        data: {
          id: orderId,
          freezeId: freeze.id,
          findingId: finding.id,
          searchId: search.id,
          institutionCode: finding.institutionCode,
          courtCode: search.courtCode,
          action,
          amountYuan,
          until,
          reason: action === 'release' ? (input.reason ?? 'order') : null,
          dueAt,
          document: document as Prisma.InputJsonValue,
          officerEmail: input.officerEmail ?? null,
          orderedBy: actor,
          orderedByKeyId: principal.keyId,
          orderedAt: at,
        },
      });
      await tx.assetEvent.create({ data: { id: `control-order.${orderId}.ordered`, searchId: search.id, institutionCode: finding.institutionCode, at, type: `${action}-ordered`, actor, data: { orderId, freezeId: freeze.id, amountYuan, until: until?.toISOString() ?? null } } });
      const owed = action === 'freeze' ? null : changed(freeze.id, orderId, 'ordered');
      if (owed) await owe(tx, owed);
      return { row, owed, newFreeze: action === 'freeze' ? freeze.id : null };
    });
    if (created.newFreeze) await startFreezeWorkflow(created.newFreeze);
    if (created.owed) outbox.deliverSoon(created.owed);
    return orderView(created.row);
  }

  return {
    /** POST /api/control-orders */
    order,

    /**
     * POST /api/control-orders/:id/confirm — the institution's signed
     * confirmation: the signature covers the body without `signature` and
     * `keyId`, with `orderId`. A bad signature is refused and recorded; a
     * confirmation of a measure on a freeze that lapsed is refused.
     */
    async confirm(principal: Principal, orderId: string, body: unknown) {
      const institutionCode = institutionScopeOf(principal);
      if (!institutionCode) throw forbidden('Only an institution confirms its orders.');
      if (!listingIdParam.safeParse(orderId).success) throw notFound(`No control order ${orderId}.`);
      const input = parseInput(controlConfirmationSchema, body, 'confirmation');
      if (input.orderId !== undefined && input.orderId !== orderId) throw invalid('The confirmation names another order.', [{ field: 'orderId', message: `must be ${orderId}, the order of the path` }]);
      const known = await prisma.controlOrder.findUnique({ where: { id: orderId } });
      if (!known) throw notFound(`No control order ${orderId}.`);
      if (known.institutionCode !== institutionCode) throw forbidden(`Control order ${orderId} is addressed to another institution.`);
      const document = { ...(body as Record<string, unknown>), orderId };
      const keyId = await institutions.acceptSigned(principal, institutionCode, document, { what: 'confirmation', coveredId: 'orderId', eventId: `control-order.${orderId}`, searchId: known.searchId, data: { orderId } });
      const at = now();
      const effectiveAt = new Date(input.effectiveAt);
      const outcome = await prisma.$transaction(async (tx) => {
        const [freeze] = await tx.$queryRaw<Freeze[]>`SELECT * FROM "Freeze" WHERE id = ${known.freezeId}::uuid FOR UPDATE`;
        const current = await tx.controlOrder.findUniqueOrThrow({ where: { id: orderId } });
        if (current.status === 'confirmed') {
          if (current.reference !== input.reference || fen(money(current.confirmedAmountYuan) ?? 0) !== fen(input.amountYuan)) throw conflict(`Control order ${orderId} was confirmed at ${current.confirmedAt?.toISOString()} otherwise; a confirmation is final.`);
          return { row: current, owed: null as OwedSignal | null, changed: false };
        }
        if (current.status === 'void' || freeze!.status === 'lapsed') throw conflict(`The freeze lapsed at ${freeze!.until.toISOString()} before this ${current.action} was confirmed: it is refused.`, { freezeStatus: 'lapsed' });
        if (hasEnded(freeze!.status)) throw conflict(`The freeze was ${freeze!.status}.`, { freezeStatus: freeze!.status });
        const kind = freeze!.assetKind as AssetKind;
        const data: Prisma.FreezeUpdateInput = {};
        if (current.action === 'freeze') {
          const until = input.until ? new Date(input.until) : current.until!;
          const problem = freezeEndProblem(kind, effectiveAt, until);
          if (problem) throw invalid('The freeze as confirmed would last too long.', [{ field: 'until', rule: 'freeze-period', message: problem }]);
          Object.assign(data, { status: 'active', amountYuan: input.amountYuan, frozenAt: effectiveAt, until });
        } else {
          if (freeze!.until.getTime() <= at.getTime()) throw conflict(`The freeze ended at ${freeze!.until.toISOString()} before this ${current.action} was confirmed: it is refused.`, { freezeStatus: 'lapsed' });
          if (current.action === 'renew') {
            const until = input.until ? new Date(input.until) : current.until!;
            const problem = until.getTime() <= freeze!.until.getTime() ? `a renewal must end after ${freeze!.until.toISOString()}` : freezeEndProblem(kind, freeze!.until, until);
            if (problem) throw invalid('The renewal as confirmed does not fit the freeze.', [{ field: 'until', rule: 'freeze-period', message: problem }]);
            Object.assign(data, { until, renewals: { increment: 1 } });
          } else if (current.action === 'deduct') {
            const left = fen(Number(freeze!.amountYuan)) - fen(Number(freeze!.deductedYuan));
            if (fen(input.amountYuan) > left) throw invalid('The deduction exceeds what is frozen.', [{ field: 'amountYuan', message: `at most ${(left / 100).toFixed(2)} yuan is frozen and not yet deducted` }]);
            const deducted = fen(Number(freeze!.deductedYuan)) + fen(input.amountYuan);
            Object.assign(data, { deductedYuan: deducted / 100, ...(deducted >= fen(Number(freeze!.amountYuan)) ? { status: 'deducted', endedAt: effectiveAt } : {}) });
          } else {
            Object.assign(data, { status: 'released', endedAt: effectiveAt });
          }
        }
        await tx.freeze.update({ where: { id: freeze!.id }, data });
        const row = await tx.controlOrder.update({
          where: { id: orderId },
          data: { status: 'confirmed', confirmedAt: at, confirmation: document as Prisma.InputJsonValue, confirmKeyId: keyId, confirmedAmountYuan: input.amountYuan, reference: input.reference, effectiveAt },
        });
        await tx.assetEvent.create({ data: { id: `control-order.${orderId}.confirmed`, searchId: current.searchId, institutionCode, at, type: `${current.action}-confirmed`, actor: `${principal.role}:${principal.name}`, data: { orderId, freezeId: freeze!.id, amountYuan: input.amountYuan, reference: input.reference, effectiveAt: input.effectiveAt, keyId } } });
        const owed = changed(freeze!.id, orderId, 'confirmed');
        await owe(tx, owed);
        return { row, owed, changed: true };
      });
      if (outcome.owed) outbox.deliverSoon(outcome.owed);
      return { changed: outcome.changed, order: orderView(outcome.row) };
    },

    /** GET /api/control-orders — an institution's orders with the court's signed documents; a clerk's court's orders. */
    async list(principal: Principal, query: unknown) {
      const input = parseInput(controlOrderQuerySchema, query, 'query');
      const institutionCode = institutionScopeOf(principal);
      const court = courtScopeOf(principal);
      const rows = await prisma.controlOrder.findMany({
        where: { ...(input.status ? { status: input.status } : {}), ...(principal.role === 'institution' ? { institutionCode: institutionCode ?? '' } : {}), ...(court ? { courtCode: court } : {}) },
        orderBy: [{ orderedAt: 'desc' }, { id: 'asc' }],
        take: 1000,
      });
      return rows.map((row) => ({ ...orderView(row), ...(principal.role === 'institution' ? { document: row.document } : {}) }));
    },

    /** GET /api/supervision/freezes?expiringWithinDays= — freezes in force by their end, most urgent first. */
    async freezes(principal: Principal, query: unknown) {
      const input = parseInput(freezeQuerySchema, query, 'query');
      const at = now();
      const court = courtScopeOf(principal);
      const rows = await prisma.freeze.findMany({
        where: {
          status: 'active',
          ...(input.expiringWithinDays !== undefined ? { until: { lte: new Date(at.getTime() + input.expiringWithinDays * DAY_MS) } } : {}),
          ...(input.caseNumber ? { caseKey: input.caseNumber } : {}),
          ...(court ? { courtCode: court } : {}),
        },
        orderBy: [{ until: 'asc' }, { id: 'asc' }],
        take: 1000,
      });
      const renewing = new Set((await prisma.controlOrder.findMany({ where: { freezeId: { in: rows.map((row) => row.id) }, action: 'renew', status: 'open' }, select: { freezeId: true } })).map((row) => row.freezeId));
      return rows.map((row) => ({ ...freezeView(row, at), renewalOrdered: renewing.has(row.id) }));
    },

    /**
     * A performance (or the listing's deletion): a release order for every
     * freeze in force of the listing's case and debtor, except those whose
     * release is ordered already.
     */
    async releaseFreezesOfListing(principal: Principal, listingId: string, body: unknown) {
      const { reason } = parseInput(freezeReleaseSchema, body ?? {}, 'release');
      const { listing } = await visibleListing(principal, listingId);
      // Only what can be released online now: in force, not past its end, at an institution that releases online,
      // and not being released already. The rest (a paper order, or nothing left to release) is left out, so one
      // such freeze never stops the others' release halfway.
      const at = now();
      const freezes = await prisma.freeze.findMany({ where: { caseKey: listing.caseNumber, courtCode: listing.courtCode, debtorIdNumber: listing.debtorIdNumber, status: 'active', until: { gt: at } }, orderBy: { createdAt: 'asc' } });
      const releasingOnline = new Set((await prisma.institution.findMany({ where: { code: { in: freezes.map((freeze) => freeze.institutionCode) }, capabilities: { has: 'release' } }, select: { code: true } })).map((row) => row.code));
      const ordered = [];
      for (const freeze of freezes) {
        if (!releasingOnline.has(freeze.institutionCode)) continue;
        const releasing = await prisma.controlOrder.count({ where: { freezeId: freeze.id, action: 'release', status: 'open' } });
        if (releasing > 0) continue;
        ordered.push(await order(principal, { findingId: freeze.findingId, action: 'release', reason, ...(freeze.officerEmail ? { officerEmail: freeze.officerEmail } : {}) }));
      }
      return ordered;
    },

    /** What the relay runs: freezes recorded whose workflow never started. */
    async startUnstartedWorkflows(): Promise<number> {
      const unstarted = await prisma.freeze.findMany({ where: { workflowStartedAt: null, createdAt: { lt: new Date(now().getTime() - 5_000) } }, take: 100 });
      for (const freeze of unstarted) await startFreezeWorkflow(freeze.id);
      return unstarted.length;
    },
  };
}

export type ControlOrderService = ReturnType<typeof createControlOrderService>;
