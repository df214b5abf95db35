import { randomUUID } from 'node:crypto';
import { appendEvents, lockListing } from '../db/events.js';
import { actorOf, type Principal } from '../domain/access.js';
import type { Catalog } from '../domain/catalog.js';
import type { PrismaClient } from '../prisma/generated/client.js';
import type { CatalogService } from './catalog.js';
import { conflict, invalid, notFound } from './errors.js';
import { listingIdParam, reassignSchema, reasonSchema, taskExtensionDecisionSchema, taskExtensionQuerySchema, verificationSchema } from './schemas.js';
import { extensionView } from './tasks.js';
import { parseInput } from './validate.js';
import { taskView } from './views.js';
import { refusalError, type WorkflowGateway } from './workflow-gateway.js';

export interface TaskReviewDeps {
  prisma: PrismaClient;
  workflows: WorkflowGateway;
  catalogs: CatalogService;
  now?: () => Date;
}

/** A catalog suggestion as an administrator reads it. */
function suggestionView(row: { id: string; taskId: string; catalogVersion: number; measures: string[]; fromDepartmentCode: string; toDepartmentCode: string; reason: string; suggestedBy: string; createdAt: Date; status: string; acceptedVersion: number | null; decidedBy: string | null; decidedAt: Date | null }) {
  return { ...row, createdAt: row.createdAt.toISOString(), decidedAt: row.decidedAt?.toISOString() ?? null };
}

/**
 * The catalog with each of `measures` moved from one department to another:
 * what a reassignment says about the measure-to-department links.
 */
export function catalogWithMeasuresMoved(catalog: Catalog, measures: string[], from: string, to: string): Catalog {
  return {
    ...catalog,
    measures: catalog.measures.map((measure) =>
      measures.includes(measure.code) ? { ...measure, departments: [...new Set(measure.departments.map((code) => (code === from ? to : code)))] } : measure,
    ),
  };
}

/**
 * What supervisors decide about tasks (销号 and the queue of "not ours"):
 * reassign or return a declined task, grant or refuse more time, verify a
 * completed task or send it back; and what administrators make of the
 * catalog corrections reassignments suggest.
 */
