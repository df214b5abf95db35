import { taskSchedule, type Policy } from '../domain/policy.js';
import { openDeadlineAt, scheduleToIso } from '../domain/tasks.js';
import { appendEvents } from '../db/events.js';
import type { Prisma } from '../prisma/generated/client.js';
import type { DispatchedTask, TaskKind, TaskToDispatch } from '../workflows/types.js';
import type { ActivityDeps } from './deps.js';

export interface DispatchTasksInput {
  listingId: string;
  kind: TaskKind;
  tasks: TaskToDispatch[];
}

/**
 * Creates the department tasks of one phase in a single transaction, with
 * deadlines from the current policy. Retrying it returns the tasks as first
 * stored: a task's deadlines and policy never move after dispatch.
 */
export function createDispatchActivities({ prisma, policy, now = () => new Date() }: ActivityDeps) {
  return {
    async dispatchTasks({ listingId, kind, tasks }: DispatchTasksInput): Promise<DispatchedTask[]> {
      const dispatchedAt = now();
      const schedule = taskSchedule(policy, kind, dispatchedAt);
      await prisma.$transaction(async (tx) => {
        if ((await tx.task.count({ where: { listingId, kind } })) > 0) return;
        await tx.task.createMany({
          data: tasks.map((task) => ({
            id: task.taskId,
            listingId,
            departmentCode: task.departmentCode,
            kind,
            measures: task.measures,
            acknowledgeDueAt: schedule.acknowledgeDueAt,
            completeDueAt: schedule.completeDueAt,
            openDeadlineAt: openDeadlineAt({ status: 'pending', ...schedule }),
            policy: policy as unknown as Prisma.InputJsonObject,
            createdAt: dispatchedAt,
          })),
        });
        await appendEvents(
          tx,
          listingId,
          tasks.map((task) => ({
            id: `${task.taskId}.dispatched`,
            at: dispatchedAt,
            type: kind === 'impose' ? 'task-dispatched' : 'lift-dispatched',
            actor: 'system',
            taskId: task.taskId,
            data: {
              departmentCode: task.departmentCode,
              measures: task.measures,
              acknowledgeDueAt: schedule.acknowledgeDueAt.toISOString(),
              completeDueAt: schedule.completeDueAt.toISOString(),
            },
          })),
        );
      });
      const stored = await prisma.task.findMany({ where: { listingId, kind }, orderBy: { departmentCode: 'asc' } });
      return stored.map((task) => ({
        taskId: task.id,
        departmentCode: task.departmentCode,
        measures: task.measures,
        schedule: scheduleToIso(taskSchedule(task.policy as unknown as Policy, kind, task.createdAt)),
      }));
    },
  };
}
