import { WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError, type Client, type WorkflowStartOptions } from '@temporalio/client';
import { ApplicationFailure, type SearchAttributes, type Workflow } from '@temporalio/common';
import type { sanctionWorkflow } from '../workflows/sanction.js';
import {
  REJECTIONS,
  completeTaskUpdate,
  correctListingUpdate,
  objectionChangedSignal,
  extendPeriodUpdate,
  requestLiftUpdate,
  rescheduleUpdate,
  declineTaskUpdate,
  reassignTaskUpdate,
  returnTaskUpdate,
  verifyTaskUpdate,
  sendBackTaskUpdate,
  moveDeadlineUpdate,
  type DeclineInput,
  type ReassignInput,
  type ReviewInput,
  type MoveDeadlineInput,
  type ExtensionRequest,
  type Rejection,
  type TaskActionInput,
  type TaskActionResult,
} from '../workflows/messages.js';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';
import type { LiftRequest, SanctionWorkflowInput } from '../workflows/types.js';
import { assetSearchWorkflowIdOf, freezeWorkflowIdOf, backgroundTaskQueueOf, importWorkflowIdOf, objectionWorkflowIdOf, webhookWorkflowIdOf, workflowIdOf } from '../workflows/workflow-id.js';
import type { objectionWorkflow } from '../workflows/objection.js';
import type { assetSearchWorkflow, AssetSearchWorkflowInput } from '../workflows/asset-search.js';
import type { freezeWorkflow } from '../workflows/freeze.js';
import type { webhookDeliveryWorkflow } from '../workflows/webhook-delivery.js';
import type { listingImportWorkflow } from '../workflows/listing-import.js';
import { AppError } from './errors.js';

export { SEARCH_ATTRIBUTES, workflowIdOf };

/**
 * Why the workflow refused: its validators' reasons, a workflow that has
 * already ended, or `retryLater`: the run kept handing over to its
 * continuation (continue-as-new) for longer than the gateway waits. Nothing
 * was applied then, and the same request succeeds once the new run takes it.
 */
export type WorkflowRefusal = { refused: Rejection | 'workflowEnded' | 'retryLater'; message: string };

/** What an update gave back, or why the workflow turned it down. Nothing was written to history on a refusal. */
export type UpdateOutcome<T> = ({ refused?: undefined } & T) | WorkflowRefusal;

const rejectionOf = new Map<string, Rejection>(
  Object.entries(REJECTIONS)
    .filter(([reason]) => reason !== 'continuing')
    .map(([reason, type]) => [type, reason as Rejection]),
);

/** How a use case reports a refusal to a caller who asked in person (API, dashboard). */
export function refusalError({ refused, message }: WorkflowRefusal): AppError {
  if (refused === 'wrongDepartment') return new AppError('forbidden', message, { refused });
  if (refused === 'unknownTask') return new AppError('not-found', message, { refused });
  if (refused === 'retryLater') return new AppError('unavailable', message, { refused });
  return new AppError('conflict', message, { refused });
}

// About 22 s of retrying in all: time for a workflow under load to take 45 departments answering at once.
const BUSY_ATTEMPTS = 12;
/**
 * How long an update turned away by a run handing over to its continuation
 * is sent again. The hand-over usually takes a few workflow tasks, but on a
 * loaded worker it can take seconds; past this the caller hears "retry later"
 * (503), never that the listing is closed.
 */
export const CONTINUING_RETRY_MS = 10_000;
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

/** How long to wait before sending an update again, or null to give up (busy) or 'retryLater' (still not processed after the bound). */
function retryDelayMs(error: unknown, attempt: number, elapsedMs: number, continuingRetryMs: number): number | null | 'retryLater' {
  if (workflowBusy(error)) {
    // Backing off with jitter spreads the waiting updates over the workflow’s next tasks.
    return attempt < BUSY_ATTEMPTS ? Math.min(100 * 2 ** (attempt - 1), 3_200) * (0.5 + Math.random()) : null;
  }
  if (!wasNotProcessed(error)) return null;
  if (elapsedMs >= continuingRetryMs) return 'retryLater';
  // 20 ms, 40 ms, … up to 1 s between attempts, never past the bound.
  return Math.min(20 * 2 ** (attempt - 1), 1_000, Math.max(continuingRetryMs - elapsedMs, 0));
}

