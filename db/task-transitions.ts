import type { PrismaClient } from '../prisma/generated/client.js';
import type { TaskTransition } from '../workflows/types.js';
import { appendEvents, lockListing } from './events.js';

export type TaskTransitionInput = TaskTransition;

/**
 * Writes an accepted acknowledgment or completion to the read model and the
 * audit trail. Conditional and keyed, so the API (right after the update
 * returns) and the workflow's activity (in case the API stopped first) may
 * both write it: whichever comes second changes nothing.
 */
export async function recordTaskTransition(prisma: PrismaClient, input: TaskTransitionInput): Promise<void> {
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
      events.push({ id: `${task.id}.completed`, at, type: 'completed', actor: input.by, taskId: task.id, data: { note: input.note ?? null, reference: input.reference ?? null } });
    }
    if (events.length === 0) return;
    const completing = input.transition === 'completed';
    await tx.task.update({
      where: { id: task.id },
      data: {
        status: completing ? 'completed' : 'acknowledged',
        acknowledgedAt: task.acknowledgedAt ?? at,
        acknowledgedBy: task.acknowledgedBy ?? input.by,
        ...(completing ? { completedAt: at, completedBy: input.by, reference: input.reference ?? null } : {}),
        note: input.note ?? task.note,
        openDeadlineAt: completing ? null : task.completeDueAt,
      },
    });
    await appendEvents(tx, input.listingId, events);
  });
}
