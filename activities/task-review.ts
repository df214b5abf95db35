import { createCalendarVersions } from '../db/calendar-versions.js';
import { appendEvents, lockListing, type NewEvent } from '../db/events.js';
import { freshDeadline, rescheduledTask, type Policy } from '../domain/policy.js';
import { openDeadlineAt, scheduleToIso, type DeadlineKind, type TaskKind, type TaskStatus } from '../domain/tasks.js';
import type { Prisma } from '../prisma/generated/client.js';
import type { TaskScheduleData } from '../workflows/types.js';
import type { ActivityDeps } from './deps.js';

interface ReviewRecord {
  listingId: string;
  taskId: string;
  by: string;
  at: string;
}

type TaskRow = Prisma.TaskGetPayload<object>;

/**
 * The read model of what departments and supervisors decide about a task
 * besides acknowledging and completing it. Each write is keyed by an event
 * id or conditional on the task's state, so a retried activity changes
 * nothing twice; a write that moves deadlines returns the schedule the
 * workflow then follows.
 */
export function createTaskReviewActivities({ prisma }: ActivityDeps) {
  const calendars = createCalendarVersions(prisma);

  /** Locks listing then task (the order every writer takes), applies `write`, appends the event once. */
  async function write(record: ReviewRecord, event: Omit<NewEvent, 'at' | 'taskId'>, change: (task: TaskRow, tx: Prisma.TransactionClient) => Promise<void>): Promise<TaskRow> {
    return prisma.$transaction(async (tx) => {
      await lockListing(tx, record.listingId);
      await tx.$queryRaw`SELECT id FROM "Task" WHERE id = ${record.taskId}::uuid FOR UPDATE`;
      const task = await tx.task.findUniqueOrThrow({ where: { id: record.taskId } });
      if ((await tx.event.count({ where: { id: event.id } })) === 0) {
        await change(task, tx);
        await appendEvents(tx, record.listingId, [{ ...event, at: new Date(record.at), taskId: record.taskId }]);
      }
      return tx.task.findUniqueOrThrow({ where: { id: record.taskId } });
    });
  }

  /** The open deadline set anew: the row's instants and open deadline, and the workflow's schedule. */
  async function moveDeadline(task: TaskRow, status: TaskStatus, deadline: DeadlineKind, dueAt: Date, from: Date, tx: Prisma.TransactionClient) {
    const { calendar } = await calendars.current();
    const schedule = rescheduledTask(task.policy as unknown as Policy, task, deadline, dueAt, from, calendar);
    await tx.task.update({
      where: { id: task.id },
      data: {
        status,
        acknowledgeDueAt: schedule.acknowledgeDueAt,
        completeDueAt: schedule.completeDueAt,
        openDeadlineAt: openDeadlineAt({ status, ...schedule }),
        escalationLevel: 0,
        deadlineBasis: schedule.basis,
      },
    });
    return schedule;
  }

  /** The schedule of a task as its row holds it after a move at `from`: the same answer when the activity is retried. */
  async function scheduleOfRow(task: TaskRow, from: string): Promise<TaskScheduleData> {
    const { calendar } = await calendars.current();
    const deadline: DeadlineKind = task.status === 'pending' ? 'acknowledge' : 'complete';
    return scheduleToIso(rescheduledTask(task.policy as unknown as Policy, task, deadline, deadline === 'acknowledge' ? task.acknowledgeDueAt : task.completeDueAt, new Date(from), calendar));
  }

  return {
    async recordDecline(input: ReviewRecord & { reason: string; suggestedDepartmentCode?: string | undefined }): Promise<void> {
      await write(input, { id: `${input.taskId}.declined.${input.at}`, type: 'declined', actor: input.by, data: { reason: input.reason, suggestedDepartmentCode: input.suggestedDepartmentCode ?? null } }, async (task, tx) => {
        await tx.task.update({
          where: { id: task.id },
          data: { status: 'declined', declinedAt: new Date(input.at), declinedBy: input.by, declineReason: input.reason, suggestedDepartmentCode: input.suggestedDepartmentCode ?? null, openDeadlineAt: null },
        });
      });
    },

    /** Back to the department, as it was before it declined, with its open deadline counted afresh from the return. */
    async recordReturn(input: ReviewRecord & { reason: string; status: TaskStatus }): Promise<TaskScheduleData> {
      const task = await write(input, { id: `${input.taskId}.returned.${input.at}`, type: 'returned', actor: input.by, data: { reason: input.reason } }, async (row, tx) => {
        const deadline: DeadlineKind = input.status === 'pending' ? 'acknowledge' : 'complete';
        const at = new Date(input.at);
        await moveDeadline(row, input.status, deadline, freshDeadline(row.policy as unknown as Policy, row.kind as TaskKind, deadline, at), at, tx);
      });
      return scheduleOfRow(task, input.at);
    },

    async recordReassignment(input: ReviewRecord & { reason: string; departmentCode: string; newTaskId: string }): Promise<void> {
      await write(input, { id: `${input.taskId}.reassigned`, type: 'reassigned', actor: input.by, data: { reason: input.reason, departmentCode: input.departmentCode, newTaskId: input.newTaskId } }, async (task, tx) => {
        await tx.task.update({ where: { id: task.id }, data: { status: 'reassigned', openDeadlineAt: null } });
      });
    },

    async recordVerification(input: ReviewRecord): Promise<void> {
      await write(input, { id: `${input.taskId}.verified`, type: 'verified', actor: input.by, data: {} }, async (task, tx) => {
        await tx.task.update({ where: { id: task.id }, data: { status: 'verified', verifiedAt: new Date(input.at), verifiedBy: input.by } });
      });
    },

    /** The completion is not accepted: open again, with a completion deadline counted afresh from now. */
    async recordSendBack(input: ReviewRecord & { reason: string }): Promise<TaskScheduleData> {
      const task = await write(input, { id: `${input.taskId}.sent-back.${input.at}`, type: 'sent-back', actor: input.by, data: { reason: input.reason } }, async (row, tx) => {
        const at = new Date(input.at);
        await moveDeadline(row, 'acknowledged', 'complete', freshDeadline(row.policy as unknown as Policy, row.kind as TaskKind, 'complete', at), at, tx);
        await tx.task.update({ where: { id: row.id }, data: { completedAt: null, completedBy: null, sentBackCount: { increment: 1 } } });
      });
      return scheduleOfRow(task, input.at);
    },

    /** A granted extension: the open deadline moves to `until`. */
    async recordDeadlineMove(input: ReviewRecord & { extensionId: string; deadline: DeadlineKind; until: string; reason?: string | undefined }): Promise<TaskScheduleData> {
      const task = await write(
        input,
        { id: `${input.taskId}.extended.${input.extensionId}`, type: 'deadline-extended', actor: input.by, data: { extensionId: input.extensionId, deadline: input.deadline, until: input.until } },
        async (row, tx) => {
          await moveDeadline(row, row.status as TaskStatus, input.deadline, new Date(input.until), new Date(input.at), tx);
          await tx.taskExtension.updateMany({ where: { id: input.extensionId, status: 'requested' }, data: { status: 'granted', decidedBy: input.by, decidedAt: new Date(input.at), decisionReason: input.reason ?? null } });
        },
      );
      return scheduleOfRow(task, input.at);
    },
  };
}
