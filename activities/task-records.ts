import { appendEvents, lockListing } from '../db/events.js';
import { recordTaskTransition, type TaskTransitionInput } from '../db/task-transitions.js';
import type { DeadlineKind, EscalationTarget } from '../workflows/types.js';
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
 * The read model of department tasks, written as the workflow decides. Every
 * write is conditional or keyed, so a retried activity changes nothing twice.
 */
export function createTaskRecordActivities({ prisma }: ActivityDeps) {
  return {
    recordTaskTransition(input: TaskTransitionInput): Promise<void> {
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
