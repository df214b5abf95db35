import { createCalendarVersions } from '../db/calendar-versions.js';
import { appendEvents } from '../db/events.js';
import { requirementsOf, taskSchedule, type Policy } from '../domain/policy.js';
import { openDeadlineAt, scheduleToIso } from '../domain/tasks.js';
import type { Prisma } from '../prisma/generated/client.js';
import type { DispatchedTask, TaskKind, TaskToDispatch } from '../workflows/types.js';
import type { ActivityDeps } from './deps.js';

export interface DispatchTasksInput {
  listingId: string;
  kind: TaskKind;
  tasks: TaskToDispatch[];
  /** What the deadlines count from, when not the dispatch: the court's decision a lift follows. */
  countFrom?: string | undefined;
  /** Which round of its kind: the correction's id for a correction round, the declined task's for a reassignment; one round of the others. */
  round?: string | undefined;
  /** The declined task a reassigned task replaces. */
  reassignedFrom?: string | undefined;
}

/**
 * Creates the department tasks of one phase in a single transaction, with
 * deadlines from the current policy and holiday calendar. Retrying it returns
 * the tasks as first stored: a task's deadlines and policy never move after
 * dispatch, unless the calendar they were counted on was incomplete and is
 * completed later (`recomputeSchedules`).
 */
export function createDispatchActivities({ prisma, policy, now = () => new Date() }: ActivityDeps) {
  const calendars = createCalendarVersions(prisma);

  async function scheduleOf(task: { policy: Prisma.JsonValue; kind: string; createdAt: Date; scheduledFrom: Date | null }) {
    const { calendar } = await calendars.current();
    return taskSchedule(task.policy as unknown as Policy, task.kind as TaskKind, task.scheduledFrom ?? task.createdAt, calendar);
  }

  return {
    async dispatchTasks({ listingId, kind, tasks, countFrom, round = '', reassignedFrom }: DispatchTasksInput): Promise<DispatchedTask[]> {
      const dispatchedAt = now();
      const scheduledFrom = countFrom ? new Date(countFrom) : null;
      // A correction task names its correction; a reassigned one carries the declined task's.
      const declined = reassignedFrom ? await prisma.task.findUnique({ where: { id: reassignedFrom }, select: { correctionId: true } }) : null;
      const correctionId = reassignedFrom ? (declined?.correctionId ?? null) : kind === 'correct' && round ? round : null;
      const { calendar } = await calendars.current();
      const schedule = taskSchedule(policy, kind, scheduledFrom ?? dispatchedAt, calendar);
      await prisma.$transaction(async (tx) => {
        if ((await tx.task.count({ where: { listingId, kind, round } })) > 0) return;
        await tx.task.createMany({
          data: tasks.map((task) => ({
            id: task.taskId,
            listingId,
            departmentCode: task.departmentCode,
            kind,
            round,
            correctionId,
            reassignedFromId: reassignedFrom ?? null,
            measures: task.measures,
            acknowledgeDueAt: schedule.acknowledgeDueAt,
            completeDueAt: schedule.completeDueAt,
            openDeadlineAt: openDeadlineAt({ status: 'pending', ...schedule }),
            deadlineBasis: schedule.basis,
            scheduledFrom,
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
            type: ({ impose: 'task-dispatched', lift: 'lift-dispatched', correct: 'correction-dispatched' } as const)[kind],
            actor: 'system',
            taskId: task.taskId,
            data: {
              departmentCode: task.departmentCode,
              measures: task.measures,
              ...(correctionId ? { correctionId } : {}),
              ...(reassignedFrom ? { reassignedFrom } : {}),
              acknowledgeDueAt: schedule.acknowledgeDueAt.toISOString(),
              completeDueAt: schedule.completeDueAt.toISOString(),
              ...(schedule.basis === 'certain' ? {} : { deadlineBasis: schedule.basis }),
            },
          })),
        );
      });
      const stored = await prisma.task.findMany({ where: { listingId, kind, round }, orderBy: { departmentCode: 'asc' } });
      return Promise.all(
        stored.map(async (task) => ({
          taskId: task.id,
          departmentCode: task.departmentCode,
          measures: task.measures,
          schedule: scheduleToIso(await scheduleOf(task)),
          requires: requirementsOf(task.policy),
        })),
      );
    },

    /**
     * Counts the deadlines of open tasks again on the current calendar: after
     * a holiday year was added or completed, deadlines counted on a
     * provisional year or past the data move to where the law puts them.
     */
    async recomputeSchedules({ listingId, taskIds }: { listingId: string; taskIds: string[] }): Promise<{ taskId: string; schedule: DispatchedTask['schedule'] }[]> {
      const at = now();
      const tasks = await prisma.task.findMany({ where: { id: { in: taskIds }, listingId, deadlineBasis: { not: 'certain' }, openDeadlineAt: { not: null } } });
      const recomputed = [];
      for (const task of tasks) {
        const schedule = await scheduleOf(task);
        await prisma.$transaction(async (tx) => {
          await tx.task.update({
            where: { id: task.id },
            data: { acknowledgeDueAt: schedule.acknowledgeDueAt, completeDueAt: schedule.completeDueAt, openDeadlineAt: openDeadlineAt({ status: task.status, ...schedule }), deadlineBasis: schedule.basis },
          });
          await appendEvents(tx, listingId, [
            {
              id: `${task.id}.rescheduled.${schedule.acknowledgeDueAt.toISOString()}.${schedule.completeDueAt.toISOString()}.${schedule.basis}`,
              at,
              type: 'rescheduled',
              actor: 'system',
              taskId: task.id,
              data: { acknowledgeDueAt: schedule.acknowledgeDueAt.toISOString(), completeDueAt: schedule.completeDueAt.toISOString(), deadlineBasis: schedule.basis },
            },
          ]);
        });
        recomputed.push({ taskId: task.id, schedule: scheduleToIso(schedule) });
      }
      return recomputed;
    },
  };
}
