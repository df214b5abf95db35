/** Payloads that cross the workflow boundary. No personal data: ids and codes only. Instants are ISO strings. */

import type { LiftReason, ListingStatus } from '../domain/listings.js';
import type { FeedbackEntry, PlannedTask, TaskKind, TaskRequirements, TaskSchedule, TaskStatus } from '../domain/tasks.js';

export type { DeadlineKind, EscalationTarget, FeedbackEntry, NoticeType, PlannedTask, TaskKind, TaskRequirements, TaskStatus } from '../domain/tasks.js';
export type { LiftReason, ListingStatus } from '../domain/listings.js';
import type { DeletionGround } from '../domain/listings.js';

export interface TaskToDispatch extends PlannedTask {
  taskId: string;
}

/** When each reminder, deadline and escalation of a task falls due, as the workflow carries it. */
export type TaskScheduleData = TaskSchedule<string>;

export interface DispatchedTask {
  taskId: string;
  departmentCode: string;
  measures: string[];
  schedule: TaskScheduleData;
  /** What the policy asks beyond acknowledging and completing; absent in tasks dispatched before it existed (neither). */
  requires?: TaskRequirements;
}

/** A department task as the workflow tracks it. */
export interface TrackedTask extends DispatchedTask {
  kind: TaskKind;
  status: TaskStatus;
  escalationLevel: number;
  /** Keys of the reminders and escalation steps already taken: each is taken once. */
  alarmsTaken: string[];
  /** Set while declined ("not ours"): the status a return gives back. Kept if a lift cancels it: the department applied nothing. */
  declinedFrom?: 'pending' | 'acknowledged';
}

export interface LiftRequest {
  reason: LiftReason;
  by: string;
  note?: string | undefined;
  /** When the debtor performed (a clerk may record it after the fact). */
  performedAt?: string | undefined;
  /** The statutory ground of a deletion (art. 10 ¶1); absent for a revocation or an expiry. */
  ground?: DeletionGround | undefined;
  /** The court's decision the lift tasks' deadlines count from; the request's time when absent. */
  decidedAt?: string | undefined;
  /** Ground 4 (no assets found): when the two or more network searches were made. */
  networkSearches?: string[] | undefined;
}

export interface SanctionState {
  listingId: string;
  courtCode: string;
  phase: 'imposing' | 'lifting' | 'closed';
  /** End of a fixed listing period; null for no fixed term. */
  expiresAt: string | null;
  lift: (LiftRequest & { requestedAt: string }) | null;
  tasks: TrackedTask[];
  /** Set once the impose phase's history has been shed by continue-as-new. */
  imposePhaseSettled: boolean;
  /** Corrections applied, by id: a correction sent again is not applied again. Absent before corrections existed. */
  corrections?: string[];
}

export interface SanctionWorkflowInput {
  listingId: string;
  courtCode: string;
  /** The departments to notify and the measures each applies, fixed at intake. */
  plan: PlannedTask[];
  expiresAt: string | null;
  /** Present when the workflow continues as new. */
  state?: SanctionState;
}

export interface SanctionOutcome {
  listingId: string;
  status: ListingStatus;
  tasks: number;
}

/** An acknowledgment or completion, as the workflow accepted it. */
export interface TaskTransition {
  taskId: string;
  listingId: string;
  transition: 'acknowledged' | 'completed';
  at: string;
  by: string;
  note?: string | undefined;
  reference?: string | undefined;
  feedback?: FeedbackEntry[] | undefined;
}

