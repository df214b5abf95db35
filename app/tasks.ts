import type { z } from 'zod';
import { randomUUID } from 'node:crypto';
import type { PrismaClient, Prisma, Task, TaskExtension } from '../prisma/generated/client.js';
import { appendEvents, lockListing } from '../db/events.js';
import { requirementsOf } from '../domain/policy.js';
import { openDeadlineAt, openDeadlineOf, type FeedbackEntry } from '../domain/tasks.js';
import { departmentScopeOf, courtScopeOf, mayActOnTask, type Principal } from '../domain/access.js';
import { disclosedIdentifier } from '../domain/disclosure.js';
import type { TaskAction } from '../domain/tasks.js';
import { conflict, forbidden, invalid, notFound, type AppError, type FieldError } from './errors.js';
import { parseInput } from './validate.js';
import { acknowledgeSchema, completeSchema, declineSchema, idempotencyKeySchema, listingIdParam, TASK_PAGE, taskExtensionRequestSchema, taskQuerySchema } from './schemas.js';
import { taskView, type TaskView } from './views.js';
import { decodeCursor, encodeCursor } from './page-cursor.js';
import { refusalError, type WorkflowGateway, type WorkflowRefusal } from './workflow-gateway.js';
import type { Acknowledgments } from './acknowledgments.js';

/** What an action on a task came to: done (or already done before), or refused by the workflow. */
export type TaskActionOutcome = { done: true; changed: boolean; task: TaskView } | ({ done: false } & WorkflowRefusal);

export interface TaskActionDetails {
  by: string;
  note?: string | undefined;
  reference?: string | undefined;
  feedback?: FeedbackEntry[] | undefined;
}

/** A request for more time, as a department's staff made it (API, dashboard or reply). */
export interface ExtensionRequestDetails {
  by: string;
  until: string;
  reason: string;
}

/** The deadline a request for more time names: a date means 17:00 China time that day, like every working-day deadline. */
function instantOfUntil(until: string): Date {
  return /^\d{4}-\d{2}-\d{2}$/.test(until) ? new Date(`${until}T17:00:00+08:00`) : new Date(until);
}

/**
 * What is wrong with a completion's feedback for this task: each entry names
 * one of the task's measures, once; a policy that requires feedback wants an
 * entry for every measure.
 */
function feedbackProblems(task: { measures: string[]; policy: unknown }, feedback: FeedbackEntry[] | undefined, field = 'outcomes'): FieldError[] {
  const problems: FieldError[] = [];
  const seen = new Set<string>();
  for (const [index, entry] of (feedback ?? []).entries()) {
    if (!task.measures.includes(entry.measure)) problems.push({ field: `${field}.${index}.measure`, message: `${entry.measure} is not a measure of this task (${task.measures.join(', ')})` });
    else if (seen.has(entry.measure)) problems.push({ field: `${field}.${index}.measure`, message: `${entry.measure} is reported twice` });
    seen.add(entry.measure);
  }
  const missing = task.measures.filter((measure) => !seen.has(measure));
  if (requirementsOf(task.policy).feedback && missing.length > 0) {
    problems.push({ field, rule: 'feedback-required', message: `the policy requires feedback for every measure; missing: ${missing.join(', ')}` });
  }
  return problems;
}

/** A department acts on its own tasks only; everyone else reads. */
/** A department's home page shows this many open tasks at a time. */
const WORKLIST_PAGE = 50;