/** The workflow's own refusal, if the error is one; anything else (the engine away, a bug) is thrown on. */
function refusalOf(error: unknown): WorkflowRefusal | null {
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const reason = rejectionOf.get(error.cause.type ?? '');
    if (reason) return { refused: reason, message: error.cause.message };
  }
  if (error instanceof Error && error.name === 'WorkflowNotFoundError') {
    return { refused: 'workflowEnded', message: 'The sanction workflow of this listing has ended.' };
  }
  return null;
}

/** The use cases' only door into Temporal. */
export function createWorkflowGateway(client: Client, taskQueue: string, { continuingRetryMs = CONTINUING_RETRY_MS }: { continuingRetryMs?: number } = {}) {
  const handle = (listingId: string) => client.workflow.getHandle<typeof sanctionWorkflow>(workflowIdOf(listingId));
  const update = async <T extends object>(run: () => Promise<T>): Promise<UpdateOutcome<T>> => {
    const startedAt = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        // No deadline here: under load one workflow's updates queue for seconds, and an update that
        // gave up would tell the department to retry something that is on its way.
        return (await run()) as UpdateOutcome<T>;
      } catch (error) {
        const delay = retryDelayMs(error, attempt, Date.now() - startedAt, continuingRetryMs);
        if (delay === 'retryLater') {
          return { refused: 'retryLater', message: 'The listing\'s workflow is handing over to its continuation; nothing was changed. Retry shortly.' };
        }
        if (delay !== null) {
          await sleep(delay);
          continue;
        }
        const refusal = refusalOf(error);
        if (refusal) return refusal;
        throw error;
      }
    }
  };

  /**
   * One running workflow per id; by default one run per id, ever. What is
   * being started is already recorded: if Temporal is away, fail soon (the
   * relay or a repeated request starts it later); if it ran and closed, there
   * is nothing more to start (unless `again` allows a new run).
   */
  async function startOnce<W extends Workflow>(
    type: string,
    workflowId: string,
    queue: string,
    args: Parameters<W>,
    { searchAttributes, again = 'REJECT_DUPLICATE' }: { searchAttributes?: SearchAttributes; again?: 'REJECT_DUPLICATE' | 'ALLOW_DUPLICATE' } = {},
  ): Promise<void> {
    await client.connection
      .withDeadline(Date.now() + START_DEADLINE_MS, () =>
        client.workflow.start<W>(type, {
          workflowId,
          taskQueue: queue,
          args,
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: again,
          ...(searchAttributes ? { searchAttributes } : {}),
        } as unknown as WorkflowStartOptions<W>),
      )
      .catch((error: unknown) => {
        if (error instanceof WorkflowExecutionAlreadyStartedError) return;
        throw error;
      });
  }

  return {
    /**
     * Starts the listing's workflow, or does nothing when it already runs: the
     * id is derived from the listing, so retries and repeated POSTs converge
     * on one workflow.
     */
    startSanction: (input: SanctionWorkflowInput) =>
      startOnce<typeof sanctionWorkflow>('sanctionWorkflow', workflowIdOf(input.listingId), taskQueue, [input], {
        searchAttributes: { SanctionStatus: ['active'], CourtCode: [input.courtCode] },
      }),

    /** Starts an import's workflow, or does nothing when it runs or has run. */
    startImport: (importId: string) => startOnce<typeof listingImportWorkflow>('listingImportWorkflow', importWorkflowIdOf(importId), backgroundTaskQueueOf(taskQueue), [importId]),

    /**
     * Starts a subscription's deliveries. A subscription whose workflow ended
     * while it was not deleted (terminated by an operator) is started again.
     */
    startWebhook: (webhookId: string) =>
      startOnce<typeof webhookDeliveryWorkflow>('webhookDeliveryWorkflow', webhookWorkflowIdOf(webhookId), backgroundTaskQueueOf(taskQueue), [webhookId], { again: 'ALLOW_DUPLICATE' }),

    /** Starts an asset search's workflow, or does nothing when it runs or has run. */
    startAssetSearch: (input: AssetSearchWorkflowInput) => startOnce<typeof assetSearchWorkflow>('assetSearchWorkflow', assetSearchWorkflowIdOf(input.searchId), taskQueue, [input]),

    /** Starts a freeze's workflow, or does nothing when it runs or has run. */
    startFreeze: (freezeId: string) => startOnce<typeof freezeWorkflow>('freezeWorkflow', freezeWorkflowIdOf(freezeId), taskQueue, [freezeId]),

    /** `updateId` makes a retried request (same Idempotency-Key) the same update. Acknowledgments go through the outbox. */
    complete(listingId: string, action: TaskActionInput, updateId?: string): Promise<UpdateOutcome<TaskActionResult>> {
      return update(() => handle(listingId).executeUpdate(completeTaskUpdate, { args: [action], ...(updateId ? { updateId } : {}) }));
    },

    /** "Not ours", and what supervisors decide about a task: each one update of the listing's workflow. */
    decline: (listingId: string, input: DeclineInput) => update(() => handle(listingId).executeUpdate(declineTaskUpdate, { args: [input] })),
    reassign: (listingId: string, input: ReassignInput) => update(() => handle(listingId).executeUpdate(reassignTaskUpdate, { args: [input] })),
    returnTask: (listingId: string, input: ReviewInput) => update(() => handle(listingId).executeUpdate(returnTaskUpdate, { args: [input] })),
    verify: (listingId: string, input: ReviewInput) => update(() => handle(listingId).executeUpdate(verifyTaskUpdate, { args: [input] })),
    sendBack: (listingId: string, input: ReviewInput) => update(() => handle(listingId).executeUpdate(sendBackTaskUpdate, { args: [input] })),
    /** A granted extension; its id makes a resend the same update. */
    moveDeadline: (listingId: string, input: MoveDeadlineInput) =>
      update(() => handle(listingId).executeUpdate(moveDeadlineUpdate, { args: [input], updateId: `extension-${input.extensionId}` })),

    requestLift(listingId: string, request: LiftRequest, updateId?: string) {
      return update(() => handle(listingId).executeUpdate(requestLiftUpdate, { args: [request], ...(updateId ? { updateId } : {}) }));
    },

    /** Counts the open tasks' incomplete deadlines again on the current calendar. */
    reschedule(listingId: string) {
      return update(() => handle(listingId).executeUpdate(rescheduleUpdate, { args: [] }));
    },

    extendPeriod(listingId: string, request: ExtensionRequest) {
      return update(() => handle(listingId).executeUpdate(extendPeriodUpdate, { args: [request] }));
    },

    /** The workflow applies a recorded correction and sends its round; the correction's id makes a resend the same update. */
    correctListing(listingId: string, correctionId: string) {
      return update(() => handle(listingId).executeUpdate(correctListingUpdate, { args: [{ correctionId }], updateId: `correction-${correctionId}` }));
    },

    /**
     * A signal owed by the read model (the outbox): 'workflowEnded' when the
     * workflow no longer runs, so nothing will ever take it.
     */
    async signal(workflowId: string, signalName: string, payload: unknown): Promise<'delivered' | 'workflowEnded'> {
      const target = client.workflow.getHandle(workflowId);
      try {
        await client.connection.withDeadline(Date.now() + START_DEADLINE_MS, () => target.signal(signalName, payload));
        return 'delivered';
      } catch (error) {
        if (!(error instanceof Error && error.name === 'WorkflowNotFoundError')) throw error;
        // "Not found" is also what a server still loading its namespaces answers: ended only if it says so.
        const { status } = await client.connection.withDeadline(Date.now() + START_DEADLINE_MS, () => target.describe());
        if (status.name === 'RUNNING') throw error;
        return 'workflowEnded';
      }
    },

    /**
     * Tells an objection's workflow that its facts changed, starting it when
     * it does not run (the first time, or after it ended): it reads the
     * database, so telling it twice is harmless.
     */
    async nudgeObjection(objectionId: string): Promise<void> {
      await client.connection.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        client.workflow.signalWithStart<typeof objectionWorkflow, []>('objectionWorkflow', {
          workflowId: objectionWorkflowIdOf(objectionId),
          taskQueue,
          args: [objectionId],
          signal: objectionChangedSignal,
          signalArgs: [],
        }),
      );
    },
  };
}

export type WorkflowGateway = ReturnType<typeof createWorkflowGateway>;
