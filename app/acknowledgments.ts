import type { PrismaClient, Task } from '../prisma/generated/client.js';
import { EVENT_HASH_SEPARATOR, eventBody, GENESIS_HASH } from '../db/events.js';
import { openDeadlineAt } from '../domain/tasks.js';
import { taskAcknowledgedSignal, type AcknowledgedTask } from '../workflows/messages.js';
import { workflowIdOf } from '../workflows/workflow-id.js';
import type { OwedSignal, SignalOutbox } from './signal-outbox.js';
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
    /**
     * `listingId` when the caller knows it (a signed link names the task, which names its listing);
     * null to take the task's own. `departmentCode` is the caller's: another department's task is refused.
     */
    async accept(listingId: string | null, taskId: string, departmentCode: string, details: { by: string; note?: string | undefined }): Promise<AcceptOutcome> {
      // The most frequent write departments make, so two statements between BEGIN and COMMIT: lock and
      // read the task, then write the task, its event and the owed signal. The second statement reads the
      // chain's last hash itself: begun after the lock was granted, it sees what the writer we may have
      // waited for committed, and PostgreSQL's sha256 extends the chain as `eventHash` does.
      const outcome = await prisma.$transaction(async (tx): Promise<AcceptOutcome & { owed?: OwedSignal }> => {
        const [task] = await tx.$queryRaw<Task[]>`
          SELECT t.* FROM "Task" t JOIN "Listing" l ON l.id = t."listingId"
          WHERE t.id = ${taskId}::uuid AND (${listingId}::uuid IS NULL OR l.id = ${listingId}::uuid)
          FOR UPDATE OF l, t`;
        if (!task) return { accepted: false, refused: 'unknownTask', message: `no task ${taskId}` };
        if (task.departmentCode !== departmentCode) return { accepted: false, refused: 'wrongDepartment', message: `task ${taskId} belongs to department ${task.departmentCode}` };
        if (task.status === 'cancelled') return { accepted: false, refused: 'taskClosed', message: `task ${taskId} was cancelled when the sanction was lifted` };
        if (task.status === 'declined' || task.status === 'reassigned') {
          return { accepted: false, refused: 'wrongState', message: `task ${taskId} is ${task.status}: the supervisors decide who applies it` };
        }
        if (task.status !== 'pending') return { accepted: true, changed: false, task };

        const at = now();
        const event = { id: `${taskId}.acknowledged`, listingId: task.listingId, at, type: 'acknowledged', actor: details.by, taskId, data: { note: details.note ?? null, implied: false } };
        // A task acknowledged before (sent back to pending) keeps its first acknowledgment's event.
        const writeEvent = task.acknowledgedAt === null;
        const payload: AcknowledgedTask = { taskId, at: at.toISOString(), by: details.by };
        const owed: OwedSignal = { id: `${taskId}.acknowledged`, workflowId: workflowIdOf(task.listingId), signal: taskAcknowledgedSignal.name, payload: { ...payload } };
        const status = 'acknowledged';
        const [written] = await tx.$queryRaw<Task[]>`
          WITH task AS (
            UPDATE "Task" SET status = ${status}, "acknowledgedAt" = COALESCE("acknowledgedAt", ${at.toISOString()}::timestamp),
              "acknowledgedBy" = COALESCE("acknowledgedBy", ${details.by}), note = COALESCE(${details.note ?? null}, note),
              "openDeadlineAt" = ${isoOrNull(openDeadlineAt({ ...task, status }))}::timestamp, "updatedAt" = ${at.toISOString()}::timestamp
            WHERE id = ${taskId}::uuid RETURNING *
          ), previous AS (
            SELECT COALESCE((SELECT hash FROM "Event" WHERE "listingId" = ${task.listingId}::uuid ORDER BY seq DESC LIMIT 1), ${GENESIS_HASH}) AS hash
          ), event AS (
            INSERT INTO "Event" (id, "listingId", at, type, actor, "taskId", data, "prevHash", hash)
            SELECT ${event.id}, ${task.listingId}::uuid, ${at.toISOString()}::timestamp, ${event.type}, ${event.actor}, ${taskId}::uuid,
              ${JSON.stringify(event.data)}::jsonb, previous.hash,
              encode(sha256(convert_to(previous.hash || ${EVENT_HASH_SEPARATOR} || ${eventBody(event)}, 'UTF8')), 'hex')
            FROM previous WHERE ${writeEvent}
            ON CONFLICT (id) DO NOTHING
          ), owed AS (
            INSERT INTO "OutboxSignal" (id, "workflowId", signal, payload)
            VALUES (${owed.id}, ${owed.workflowId}, ${owed.signal}, ${JSON.stringify(owed.payload)}::jsonb)
            ON CONFLICT (id) DO NOTHING
          )
          SELECT * FROM task`;
        return { accepted: true, changed: true, task: written!, owed };
      });
      if (outcome.accepted && outcome.owed) {
        const { owed, ...accepted } = outcome;
        outbox.deliverSoon(owed);
        return accepted;
      }
      return outcome;
    },
  };
}

export type Acknowledgments = ReturnType<typeof createAcknowledgments>;

/** Timestamps go to PostgreSQL as UTC text: the columns hold UTC without a zone, as Prisma writes them. */
const isoOrNull = (instant: Date | string | null): string | null => (instant === null ? null : new Date(instant).toISOString());