export function createTaskService({ prisma, workflows, acknowledgments, now = () => new Date() }: { prisma: PrismaClient; workflows: WorkflowGateway; acknowledgments: Acknowledgments; now?: () => Date }) {
  async function findTask(taskId: string) {
    if (!listingIdParam.safeParse(taskId).success) throw notFound(`No task ${taskId}.`);
    const task = await prisma.task.findUnique({ where: { id: taskId } });
    if (!task) throw notFound(`No task ${taskId}.`);
    return task;
  }

  const forbiddenTask = (taskId: string) => forbidden(`Task ${taskId} belongs to another department.`);

  function updateIdOf(taskId: string, action: TaskAction, idempotencyKey: string | undefined): string | undefined {
    if (idempotencyKey === undefined) return undefined;
    const key = idempotencyKeySchema.safeParse(idempotencyKey);
    if (!key.success) throw invalid('Bad Idempotency-Key header.', [{ field: 'Idempotency-Key', message: key.error.issues[0]?.message ?? 'invalid' }]);
    return `${action}:${taskId}:${key.data}`;
  }

  /**
   * A request for more time on the open deadline: later than it, in the
   * future, one pending request per task. Recorded with its event; the
   * workflow hears of it only when a supervisor grants it.
   */
  async function recordExtensionRequest(task: Task, input: ExtensionRequestDetails): Promise<{ extension: ReturnType<typeof extensionView> } | { problem: AppError }> {
    const deadline = openDeadlineOf(task.status);
    const dueAt = openDeadlineAt(task);
    if (deadline === null || dueAt === null) return { problem: conflict(`Task ${task.id} is ${task.status}: it has no open deadline to extend.`) };
    const until = instantOfUntil(input.until);
    if (until.getTime() <= dueAt.getTime() || until.getTime() <= now().getTime()) {
      return { problem: invalid('The extension must end after the current deadline.', [{ field: 'until', message: `must be after ${dueAt.toISOString()} and in the future` }]) };
    }
    const at = now();
    const id = randomUUID();
    const created = await prisma.$transaction(async (tx) => {
      await lockListing(tx, task.listingId);
      if ((await tx.taskExtension.count({ where: { taskId: task.id, status: 'requested' } })) > 0) return null;
      const row = await tx.taskExtension.create({
        data: { id, taskId: task.id, listingId: task.listingId, departmentCode: task.departmentCode, deadline, previousDueAt: dueAt, until, reason: input.reason, requestedBy: input.by, requestedAt: at },
      });
      await appendEvents(tx, task.listingId, [{ id: `${id}.extension-requested`, at, type: 'extension-requested', actor: input.by, taskId: task.id, data: { extensionId: id, deadline, until: until.toISOString(), reason: input.reason } }]);
      return row;
    });
    if (!created) return { problem: conflict('A request for more time on this task awaits a supervisor already.') };
    return { extension: extensionView(created) };
  }

  /**
   * An acknowledgment is accepted by the read model and reaches the workflow
   * from the outbox; a completion is decided and recorded by the workflow
   * before it answers. Either way the task as it stands then is the answer.
   */
  async function act(task: { id: string; listingId: string; departmentCode: string; measures: string[]; policy: unknown }, action: TaskAction, details: TaskActionDetails, updateId?: string): Promise<TaskActionOutcome> {
    if (action === 'acknowledge') {
      const accepted = await acknowledgments.accept(task.listingId, task.id, task.departmentCode, details);
      if (!accepted.accepted) return { done: false, refused: accepted.refused, message: accepted.message };
      return { done: true, changed: accepted.changed, task: taskView(accepted.task) };
    }
    const result = await workflows.complete(task.listingId, { taskId: task.id, departmentCode: task.departmentCode, ...details }, updateId);
    if (result.refused) return { done: false, ...result };
    return { done: true, changed: result.changed, task: taskView(await prisma.task.findUniqueOrThrow({ where: { id: task.id } })) };
  }

  /** POST /api/tasks/:id/acknowledge and /complete, and the dashboard's buttons: as the signed-in department. */
  async function actAsDepartment(principal: Principal, taskId: string, action: TaskAction, body: unknown, idempotencyKey?: string): Promise<TaskView> {
    const input = action === 'acknowledge' ? parseInput(acknowledgeSchema, body, 'acknowledgment') : parseInput(completeSchema, body, 'completion');
    const updateId = updateIdOf(taskId, action, idempotencyKey);
    if (action === 'acknowledge' && principal.role === 'department' && principal.departmentCode !== null) {
      // Found, checked and written in one transaction: the most frequent answer, at the lowest cost.
      if (!listingIdParam.safeParse(taskId).success) throw notFound(`No task ${taskId}.`);
      const accepted = await acknowledgments.accept(null, taskId, principal.departmentCode, input);
      if (accepted.accepted) return taskView(accepted.task);
      if (accepted.refused === 'unknownTask') throw notFound(`No task ${taskId}.`);
      if (accepted.refused === 'wrongDepartment') throw forbiddenTask(taskId);
      throw refusalError({ refused: accepted.refused, message: accepted.message });
    }
    const task = await findTask(taskId);
    if (!mayActOnTask(principal, task)) throw forbiddenTask(taskId);
    let details: TaskActionDetails = input;
    if (action === 'complete') {
      // `outcomes` is the documented name; `feedback` is accepted as well.
      const { outcomes, feedback, ...rest } = input as z.infer<typeof completeSchema>;
      const field = feedback !== undefined && outcomes === undefined ? 'feedback' : 'outcomes';
      const problems = feedbackProblems(task, outcomes ?? feedback, field);
      if (problems.length > 0) throw invalid('The outcomes do not fit the task.', problems);
      details = { ...rest, ...(outcomes ?? feedback ? { feedback: outcomes ?? feedback } : {}) };
    }
    const outcome = await act(task, action, details, updateId);
    if (!outcome.done) throw refusalError(outcome);
    return outcome.task;
  }

  return {
    acknowledge: (principal: Principal, taskId: string, body: unknown, idempotencyKey?: string) => actAsDepartment(principal, taskId, 'acknowledge', body, idempotencyKey),
    complete: (principal: Principal, taskId: string, body: unknown, idempotencyKey?: string) => actAsDepartment(principal, taskId, 'complete', body, idempotencyKey),

    /**
     * An acknowledgment or completion authenticated by a signed email link or
     * reply instead of an API key: the signature names the task, and so its department.
     */
    async actOnBehalfOfDepartment(taskId: string, action: TaskAction, details: TaskActionDetails): Promise<TaskActionOutcome> {
      const task = await prisma.task.findUnique({ where: { id: taskId } });
      if (!task) return { done: false, refused: 'unknownTask', message: `No task ${taskId}.` };
      // A link or a reply carries no feedback: where the policy requires it, completion happens on the dashboard or API.
      if (action === 'complete' && feedbackProblems(task, details.feedback).length > 0) {
        return { done: false, refused: 'wrongState', message: 'This task is completed with feedback for each measure, on the dashboard or through the API.' };
      }
      return act(task, action, details);
    },

    /** POST /api/tasks/:id/decline — "not ours": the task goes to the supervisors, who reassign or return it. */
    async decline(principal: Principal, taskId: string, body: unknown): Promise<TaskView> {
      const input = parseInput(declineSchema, body, 'decline');
      const task = await findTask(taskId);
      if (!mayActOnTask(principal, task)) throw forbidden(`Task ${taskId} belongs to another department.`);
      const { suggestedDepartment, suggestedDepartmentCode, ...rest } = input;
      const suggested = suggestedDepartment ?? suggestedDepartmentCode;
      if (suggested !== undefined) {
        const known = await prisma.department.count({ where: { code: suggested } });
        if (known === 0 || suggested === task.departmentCode) {
          const field = suggestedDepartment !== undefined ? 'suggestedDepartment' : 'suggestedDepartmentCode';
          throw invalid('Unknown suggested department.', [{ field, message: known === 0 ? 'no such department' : 'suggest another department than your own' }]);
        }
      }
      const result = await workflows.decline(task.listingId, { taskId, departmentCode: task.departmentCode, ...rest, ...(suggested ? { suggestedDepartmentCode: suggested } : {}) });
      if (result.refused) throw refusalError(result);
      return taskView(await prisma.task.findUniqueOrThrow({ where: { id: taskId } }));
    },

    /** POST /api/tasks/:id/extension-requests — more time; a supervisor grants or refuses. */
    async requestExtension(principal: Principal, taskId: string, body: unknown) {
      const input = parseInput(taskExtensionRequestSchema, body, 'extension request');
      const task = await findTask(taskId);
      if (!mayActOnTask(principal, task)) throw forbidden(`Task ${taskId} belongs to another department.`);
      const outcome = await recordExtensionRequest(task, input);
      if ('problem' in outcome) throw outcome.problem;
      return outcome.extension;
    },

    /** The same request by reply: refusals are reported, not thrown, so the reply can be answered. */
    async requestExtensionOnBehalfOfDepartment(taskId: string, details: ExtensionRequestDetails): Promise<{ done: true } | { done: false; reason: 'unknown-task' | 'task-state' | 'bad-extension' }> {
      const task = await prisma.task.findUnique({ where: { id: taskId } });
      if (!task) return { done: false, reason: 'unknown-task' };
      const outcome = await recordExtensionRequest(task, details);
      if ('problem' in outcome) return { done: false, reason: outcome.problem.kind === 'invalid' ? 'bad-extension' : 'task-state' };
      return { done: true };
    },

    /**
     * A department's open tasks with what identifies their case: the
     * dashboard's worklist. The identifier is shown as on any page.
     */
    async openWorklist(principal: Principal, { cursor, limit = WORKLIST_PAGE }: { cursor?: string | undefined; limit?: number } = {}) {
      const departmentCode = departmentScopeOf(principal);
      if (departmentCode === null) throw forbidden('Only a department has a worklist.');
      // Nearest deadline first, one page at a time: (openDeadlineAt, id) orders every task once.
      const after = cursor ? decodeCursor(cursor, ['instant', 'uuid']) : null;
      const afterDeadline = after ? new Date(after[0]!) : null;
      const rows = await prisma.task.findMany({
        where: {
          departmentCode,
          openDeadlineAt: { not: null },
          ...(after ? { OR: [{ openDeadlineAt: { gt: afterDeadline! } }, { openDeadlineAt: afterDeadline!, id: { gt: after[1]! } }] } : {}),
        },
        orderBy: [{ openDeadlineAt: 'asc' }, { id: 'asc' }],
        take: limit + 1,
        include: { listing: { select: { caseNumber: true, debtorName: true, debtorIdNumber: true, catalogVersion: true } } },
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        tasks: page.map(({ listing, ...task }) => ({
          ...taskView(task),
          listing: { ...listing, debtorIdNumber: disclosedIdentifier({ channel: 'page' }, listing.debtorIdNumber) },
        })),
        nextCursor: rows.length > limit && last ? encodeCursor([last.openDeadlineAt!, last.id]) : null,
      };
    },

    /**
     * What departments answered on a listing's tasks, for the tasks the
     * caller may see: feedback per measure, "not ours", sign-off. The listing
     * page shows it beside each task.
     */
    async answersOn(principal: Principal, listingId: string) {
      if (!listingIdParam.safeParse(listingId).success) return [];
      const departmentCode = departmentScopeOf(principal);
      const court = courtScopeOf(principal);
      const rows = await prisma.task.findMany({
        where: { listingId, ...(departmentCode ? { departmentCode } : {}), ...(court ? { listing: { courtCode: court } } : {}) },
        select: { id: true, reference: true, feedback: true, declinedAt: true, declinedBy: true, declineReason: true, suggestedDepartmentCode: true, verifiedAt: true, verifiedBy: true },
      });
      return rows.map((row) => ({
        ...row,
        feedback: Array.isArray(row.feedback) ? (row.feedback as unknown as FeedbackEntry[]) : null,
        declinedAt: row.declinedAt?.toISOString() ?? null,
        verifiedAt: row.verifiedAt?.toISOString() ?? null,
      }));
    },

    /**
     * GET /api/tasks — a department key sees its own department only. One
     * page, oldest first; `nextCursor` reads on, null after the last page.
     */
    async list(principal: Principal, query: unknown): Promise<{ items: TaskView[]; nextCursor: string | null }> {
      const filters = parseInput(taskQuerySchema, query, 'query');
      const limit = filters.limit ?? TASK_PAGE.default;
      // (createdAt, departmentCode, id) orders every task once: the cursor is the last one's.
      const after = filters.cursor ? decodeCursor(filters.cursor, ['instant', 'code', 'uuid']) : null;
      const ownDepartment = departmentScopeOf(principal);
      if (ownDepartment !== null && filters.departmentCode && filters.departmentCode !== ownDepartment) {
        throw forbidden('A department key sees only its own department.');
      }
      const departmentCode = ownDepartment ?? filters.departmentCode;
      const court = courtScopeOf(principal);
      const where: Prisma.TaskWhereInput = {
        ...(departmentCode ? { departmentCode } : {}),
        // A court's clerk sees the tasks of that court's listings only.
        ...(court ? { listing: { courtCode: court } } : {}),
        ...(filters.status ? { status: filters.status } : {}),
        ...(filters.kind ? { kind: filters.kind } : {}),
        ...(filters.overdue === 'true' ? { openDeadlineAt: { lt: now() } } : {}),
        ...(filters.overdue === 'false' ? { OR: [{ openDeadlineAt: null }, { openDeadlineAt: { gte: now() } }] } : {}),
      };
      const afterCreated = after ? new Date(after[0]!) : null;
      const rows = await prisma.task.findMany({
        where: after
          ? {
              AND: [
                where,
                {
                  OR: [
                    { createdAt: { gt: afterCreated! } },
                    { createdAt: afterCreated!, departmentCode: { gt: after[1]! } },
                    { createdAt: afterCreated!, departmentCode: after[1]!, id: { gt: after[2]! } },
                  ],
                },
              ],
            }
          : where,
        orderBy: [{ createdAt: 'asc' }, { departmentCode: 'asc' }, { id: 'asc' }],
        take: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { items: page.map(taskView), nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt, last.departmentCode, last.id]) : null };
    },
  };
}

export type TaskService = ReturnType<typeof createTaskService>;

/** The supervisors' view of a request for more time. */
export function extensionView(row: TaskExtension) {
  return {
    id: row.id,
    taskId: row.taskId,
    listingId: row.listingId,
    departmentCode: row.departmentCode,
    deadline: row.deadline,
    previousDueAt: row.previousDueAt.toISOString(),
    until: row.until.toISOString(),
    reason: row.reason,
    requestedBy: row.requestedBy,
    requestedAt: row.requestedAt.toISOString(),
    status: row.status,
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt?.toISOString() ?? null,
    decisionReason: row.decisionReason,
  };
}
