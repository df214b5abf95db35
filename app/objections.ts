import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CalendarVersions } from '../db/calendar-versions.js';
import { appendEvents } from '../db/events.js';
import { actorOf, type Principal } from '../domain/access.js';
import { chinaLocalDate } from '../domain/china-time.js';
import { instantOf } from '../domain/listing-rules.js';
import { REMEDY_OF_GROUND, objectionClock, reconsiderationWindowEnd, type ObjectionGround, type Remedy } from '../domain/objections.js';
import type { Objection, Prisma, PrismaClient } from '../prisma/generated/client.js';
import { conflict, invalid, notFound } from './errors.js';
import type { ListingService } from './listings.js';
import { objectionDecisionSchema, objectionIdParam, objectionSchema, reconsiderationSchema } from './schemas.js';
import { parseInput } from './validate.js';
import type { WorkflowGateway } from './workflow-gateway.js';

export type ObjectionView = ReturnType<typeof objectionView>;

export function objectionView(objection: Objection, at: Date) {
  const iso = (value: Date | null) => value?.toISOString() ?? null;
  return {
    id: objection.id,
    listingId: objection.listingId,
    ground: objection.ground,
    statement: objection.statement,
    receivedAt: objection.receivedAt.toISOString(),
    status: objection.status,
    /** What the court owes now (review, remedy, reconsideration), by when, and whether it is late. */
    duty: objection.duty,
    dueAt: iso(objection.dueAt),
    overdue: objection.dueAt !== null && objection.dueAt.getTime() < at.getTime(),
    escalationLevel: objection.escalationLevel,
    /** What an upheld objection on its ground leads to. */
    remedy: REMEDY_OF_GROUND[objection.ground as ObjectionGround] ?? null,
    decision: objection.outcome ? { outcome: objection.outcome, reason: objection.decisionReason, decidedAt: iso(objection.decidedAt) } : null,
    reconsideration: objection.reconsiderationReceivedAt
      ? {
          statement: objection.reconsiderationStatement,
          receivedAt: iso(objection.reconsiderationReceivedAt),
          outcome: objection.reconsiderationOutcome,
          reason: objection.reconsiderationReason,
          decidedAt: iso(objection.reconsiderationDecidedAt),
        }
      : null,
    remediedAt: iso(objection.remediedAt),
    remediedBy: objection.remedy,
  };
}

export interface ObjectionServiceDeps {
  prisma: PrismaClient;
  listings: ListingService;
  workflows: WorkflowGateway;
  calendars: CalendarVersions;
  log?: Logger | undefined;
  now?: () => Date;
}

/**
 * Objections (arts. 11–12): the clerk records a listed person's written
 * application, the court's decision, and an application for reconsideration
 * with the higher court's decision. Each step moves the court's duty and its
 * deadline; the objection's workflow reminds and escalates them.
 */
