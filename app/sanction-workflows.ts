import { WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { sanctionWorkflow } from '../workflows/sanction.js';
import {
  REJECTIONS,
  acknowledgeTaskUpdate,
  completeTaskUpdate,
  extendPeriodUpdate,
  requestLiftUpdate,
  type ExtensionRequest,
  type TaskActionInput,
  type TaskActionResult,
} from '../workflows/messages.js';
import type { LiftRequest, SanctionWorkflowInput } from '../workflows/types.js';
import { workflowIdOf } from '../workflows/workflow-id.js';
import { HttpProblem } from '../http/problem.js';

export { workflowIdOf };

/** Search attributes the coordinator sets; registered on the server at start. No personal data. */
export const SEARCH_ATTRIBUTES = { SanctionStatus: 'Keyword', CourtCode: 'Keyword' } as const;

const rejectionStatus: Record<string, [number, string]> = {
  [REJECTIONS.wrongDepartment]: [403, 'Forbidden'],
  [REJECTIONS.unknownTask]: [404, 'Not found'],
  [REJECTIONS.taskClosed]: [409, 'Conflict'],
  [REJECTIONS.listingClosed]: [409, 'Conflict'],
  [REJECTIONS.badExtension]: [409, 'Conflict'],
};

const UPDATE_ATTEMPTS = 8;
const BUSY_ATTEMPTS = 8;
const START_DEADLINE_MS = 5_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Updates that never ran and may be sent again: many updates at once on one
 * workflow can make the server drop the workflow task that carried one of
 * them, and a run handing over to its continuation turns new updates away.
 */
function wasNotProcessed(error: unknown): boolean {
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure && error.cause.type === REJECTIONS.continuing) return true;
  return /wasn't processed by worker|not supported by the worker|completed before the update completed/i.test(messageOf(error));
}

/** An error's message with its cause's: the gRPC status text is in the cause. */
const messageOf = (error: unknown) => (error instanceof Error ? `${error.message} ${error.cause instanceof Error ? error.cause.message : ''}` : '');

/**
 * The server takes a bounded number of updates per workflow at once (10 by
 * default); beyond it an update is refused before it is accepted, so it can be
 * sent again. Forty-five departments acknowledging one listing together meet it.
 */
function workflowBusy(error: unknown): boolean {
  return /RESOURCE_EXHAUSTED|concurrent in-flight updates/i.test(messageOf(error));
}

/** How long to wait before sending an update again, or null to give up. */
function retryDelayMs(error: unknown, attempt: number): number | null {
  if (workflowBusy(error)) {
    // Backing off with jitter spreads the waiting updates over the workflow's next tasks (about 10 s in all).
    return attempt < BUSY_ATTEMPTS ? Math.min(100 * 2 ** (attempt - 1), 3_200) * (0.5 + Math.random()) : null;
  }
  return attempt < UPDATE_ATTEMPTS && wasNotProcessed(error) ? 20 * attempt : null;
}

/** A validator's rejection becomes the matching 4xx; nothing was written to history. */
function asProblem(error: unknown): never {
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const [status, title] = rejectionStatus[error.cause.type ?? ''] ?? [409, 'Conflict'];
    throw new HttpProblem(status, title, error.cause.message);
  }
  if (error instanceof Error && error.name === 'WorkflowNotFoundError') {
    throw new HttpProblem(409, 'Conflict', 'The sanction workflow of this listing has ended.');
  }
  throw error;
}

/** The API's only door into Temporal. */
export function createWorkflowGateway(client: Client, taskQueue: string) {
  const handle = (listingId: string) => client.workflow.getHandle<typeof sanctionWorkflow>(workflowIdOf(listingId));
  const update = async <T>(run: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        // No deadline here: under load one workflow's updates queue for seconds, and an update that
        // gave up would tell the department to retry something that is on its way.
        return await run();
      } catch (error) {
        const delay = retryDelayMs(error, attempt);
        if (delay !== null) {
          await sleep(delay);
          continue;
        }
        return asProblem(error);
      }
    }
  };

  return {
    /**
     * Starts the listing's workflow, or does nothing when it already runs: the
     * id is derived from the listing, so retries and repeated POSTs converge
     * on one workflow.
     */
    async startSanction(input: SanctionWorkflowInput): Promise<void> {
      // The listing is already recorded: if Temporal is away, answer 503 soon
      // (the reconciler or a repeated POST starts the workflow later).
      await client.connection
        .withDeadline(Date.now() + START_DEADLINE_MS, () =>
          client.workflow.start<typeof sanctionWorkflow>('sanctionWorkflow', {
            workflowId: workflowIdOf(input.listingId),
            taskQueue,
            args: [input],
            workflowIdConflictPolicy: 'USE_EXISTING',
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            searchAttributes: { SanctionStatus: ['active'], CourtCode: [input.courtCode] },
          }),
        )
        .catch((error: unknown) => {
          // It ran and closed: there is nothing more to start.
          if (error instanceof WorkflowExecutionAlreadyStartedError) return;
          throw error;
        });
    },

    /** `updateId` makes a retried request (same Idempotency-Key) the same update. */
    acknowledge(listingId: string, action: TaskActionInput, updateId?: string): Promise<TaskActionResult> {
      return update(() => handle(listingId).executeUpdate(acknowledgeTaskUpdate, { args: [action], ...(updateId ? { updateId } : {}) }));
    },

    complete(listingId: string, action: TaskActionInput, updateId?: string): Promise<TaskActionResult> {
      return update(() => handle(listingId).executeUpdate(completeTaskUpdate, { args: [action], ...(updateId ? { updateId } : {}) }));
    },

    requestLift(listingId: string, request: LiftRequest, updateId?: string) {
      return update(() => handle(listingId).executeUpdate(requestLiftUpdate, { args: [request], ...(updateId ? { updateId } : {}) }));
    },

    extendPeriod(listingId: string, request: ExtensionRequest) {
      return update(() => handle(listingId).executeUpdate(extendPeriodUpdate, { args: [request] }));
    },
  };
}

export type WorkflowGateway = ReturnType<typeof createWorkflowGateway>;
