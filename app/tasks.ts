import type { PrismaClient, Prisma } from '../prisma/generated/client.js';
import { departmentScopeOf, courtScopeOf, mayActOnTask, type Principal } from '../domain/access.js';
import { disclosedIdentifier } from '../domain/disclosure.js';
import type { TaskAction } from '../domain/tasks.js';
import { forbidden, invalid, notFound } from './errors.js';
import { parseInput } from './validate.js';
import { acknowledgeSchema, completeSchema, idempotencyKeySchema, listingIdParam, taskQuerySchema } from './schemas.js';
import { taskView, type TaskView } from './views.js';
import { refusalError, type WorkflowGateway, type WorkflowRefusal } from './workflow-gateway.js';

/** What an action on a task came to: done (or already done before), or refused by the workflow. */
export type TaskActionOutcome = { done: true; changed: boolean; task: TaskView } | ({ done: false } & WorkflowRefusal);

export interface TaskActionDetails {
  by: string;
  note?: string | undefined;
  reference?: string | undefined;
}

/** A department acts on its own tasks only; everyone else reads. */
export function createTaskService({ prisma, workflows, now = () => new Date() }: { prisma: PrismaClient; workflows: WorkflowGateway; now?: () => Date }) {
  async function findTask(taskId: string) {
    if (!listingIdParam.safeParse(taskId).success) throw notFound(`No task ${taskId}.`);
    const task = await prisma.task.findUnique({ where: { id: taskId } });
    if (!task) throw notFound(`No task ${taskId}.`);
    return task;
  }

  function updateIdOf(taskId: string, action: TaskAction, idempotencyKey: string | undefined): string | undefined {
    if (idempotencyKey === undefined) return undefined;
    const key = idempotencyKeySchema.safeParse(idempotencyKey);
    if (!key.success) throw invalid('Bad Idempotency-Key header.', [{ field: 'Idempotency-Key', message: key.error.issues[0]?.message ?? 'invalid' }]);
    return `${action}:${taskId}:${key.data}`;
  }

  /** The workflow decides and records the transition before it answers; the task as it stands then is the answer. */
  async function act(task: { id: string; listingId: string; departmentCode: string }, action: TaskAction, details: TaskActionDetails, updateId?: string): Promise<TaskActionOutcome> {
    const send = action === 'acknowledge' ? workflows.acknowledge : workflows.complete;
    const result = await send(task.listingId, { taskId: task.id, departmentCode: task.departmentCode, ...details }, updateId);
    if (result.refused) return { done: false, ...result };
    return { done: true, changed: result.changed, task: taskView(await prisma.task.findUniqueOrThrow({ where: { id: task.id } })) };
  }

  /** POST /api/tasks/:id/acknowledge and /complete, and the dashboard's buttons: as the signed-in department. */
  async function actAsDepartment(principal: Principal, taskId: string, action: TaskAction, body: unknown, idempotencyKey?: string): Promise<TaskView> {
    const input = action === 'acknowledge' ? parseInput(acknowledgeSchema, body, 'acknowledgment') : parseInput(completeSchema, body, 'completion');
    const updateId = updateIdOf(taskId, action, idempotencyKey);
    const task = await findTask(taskId);
    if (!mayActOnTask(principal, task)) throw forbidden(`Task ${taskId} belongs to another department.`);
    const outcome = await act(task, action, input, updateId);
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
      return act(task, action, details);
    },

    /**
     * A department's open tasks with what identifies their case: the
     * dashboard's worklist. The identifier is shown as on any page.
     */
    async openWorklist(principal: Principal) {
      const departmentCode = departmentScopeOf(principal);
      if (departmentCode === null) throw forbidden('Only a department has a worklist.');
      const tasks = await prisma.task.findMany({
        where: { departmentCode, openDeadlineAt: { not: null } },
        orderBy: [{ createdAt: 'asc' }, { departmentCode: 'asc' }],
        include: { listing: { select: { caseNumber: true, debtorName: true, debtorIdNumber: true, catalogVersion: true } } },
      });
      return tasks.map(({ listing, ...task }) => ({
        ...taskView(task),
        listing: { ...listing, debtorIdNumber: disclosedIdentifier({ channel: 'page' }, listing.debtorIdNumber) },
      }));
    },

    /** GET /api/tasks — a department key sees its own department only. */
    async list(principal: Principal, query: unknown): Promise<TaskView[]> {
      const filters = parseInput(taskQuerySchema, query, 'query');
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
      const tasks = await prisma.task.findMany({ where, orderBy: [{ createdAt: 'asc' }, { departmentCode: 'asc' }] });
      return tasks.map(taskView);
    },
  };
}

export type TaskService = ReturnType<typeof createTaskService>;