export function createObjectionService({ prisma, listings, workflows, calendars, log, now = () => new Date() }: ObjectionServiceDeps) {
  /** The duty and deadline of an objection in this state, on the current calendar. */
  async function dutyOf(facts: Pick<Objection, 'status' | 'receivedAt' | 'decidedAt' | 'reconsiderationReceivedAt' | 'reconsiderationDecidedAt'>) {
    const { calendar } = await calendars.current();
    const clock = objectionClock(facts, calendar.lenient);
    return { duty: clock?.duty ?? null, dueAt: clock?.dueAt ?? null, escalationLevel: 0 };
  }

  /** Tells the objection's workflow; when Temporal is away the relay tells it later. */
  async function nudge(objectionId: string): Promise<void> {
    try {
      await workflows.nudgeObjection(objectionId);
      await prisma.objection.updateMany({ where: { id: objectionId, workflowStartedAt: null }, data: { workflowStartedAt: now() } });
    } catch (error) {
      log?.warn({ err: error, objectionId }, 'objection workflow not reached; the relay tries again');
      await prisma.objection.update({ where: { id: objectionId }, data: { workflowStartedAt: null } });
    }
  }

  async function visibleObjection(principal: Principal, id: string) {
    if (!objectionIdParam.safeParse(id).success) throw notFound(`No objection ${id}.`);
    const objection = await prisma.objection.findUnique({ where: { id } });
    if (!objection) throw notFound(`No objection ${id}.`);
    await listings.visible(principal, objection.listingId);
    return objection;
  }

  /** A date the court states: not in the future, not before `earliest` (compared as China dates). */
  function stated(value: string, field: string, earliest: Date, what: string) {
    const at = instantOf(value);
    if (at.getTime() > now().getTime()) throw invalid(`The ${field} is in the future.`, [{ field, rule: 'not-in-future', message: `${what} cannot be in the future` }]);
    if (chinaLocalDate(at) < chinaLocalDate(earliest)) throw invalid(`The ${field} is too early.`, [{ field, rule: 'too-early', message: `${what} cannot precede ${earliest.toISOString().slice(0, 10)}` }]);
    return at;
  }

  async function record(objectionId: string, listingId: string, data: Prisma.ObjectionUpdateInput, event: { type: string; actor: string; data: Record<string, unknown> }) {
    const at = now();
    const updated = await prisma.$transaction(async (tx) => {
      const objection = await tx.objection.update({ where: { id: objectionId }, data });
      await appendEvents(tx, listingId, [{ id: `${objectionId}.${event.type}`, at, type: event.type, actor: event.actor, data: { objectionId, ...event.data } }]);
      return objection;
    });
    await nudge(objectionId);
    return objectionView(updated, at);
  }

  return {
    /** POST /api/listings/:id/objections — art. 11: the review is due 15 days after receipt. */
    async create(principal: Principal, listingId: string, body: unknown) {
      const request = parseInput(objectionSchema, body, 'objection');
      const { listing } = await listings.visible(principal, listingId);
      if (listing.status !== 'active') throw conflict(`The listing is ${listing.status}: there is nothing left to object to.`);
      const receivedAt = stated(request.receivedAt, 'receivedAt', listing.decidedAt ?? listing.listedAt, 'the application');
      const id = randomUUID();
      const facts = { status: 'under-review', receivedAt, decidedAt: null, reconsiderationReceivedAt: null, reconsiderationDecidedAt: null };
      const created = await prisma.$transaction(async (tx) => {
        const objection = await tx.objection.create({
          data: { id, listingId, courtCode: listing.courtCode, ground: request.ground, statement: request.statement, receivedAt, ...(await dutyOf(facts)), createdBy: actorOf(principal) },
        });
        await appendEvents(tx, listingId, [
          { id: `${id}.received`, at: now(), type: 'objection-received', actor: actorOf(principal), data: { objectionId: id, ground: request.ground, receivedAt: receivedAt.toISOString(), dueAt: objection.dueAt?.toISOString() ?? null } },
        ]);
        return objection;
      });
      await nudge(id);
      return objectionView(created, now());
    },

    /** POST /api/objections/:id/decision — the court's decision, or the higher court's on a reconsideration (art. 12). */
    async decide(principal: Principal, id: string, body: unknown) {
      const request = parseInput(objectionDecisionSchema, body, 'decision');
      const objection = await visibleObjection(principal, id);
      const reconsidering = objection.status === 'reconsidering';
      if (objection.status !== 'under-review' && !reconsidering) throw conflict(`The objection is ${objection.status}: there is no application to decide.`);
      const decidedAt = request.decidedAt
        ? stated(request.decidedAt, 'decidedAt', reconsidering ? objection.reconsiderationReceivedAt! : objection.receivedAt, 'the decision')
        : now();
      const upheld = request.outcome === 'upheld';
      // A rejection on reconsideration is final; a first rejection opens the window for reconsideration.
      const status = upheld ? 'upheld' : reconsidering ? 'closed' : 'rejected';
      const decision = reconsidering
        ? { reconsiderationOutcome: request.outcome, reconsiderationReason: request.reason, reconsiderationDecidedAt: decidedAt }
        : { outcome: request.outcome, decisionReason: request.reason, decidedAt };
      const facts = { ...objection, ...decision, status };
      const listing = await prisma.listing.findUniqueOrThrow({ where: { id: objection.listingId } });
      // Upheld when the listing is no longer in force: there is nothing left to remedy.
      const moot = upheld && listing.status !== 'active';
      return record(
        id,
        objection.listingId,
        { ...decision, ...(moot ? { status: 'remedied', remediedAt: decidedAt, remedy: listing.status, duty: null, dueAt: null, escalationLevel: 0 } : { status, ...(await dutyOf(facts)) }) },
        {
          type: reconsidering ? 'reconsideration-decided' : 'objection-decided',
          actor: actorOf(principal),
          data: {
            outcome: request.outcome,
            reason: request.reason,
            decidedAt: decidedAt.toISOString(),
            ...(status === 'rejected' ? { reconsiderationUntil: reconsiderationWindowEnd(decidedAt, (await calendars.current()).calendar.lenient).toISOString() } : {}),
          },
        },
      );
    },

    /** POST /api/objections/:id/reconsideration — within 10 days of the rejection; the higher court decides within 15. */
    async reconsider(principal: Principal, id: string, body: unknown) {
      const request = parseInput(reconsiderationSchema, body, 'reconsideration');
      const objection = await visibleObjection(principal, id);
      if (objection.status !== 'rejected' && objection.status !== 'closed') throw conflict(`The objection is ${objection.status}: only a rejected objection is reconsidered.`);
      if (objection.outcome !== 'rejected' || objection.reconsiderationReceivedAt) throw conflict('A reconsideration was already applied for; its decision is final.');
      const receivedAt = stated(request.receivedAt, 'receivedAt', objection.decidedAt!, 'the application for reconsideration');
      const windowEnd = reconsiderationWindowEnd(objection.decidedAt!, (await calendars.current()).calendar.lenient);
      if (receivedAt.getTime() >= windowEnd.getTime()) {
        throw conflict(`The application for reconsideration came after ${windowEnd.toISOString()}, more than 10 days after the rejection (art. 12).`, { rule: 'art-12-reconsideration-window' });
      }
      const facts = { ...objection, status: 'reconsidering', reconsiderationReceivedAt: receivedAt };
      return record(
        id,
        objection.listingId,
        { status: 'reconsidering', reconsiderationStatement: request.statement, reconsiderationReceivedAt: receivedAt, ...(await dutyOf(facts)) },
        { type: 'reconsideration-received', actor: actorOf(principal), data: { receivedAt: receivedAt.toISOString() } },
      );
    },

    /** GET /api/objections/:id */
    async get(principal: Principal, id: string) {
      return objectionView(await visibleObjection(principal, id), now());
    },

    /** GET /api/listings/:id/objections, oldest first. */
    async ofListing(principal: Principal, listingId: string) {
      await listings.visible(principal, listingId);
      const rows = await prisma.objection.findMany({ where: { listingId }, orderBy: [{ receivedAt: 'asc' }, { id: 'asc' }] });
      return rows.map((row) => objectionView(row, now()));
    },

    /** Objections whose duty is past its deadline, most overdue first: for supervisors, beside overdue tasks. */
    async overdue() {
      const at = now();
      const rows = await prisma.objection.findMany({ where: { dueAt: { lt: at } }, orderBy: [{ dueAt: 'asc' }, { id: 'asc' }], include: { listing: { select: { caseNumber: true } } }, take: 1000 });
      return rows.map((row) => ({ ...objectionView(row, at), caseNumber: row.listing.caseNumber, courtCode: row.courtCode, overdueSeconds: Math.floor((at.getTime() - row.dueAt!.getTime()) / 1000) }));
    },

    /**
     * The court revoked, corrected or lifted the listing: an upheld objection
     * waiting for it is remedied. Called by those use cases after the workflow took them.
     */
    async remedied(listingId: string, remedy: Remedy | 'performance'): Promise<void> {
      const waiting = await prisma.objection.findMany({ where: { listingId, status: 'upheld' }, select: { id: true } });
      for (const { id } of waiting) {
        await record(id, listingId, { status: 'remedied', remedy, remediedAt: now(), duty: null, dueAt: null }, { type: 'objection-remedied', actor: 'system', data: { remedy } });
      }
    },

    /** Objections recorded while Temporal was away: their workflows are started now. Run by the relay. */
    async startMissingWorkflows(olderThanMs = 30_000): Promise<number> {
      const stale = await prisma.objection.findMany({ where: { workflowStartedAt: null, updatedAt: { lt: new Date(now().getTime() - olderThanMs) } }, select: { id: true }, take: 500 });
      for (const { id } of stale) await nudge(id);
      return stale.length;
    },
  };
}

export type ObjectionService = ReturnType<typeof createObjectionService>;
