import type { Prisma, PrismaClient, Task } from '../prisma/generated/client.js';
import { lockTask, writeTaskTransition } from '../db/task-transitions.js';
import { taskAcknowledgedSignal, type AcknowledgedTask } from '../workflows/messages.js';
import { workflowIdOf } from '../workflows/workflow-id.js';
import type { SignalOutbox } from './signal-outbox.js';
import type { WorkflowRefusal } from './workflow-gateway.js';

/** An acknowledgment accepted (or found already made), or refused as the workflow would refuse it. */
export type AcceptOutcome = { accepted: true; changed: boolean; task: Task } | ({ accepted: false } & WorkflowRefusal);

/**
 * Acknowledgments are decided by the read model: under the task's row lock,
 * the task is checked as the workflow's validator checks it (its department,
 * not cancelled, not declined or reassigned), then written with its audit
 * event and the signal owed to the workflow, in one transaction. The answer
 * waits for that commit only; the workflow hears of it from the outbox a
 * moment later and follows (docs/adr/0003-acknowledgments-accepted-in-postgresql.md).
 */
export function createAcknowledgments({ prisma, outbox, now = () => new Date() }: { prisma: PrismaClient; outbox: SignalOutbox; now?: () => Date }) {
  return {
    async accept(listingId: string, taskId: string, departmentCode: string, details: { by: string; note?: string | undefined }): Promise<AcceptOutcome> {
      const outcome = await prisma.$transaction(async (tx): Promise<AcceptOutcome & { owed?: Prisma.OutboxSignalCreateManyInput }> => {
        const task = await lockTask(tx, listingId, taskId);
        if (!task) return { accepted: false, refused: 'unknownTask', message: `no task ${taskId} in this listing` };
        if (task.departmentCode !== departmentCode) return { accepted: false, refused: 'wrongDepartment', message: `task ${taskId} belongs to department ${task.departmentCode}` };
        if (task.status === 'cancelled') return { accepted: false, refused: 'taskClosed', message: `task ${taskId} was cancelled when the sanction was lifted` };
        if (task.status === 'declined' || task.status === 'reassigned') {
          return { accepted: false, refused: 'wrongState', message: `task ${taskId} is ${task.status}: the supervisors decide who applies it` };
        }
        if (task.status !== 'pending') return { accepted: true, changed: false, task };
        const at = now().toISOString();
        await writeTaskTransition(tx, task, { taskId, listingId, transition: 'acknowledged', at, by: details.by, note: details.note });
        const payload: AcknowledgedTask = { taskId, at, by: details.by };
        const owed = { id: `${taskId}.acknowledged`, workflowId: workflowIdOf(listingId), signal: taskAcknowledgedSignal.name, payload: { ...payload } };
        await tx.outboxSignal.createMany({ data: [owed], skipDuplicates: true });
        return { accepted: true, changed: true, task: await tx.task.findUniqueOrThrow({ where: { id: taskId } }), owed };
      });
      if (outcome.accepted && outcome.owed) {
        const { owed, ...accepted } = outcome;
        outbox.deliverSoon({ id: owed.id, workflowId: owed.workflowId, signal: owed.signal, payload: owed.payload as Prisma.JsonValue });
        return accepted;
      }
      return outcome;
    },
  };
}

export type Acknowledgments = ReturnType<typeof createAcknowledgments>;
