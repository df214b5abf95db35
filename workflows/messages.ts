/**
 * The workflow's messages, defined once and imported by the workflow and the
 * API alike, so that names and payloads cannot drift apart.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DeadlineKind, FeedbackEntry, LiftRequest, SanctionState, TaskKind, TaskStatus } from './types.js';

export interface TaskActionInput {
  taskId: string;
  /** The department of the caller; a task only accepts its own department. */
  departmentCode: string;
  by: string;
  note?: string | undefined;
  /** The department's own reference for the implementation (completion only). */
  reference?: string | undefined;
  /** Per measure, what the department did (completion only). */
  feedback?: FeedbackEntry[] | undefined;
}

export interface TaskActionResult {
  taskId: string;
  kind: TaskKind;
  status: TaskStatus;
  /** False when the task was already in that state: the repeat changed nothing. */
  changed: boolean;
}

export interface ExtensionRequest {
  expiresAt: string;
  /** The listing period in years with the extension; absent in requests made before it was recorded here. */
  periodYears?: number | undefined;
  by: string;
  reason: string;
}

/** Why a validator refused an update, as the ApplicationFailure type it throws. */
export const REJECTIONS = {
  unknownTask: 'UnknownTask',
  wrongDepartment: 'WrongDepartment',
  taskClosed: 'TaskClosed',
  listingClosed: 'ListingClosed',
  /** The run is handing over to its continuation: send the update again, it reaches the new run. */
  continuing: 'ContinuingAsNew',
  badExtension: 'BadExtension',
  /** The task is not in the state the action needs (declining a completed task, verifying an open one…). */
  wrongState: 'TaskWrongState',
} as const;

/** A refusal the caller must hear about; `continuing` is not one: the update is simply sent again. */
export type Rejection = Exclude<keyof typeof REJECTIONS, 'continuing'>;

/**
 * An acknowledgment already accepted and recorded in the read model (checked
 * there under the task's row lock), delivered from the outbox: at least once,
 * applied once. Replaces `acknowledgeTask` for callers of this version; the
 * update stays for callers and runs of earlier ones.
 */
export interface AcknowledgedTask {
  taskId: string;
  at: string;
  by: string;
}
export const taskAcknowledgedSignal = defineSignal<[AcknowledgedTask]>('taskAcknowledged');

export const acknowledgeTaskUpdate = defineUpdate<TaskActionResult, [TaskActionInput]>('acknowledgeTask');
export const completeTaskUpdate = defineUpdate<TaskActionResult, [TaskActionInput]>('completeTask');
export const requestLiftUpdate = defineUpdate<{ phase: SanctionState['phase']; changed: boolean }, [LiftRequest]>('requestLift');
export const extendPeriodUpdate = defineUpdate<{ expiresAt: string }, [ExtensionRequest]>('extendPeriod');
export const stateQuery = defineQuery<SanctionState>('state');

/** A correction the court recorded (art. 9): the workflow applies it and sends its round. */
export interface CorrectionNotice {
  correctionId: string;
}
export const correctListingUpdate = defineUpdate<{ changed: boolean; dispatched: number }, [CorrectionNotice]>('correctListing');

/** The holiday calendar was completed: count the open tasks' deadlines again where they were counted on incomplete data. */
export const rescheduleUpdate = defineUpdate<{ rescheduled: number }, []>('reschedule');

/** An objection's facts changed (a decision, an application, a remedy): its workflow reads them again now. */
export const objectionChangedSignal = defineSignal<[]>('objectionChanged');

/** "Not ours": the department declines its task; supervisors then reassign or return it. */
export interface DeclineInput {
  taskId: string;
  departmentCode: string;
  by: string;
  reason: string;
  suggestedDepartmentCode?: string | undefined;
}

/** A supervisor's decision on a task: reassign, return, verify, send back, or move its deadline. */
export interface ReviewInput {
  taskId: string;
  by: string;
  reason?: string | undefined;
}

export interface ReassignInput extends ReviewInput {
  /** The department that gets a fresh task for the same measures. */
  departmentCode: string;
}

/** A granted extension: the open deadline moves to `until`, its reminder and escalation ladder with it. */
export interface MoveDeadlineInput extends ReviewInput {
  extensionId: string;
  until: string;
}

export interface ReviewResult {
  taskId: string;
  status: TaskStatus;
  changed: boolean;
  /** Reassignment: the new task. */
  newTaskId?: string | undefined;
  /** Moved deadline: which one. */
  deadline?: DeadlineKind | undefined;
}

export const declineTaskUpdate = defineUpdate<ReviewResult, [DeclineInput]>('declineTask');
export const reassignTaskUpdate = defineUpdate<ReviewResult, [ReassignInput]>('reassignTask');
export const returnTaskUpdate = defineUpdate<ReviewResult, [ReviewInput]>('returnTask');
export const verifyTaskUpdate = defineUpdate<ReviewResult, [ReviewInput]>('verifyTask');
export const sendBackTaskUpdate = defineUpdate<ReviewResult, [ReviewInput]>('sendBackTask');
export const moveDeadlineUpdate = defineUpdate<ReviewResult, [MoveDeadlineInput]>('moveTaskDeadline');

/** A search's facts changed (a batch fully answered, the search closed): its workflow reads them again now. */
export const assetSearchChangedSignal = defineSignal<[{ reason: 'batch-answered' | 'closed' }]>('assetSearchChanged');

/** A freeze's facts changed (an order, a confirmation): its workflow reads them again now. */
export const freezeChangedSignal = defineSignal<[{ orderId: string }]>('freezeChanged');
