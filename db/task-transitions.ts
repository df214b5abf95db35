import { openDeadlineAt } from '../domain/tasks.js';
import type { Prisma, Task } from '../prisma/generated/client.js';
import type { TaskTransition } from '../workflows/types.js';
import { appendEvents, lockListing } from './events.js';

/**
 * Locks a task for the rest of the transaction and reads it: listing first,
 * then task, the order every writer of both takes, so two writers of one task
 * (acknowledge and complete) see each other's changes.
 */
export async function lockTask(tx: Prisma.TransactionClient, listingId: string, taskId: string): Promise<Task | null> {
  await lockListing(tx, listingId);
  await tx.$queryRaw`SELECT id FROM "Task" WHERE id = ${taskId}::uuid FOR UPDATE`;
  return tx.task.findUnique({ where: { id: taskId } });
}

/**
 * Writes an acknowledgment or completion to a task locked by `lockTask`, with
 * its audit events. Keyed events make a repeat write nothing; returns whether
 * anything changed.
 */
export async function writeTaskTransition(tx: Prisma.TransactionClient, task: Task, input: TaskTransition): Promise<boolean> {
  const at = new Date(input.at);
  const events = [];
  if (!task.acknowledgedAt) {
    events.push({ id: `${task.id}.acknowledged`, at, type: 'acknowledged', actor: input.by, taskId: task.id, data: { note: input.note ?? null, implied: input.transition === 'completed' } });
  }
  if (input.transition === 'completed' && !task.completedAt) {
    // A completion sent back and made again is an event of its own.
    const id = task.sentBackCount > 0 ? `${task.id}.completed.${task.sentBackCount}` : `${task.id}.completed`;
    events.push({ id, at, type: 'completed', actor: input.by, taskId: task.id, data: { note: input.note ?? null, reference: input.reference ?? null, ...(input.feedback ? { feedback: input.feedback } : {}) } });
  }
  if (events.length === 0) return false;
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
  return true;
}
