import { appendEvents, lockListing } from '../db/events.js';
import { lockTask, writeTaskTransition } from '../db/task-transitions.js';
import type { PrismaClient } from '../prisma/generated/client.js';
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
        // An acknowledgment the read model accepted before the workflow heard of it ends that deadline's ladder.
        if (input.deadline === 'acknowledge') {
          const [task] = await tx.$queryRaw<{ acknowledgedAt: Date | null }[]>`SELECT "acknowledgedAt" FROM "Task" WHERE id = ${input.taskId}::uuid`;
          if (task?.acknowledgedAt) return;
        }
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

/** An acknowledgment or completion the workflow accepted, with its audit events. */
async function recordTaskTransition(prisma: PrismaClient, input: TaskTransition): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const task = await lockTask(tx, input.listingId, input.taskId);
    if (!task) throw new Error(`no task ${input.taskId}`);
    await writeTaskTransition(tx, task, input);
  });
}
