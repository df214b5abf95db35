import type { PrismaClient, Prisma } from '../prisma/generated/client.js';
import { recordTaskTransition } from '../db/task-transitions.js';
import type { Principal } from '../api/auth.js';
import { badRequest, forbidden, notFound } from '../http/problem.js';
import { parseRequest } from './validate.js';
import { acknowledgeSchema, completeSchema, idempotencyKeySchema, listingIdParam, taskQuerySchema } from './schemas.js';
import { taskView } from './views.js';
import type { WorkflowGateway } from './sanction-workflows.js';

/** A department acts on its own tasks only; everyone else reads. */
export function createTaskService({ prisma, workflows, now = () => new Date() }: { prisma: PrismaClient; workflows: WorkflowGateway; now?: () => Date }) {
  async function ownTask(principal: Principal, taskId: string) {
    if (!listingIdParam.safeParse(taskId).success) throw notFound(`No task ${taskId}.`);
    const task = await prisma.task.findUnique({ where: { id: taskId } });
    if (!task) throw notFound(`No task ${taskId}.`);
    if (task.departmentCode !== principal.departmentCode) throw forbidden(`Task ${taskId} belongs to another department.`);
    return task;
  }

  function updateIdOf(taskId: string, action: string, idempotencyKey: string | undefined): string | undefined {
    if (idempotencyKey === undefined) return undefined;
    const key = idempotencyKeySchema.safeParse(idempotencyKey);
    if (!key.success) throw badRequest('Bad Idempotency-Key header.', [{ field: 'Idempotency-Key', message: key.error.issues[0]?.message ?? 'invalid' }]);
    return `${action}:${taskId}:${key.data}`;
  }

  return {
    /** POST /api/tasks/:id/acknowledge — goes through the workflow, which writes the read model before answering. */
    async acknowledge(principal: Principal, taskId: string, body: unknown, idempotencyKey?: string) {
      const input = parseRequest(acknowledgeSchema, body, 'acknowledgment');
      const updateId = updateIdOf(taskId, 'acknowledge', idempotencyKey);
      const task = await ownTask(principal, taskId);
      const result = await workflows.acknowledge(task.listingId, { taskId, departmentCode: task.departmentCode, by: input.by, note: input.note }, updateId);
      if (result.transition) await recordTaskTransition(prisma, result.transition);
      return taskView(await prisma.task.findUniqueOrThrow({ where: { id: taskId } }));
    },

    async complete(principal: Principal, taskId: string, body: unknown, idempotencyKey?: string) {
      const input = parseRequest(completeSchema, body, 'completion');
      const updateId = updateIdOf(taskId, 'complete', idempotencyKey);
      const task = await ownTask(principal, taskId);
      const result = await workflows.complete(
        task.listingId,
        { taskId, departmentCode: task.departmentCode, by: input.by, note: input.note, reference: input.reference },
        updateId,
      );
      if (result.transition) await recordTaskTransition(prisma, result.transition);
      return taskView(await prisma.task.findUniqueOrThrow({ where: { id: taskId } }));
    },

    /**
     * An acknowledgment or completion authenticated by a signed email link or
     * reply instead of an API key: the signature names the task, and so its department.
     */
    async actOnBehalfOfDepartment(taskId: string, action: 'acknowledge' | 'complete', input: { by: string; note?: string | undefined; reference?: string | undefined }) {
      const task = await prisma.task.findUnique({ where: { id: taskId } });
      if (!task) throw notFound(`No task ${taskId}.`);
      const act = action === 'acknowledge' ? workflows.acknowledge : workflows.complete;
      const result = await act(task.listingId, { taskId, departmentCode: task.departmentCode, ...input });
      if (result.transition) await recordTaskTransition(prisma, result.transition);
      return { changed: result.changed, task: taskView(await prisma.task.findUniqueOrThrow({ where: { id: taskId } })) };
    },

    /** GET /api/tasks — a department key sees its own department only. */
    async list(principal: Principal, query: unknown) {
      const filters = parseRequest(taskQuerySchema, query, 'query');
      if (principal.role === 'department' && filters.departmentCode && filters.departmentCode !== principal.departmentCode) {
        throw forbidden('A department key sees only its own department.');
      }
      const departmentCode = principal.role === 'department' ? principal.departmentCode! : filters.departmentCode;
      const where: Prisma.TaskWhereInput = {
        ...(departmentCode ? { departmentCode } : {}),
        // A court's clerk sees the tasks of that court's listings only.
        ...(principal.role === 'clerk' && principal.courtCode ? { listing: { courtCode: principal.courtCode } } : {}),
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
