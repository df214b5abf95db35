import type { Logger } from 'pino';
import type { Prisma, PrismaClient } from '../prisma/generated/client.js';
import type { WorkflowGateway } from './workflow-gateway.js';

/** A signal owed to a workflow, as the transaction that recorded its fact wrote it. */
export interface OwedSignal {
  id: string;
  workflowId: string;
  signal: string;
  payload: Prisma.JsonValue;
}

/** How old an undelivered signal must be before the sweep takes it: younger ones are still on their way. */
export const SWEEP_AFTER_MS = 5_000;
const SWEEP_BATCH = 500;
/** A row refused this often (a workflow Temporal no longer knows) stays, with its last error, for an operator. */
const GIVE_UP_AFTER_ATTEMPTS = 200;
/** How long a signal that Temporal refused is sent again from the process that accepted its fact. */
const RETRY_FOR_MS = 120_000;
const FIRST_RETRY_MS = 500;
const LONGEST_RETRY_MS = 2_000;
/** How long delivered rows wait to be deleted together. */
const DELETE_AFTER_MS = 50;

/**
 * Delivers what the read model owes the workflows. Each fact's transaction
 * writes its signal here; right after the commit it is sent at once, and
 * deleted when Temporal has taken it. What a crash, a Temporal outage or a
 * refused call leaves behind is sent by the relay schedule's sweep. A signal
 * may so arrive twice; the workflow applies it once.
 */
export function createSignalOutbox({ prisma, workflows, log }: { prisma: PrismaClient; workflows: WorkflowGateway; log?: Logger | undefined }) {
  // Rows whose signal Temporal has taken are deleted together, one statement for every burst: a row
  // deleted late, or never (the process stopped), is only a signal the sweep sends once more.
  let taken: string[] = [];
  let deleting: Promise<void> | null = null;
  function forget(id: string): Promise<void> {
    taken.push(id);
    deleting ??= new Promise<void>((resolve) => setTimeout(resolve, DELETE_AFTER_MS)).then(async () => {
      const ids = taken;
      taken = [];
      deleting = null;
      await prisma.outboxSignal.deleteMany({ where: { id: { in: ids } } }).catch((error: unknown) => log?.warn({ err: error, rows: ids.length }, 'delivered signals not deleted: the sweep sends them again'));
    });
    return deleting;
  }

  async function deliver(owed: OwedSignal): Promise<boolean> {
    try {
      const outcome = await workflows.signal(owed.workflowId, owed.signal, owed.payload);
      if (outcome === 'workflowEnded') log?.warn({ id: owed.id, workflowId: owed.workflowId }, 'signal owed to a workflow that has ended: dropped');
      void forget(owed.id);
      return true;
    } catch (error) {
      await prisma.outboxSignal.updateMany({ where: { id: owed.id }, data: { attempts: { increment: 1 }, lastError: String(error) } }).catch(() => undefined);
      log?.warn({ id: owed.id, err: error }, 'signal not delivered yet: the sweep sends it again');
      return false;
    }
  }

  /**
   * Sends again while Temporal is away, with growing pauses, for RETRY_FOR_MS: the workflow hears of the
   * acknowledgment within seconds of Temporal's return. What outlasts that, or a process that stops, the
   * sweep sends.
   */
  async function deliverPersistently(owed: OwedSignal): Promise<void> {
    const giveUpAt = Date.now() + RETRY_FOR_MS;
    for (let pause = FIRST_RETRY_MS; !(await deliver(owed)) && Date.now() + pause < giveUpAt; pause = Math.min(pause * 2, LONGEST_RETRY_MS)) {
      await new Promise<void>((resolve) => setTimeout(resolve, pause).unref());
    }
  }

  return {
    /** Right after the commit, without waiting: the workflow hears of it within milliseconds. Never throws. */
    deliverSoon(owed: OwedSignal): void {
      void deliverPersistently(owed);
    },

    /** The relay's sweep: what is older than SWEEP_AFTER_MS, oldest first. Returns how many went out. */
    async deliverOwed(olderThanMs = SWEEP_AFTER_MS): Promise<number> {
      const owed = await prisma.outboxSignal.findMany({ where: { createdAt: { lt: new Date(Date.now() - olderThanMs) }, attempts: { lt: GIVE_UP_AFTER_ATTEMPTS } }, orderBy: { createdAt: 'asc' }, take: SWEEP_BATCH });
      let delivered = 0;
      for (const row of owed) if (await deliver(row)) delivered++;
      if (delivered > 0) await deleting;
      return delivered;
    },
  };
}

export type SignalOutbox = ReturnType<typeof createSignalOutbox>;