export function createTaskReviewService({ prisma, workflows, catalogs, now = () => new Date() }: TaskReviewDeps) {
  async function findTask(taskId: string) {
    if (!listingIdParam.safeParse(taskId).success) throw notFound(`No task ${taskId}.`);
    const task = await prisma.task.findUnique({ where: { id: taskId } });
    if (!task) throw notFound(`No task ${taskId}.`);
    return task;
  }

  const withListing = { listing: { select: { caseNumber: true, courtCode: true, debtorName: true } } } as const;
  const queueRow = ({ listing, ...task }: Parameters<typeof taskView>[0] & { listing: { caseNumber: string; courtCode: string; debtorName: string }; declinedAt: Date | null; declineReason: string | null; declinedBy: string | null; suggestedDepartmentCode: string | null; feedback: unknown }) => ({
    ...taskView(task),
    caseNumber: listing.caseNumber,
    courtCode: listing.courtCode,
    debtorName: listing.debtorName,
    declinedAt: task.declinedAt?.toISOString() ?? null,
    declinedBy: task.declinedBy,
    declineReason: task.declineReason,
    suggestedDepartmentCode: task.suggestedDepartmentCode,
    feedback: task.feedback ?? null,
  });

  return {
    /** GET /api/supervision/declined — tasks a department declined, oldest first. */
    async declined() {
      const rows = await prisma.task.findMany({ where: { status: 'declined' }, orderBy: [{ declinedAt: 'asc' }, { id: 'asc' }], include: withListing, take: 5_000 });
      return rows.map(queueRow);
    },

    /** GET /api/supervision/awaiting-verification — completed tasks not yet signed off, oldest completion first. */
    async awaitingVerification() {
      const rows = await prisma.task.findMany({ where: { status: 'completed' }, orderBy: [{ completedAt: 'asc' }, { id: 'asc' }], include: withListing, take: 5_000 });
      return rows.map(queueRow);
    },

    /** POST /api/tasks/:id/reassignment — a fresh task for another department; the reassignment is offered as a catalog correction. */
    async reassign(principal: Principal, taskId: string, body: unknown) {
      const input = parseInput(reassignSchema, body, 'reassignment');
      const task = await findTask(taskId);
      if (input.departmentCode === task.departmentCode) throw invalid('Reassign to another department.', [{ field: 'departmentCode', message: 'the task already belongs to this department' }]);
      if ((await prisma.department.count({ where: { code: input.departmentCode } })) === 0) throw invalid('Unknown department.', [{ field: 'departmentCode', message: 'no such department' }]);
      const by = actorOf(principal);
      const result = await workflows.reassign(task.listingId, { taskId, departmentCode: input.departmentCode, by, reason: input.reason });
      if (result.refused) throw refusalError(result);
      const listing = await prisma.listing.findUniqueOrThrow({ where: { id: task.listingId }, select: { catalogVersion: true } });
      if ((await prisma.catalogSuggestion.count({ where: { taskId } })) === 0) {
        await prisma.catalogSuggestion.create({
          data: { id: randomUUID(), taskId, catalogVersion: listing.catalogVersion, measures: task.measures, fromDepartmentCode: task.departmentCode, toDepartmentCode: input.departmentCode, reason: input.reason, suggestedBy: by },
        });
      }
      const [declined, reassigned] = await Promise.all([prisma.task.findUniqueOrThrow({ where: { id: taskId } }), prisma.task.findUniqueOrThrow({ where: { id: result.newTaskId! } })]);
      return { task: taskView(declined), newTask: taskView(reassigned) };
    },

    /** POST /api/tasks/:id/return — back to the declining department, with its open deadline counted afresh. */
    async returnTask(principal: Principal, taskId: string, body: unknown) {
      const input = parseInput(reasonSchema, body, 'return');
      const task = await findTask(taskId);
      const result = await workflows.returnTask(task.listingId, { taskId, by: actorOf(principal), reason: input.reason });
      if (result.refused) throw refusalError(result);
      return taskView(await prisma.task.findUniqueOrThrow({ where: { id: taskId } }));
    },

    /** POST /api/tasks/:id/verification — sign-off (销号) of a completed task. */
    async verify(principal: Principal, taskId: string, body: unknown) {
      parseInput(verificationSchema, body ?? {}, 'verification');
      const task = await findTask(taskId);
      const result = await workflows.verify(task.listingId, { taskId, by: actorOf(principal) });
      if (result.refused) throw refusalError(result);
      return taskView(await prisma.task.findUniqueOrThrow({ where: { id: taskId } }));
    },

    /** POST /api/tasks/:id/send-back — the completion is not accepted: open again with a new completion deadline. */
    async sendBack(principal: Principal, taskId: string, body: unknown) {
      const input = parseInput(reasonSchema, body, 'send-back');
      const task = await findTask(taskId);
      const result = await workflows.sendBack(task.listingId, { taskId, by: actorOf(principal), reason: input.reason });
      if (result.refused) throw refusalError(result);
      return taskView(await prisma.task.findUniqueOrThrow({ where: { id: taskId } }));
    },

    /** GET /api/task-extensions?status= */
    async extensions(query: unknown) {
      const filters = parseInput(taskExtensionQuerySchema, query, 'query');
      const rows = await prisma.taskExtension.findMany({ where: filters.status ? { status: filters.status } : {}, orderBy: [{ requestedAt: 'asc' }, { id: 'asc' }], take: 5_000 });
      return rows.map(extensionView);
    },

    /**
     * POST /api/task-extensions/:id/decision — a grant moves the deadline to the date the request named (a
     * target, not a number of days more) with its ladder; a refusal leaves it. The same decision again changes nothing.
     */
    async decideExtension(principal: Principal, extensionId: string, body: unknown) {
      const input = parseInput(taskExtensionDecisionSchema, body, 'decision');
      if (!listingIdParam.safeParse(extensionId).success) throw notFound(`No extension request ${extensionId}.`);
      const extension = await prisma.taskExtension.findUnique({ where: { id: extensionId } });
      if (!extension) throw notFound(`No extension request ${extensionId}.`);
      const granted = input.granted ?? input.outcome === 'granted';
      if (extension.status !== 'requested') {
        // The same decision again (a retry after a lost answer) is answered again; the deadline moved once.
        if (extension.status === (granted ? 'granted' : 'refused')) return extensionView(extension);
        throw conflict(`The request was ${extension.status} already.`);
      }
      const by = actorOf(principal);
      if (granted) {
        const result = await workflows.moveDeadline(extension.listingId, { taskId: extension.taskId, extensionId, until: extension.until.toISOString(), by, reason: input.reason });
        if (result.refused) {
          // The task moved on meanwhile (completed, declined, lifted): nothing is left to extend. A workflow
          // handing over to its continuation decided nothing: the request stays open for the retry.
          if (result.refused !== 'retryLater') await prisma.taskExtension.updateMany({ where: { id: extensionId, status: 'requested' }, data: { status: 'lapsed', decidedAt: now() } });
          throw refusalError(result);
        }
      } else {
        const at = now();
        await prisma.$transaction(async (tx) => {
          await lockListing(tx, extension.listingId);
          const { count } = await tx.taskExtension.updateMany({ where: { id: extensionId, status: 'requested' }, data: { status: 'refused', decidedBy: by, decidedAt: at, decisionReason: input.reason ?? null } });
          if (count > 0) {
            await appendEvents(tx, extension.listingId, [{ id: `${extensionId}.extension-refused`, at, type: 'extension-refused', actor: by, taskId: extension.taskId, data: { extensionId, reason: input.reason ?? null } }]);
          }
        });
      }
      return extensionView(await prisma.taskExtension.findUniqueOrThrow({ where: { id: extensionId } }));
    },

    /** GET /api/catalog/suggestions */
    async suggestions() {
      const rows = await prisma.catalogSuggestion.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
      return rows.map(suggestionView);
    },

    /** POST /api/catalog/suggestions/:id/acceptance — the newest catalog with the measures moved becomes a new version. */
    async acceptSuggestion(principal: Principal, id: string) {
      const suggestion = await openSuggestion(id);
      const { catalog } = await catalogs.current();
      const imported = await catalogs.import(catalogWithMeasuresMoved(catalog, suggestion.measures, suggestion.fromDepartmentCode, suggestion.toDepartmentCode));
      const row = await prisma.catalogSuggestion.update({ where: { id }, data: { status: 'accepted', acceptedVersion: imported.version, decidedBy: actorOf(principal), decidedAt: now() } });
      return { suggestion: suggestionView(row), version: imported.version, created: imported.created, diff: imported.diff };
    },

    /** POST /api/catalog/suggestions/:id/dismissal */
    async dismissSuggestion(principal: Principal, id: string) {
      await openSuggestion(id);
      return suggestionView(await prisma.catalogSuggestion.update({ where: { id }, data: { status: 'dismissed', decidedBy: actorOf(principal), decidedAt: now() } }));
    },
  };

  async function openSuggestion(id: string) {
    if (!listingIdParam.safeParse(id).success) throw notFound(`No catalog suggestion ${id}.`);
    const suggestion = await prisma.catalogSuggestion.findUnique({ where: { id } });
    if (!suggestion) throw notFound(`No catalog suggestion ${id}.`);
    if (suggestion.status !== 'open') throw conflict(`The suggestion was ${suggestion.status} already.`);
    return suggestion;
  }
}

export type TaskReviewService = ReturnType<typeof createTaskReviewService>;
