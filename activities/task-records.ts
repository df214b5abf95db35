import { openDeadlineAt } from '../domain/tasks.js';
import { appendEvents, lockListing } from '../db/events.js';
import type { Prisma, PrismaClient } from '../prisma/generated/client.js';
import type { DeadlineKind, EscalationTarget, TaskTransition } from '../workflows/types.js';
import type { ActivityDeps } from './deps.js';

export interface EscalationInput {
  taskId: string;
  listingId: string;
  deadline: DeadlineKind;
  level: number;
  notify: EscalationTarget;
  at: string;
}

/**
 * The read model of department tasks, written as the workflow decides, and
 * only by it. Every write is conditional or keyed, so a retried activity
 * changes nothing twice.
 */
export function createTaskRecordActivities({ prisma }: ActivityDeps) {
  return {
    recordTaskTransition(input: TaskTransition): Promise<void> {
      return recordTaskTransition(prisma, input);
    },

    async recordEscalation(input: EscalationInput): Promise<void> {
      await prisma.$transaction(async (tx) => {
        await lockListing(tx, input.listingId);
        await tx.$executeRaw`UPDATE "Task" SET "escalationLevel" = GREATEST("escalationLevel", ${input.level}), "updatedAt" = now() WHERE id = ${input.taskId}::uuid`;
        await appendEvents(tx, input.listingId, [
          {
            id: `${input.taskId}.escalation.${input.deadline}.${input.level}`,
            at: new Date(input.at),
            type: 'escalated',
            actor: 'system',
            taskId: input.taskId,
            data: { deadline: input.deadline, level: input.level, notify: input.notify },
          },
        ]);
      });
    },
  };
}

/** An accepted acknowledgment or completion, with its audit events. */
async function recordTaskTransition(prisma: PrismaClient, input: TaskTransition): Promise<void> {
  const at = new Date(input.at);
  await prisma.$transaction(async (tx) => {
    // Listing first, then task: the order every writer of both takes, so two
    // writers of one task (acknowledge and complete) see each other's changes.
    await lockListing(tx, input.listingId);
    await tx.$queryRaw`SELECT id FROM "Task" WHERE id = ${input.taskId}::uuid FOR UPDATE`;
    const task = await tx.task.findUniqueOrThrow({ where: { id: input.taskId } });
    const events = [];
    if (!task.acknowledgedAt) {
      events.push({ id: `${task.id}.acknowledged`, at, type: 'acknowledged', actor: input.by, taskId: task.id, data: { note: input.note ?? null, implied: input.transition === 'completed' } });
    }
    if (input.transition === 'completed' && !task.completedAt) {
      // A completion sent back and made again is an event of its own.
      const id = task.sentBackCount > 0 ? `${task.id}.completed.${task.sentBackCount}` : `${task.id}.completed`;
      events.push({ id, at, type: 'completed', actor: input.by, taskId: task.id, data: { note: input.note ?? null, reference: input.reference ?? null, ...(input.feedback ? { feedback: input.feedback } : {}) } });
    }
    if (events.length === 0) return;
    const completing = input.transition === 'completed';
    // The workflow accepted the action before a lift cancelled the task, but this write came after the
    // cancellation: the action is recorded, the task stays cancelled, with no deadline left open.
    const status = task.status === 'cancelled' ? task.status : input.transition;
    await tx.task.update({
      where: { id: task.id },
      data: {
        status,
        acknowledgedAt: task.acknowledgedAt ?? at,
        acknowledgedBy: task.acknowledgedBy ?? input.by,
        ...(completing ? { completedAt: at, completedBy: input.by, reference: input.reference ?? null, feedback: (input.feedback ?? undefined) as Prisma.InputJsonValue | undefined } : {}),
        note: input.note ?? task.note,
        openDeadlineAt: openDeadlineAt({ ...task, status }),
      },
    });
    await appendEvents(tx, input.listingId, events);
  });
}
