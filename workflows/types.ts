/** Payloads that cross the workflow boundary. No personal data: ids and codes only. Instants are ISO strings. */

export type TaskKind = 'impose' | 'lift';
export type TaskStatus = 'pending' | 'acknowledged' | 'completed' | 'cancelled';
export type NoticeType = 'notice' | 'reminder' | 'escalation' | 'lift-notice' | 'closed';
export type DeadlineKind = 'acknowledge' | 'complete';
export type EscalationTarget = 'department-supervisor' | 'coordinating-office';
export type LiftReason = 'performance' | 'revocation' | 'expiry';
export type ListingStatus = 'active' | 'lifting' | 'lifted' | 'revoked';

export interface PlannedTask {
  departmentCode: string;
  measures: string[];
}

export interface TaskToDispatch extends PlannedTask {
  taskId: string;
}

export interface EscalationStep {
  level: number;
  at: string;
  notify: EscalationTarget;
}

/** When each reminder, deadline and escalation of a task falls due; fixed at dispatch. */
export interface TaskScheduleData {
  acknowledgeDueAt: string;
  completeDueAt: string;
  acknowledgeReminderAt: string | null;
  completeReminderAt: string | null;
  escalations: { acknowledge: EscalationStep[]; complete: EscalationStep[] };
}

export interface DispatchedTask {
  taskId: string;
  departmentCode: string;
  measures: string[];
  schedule: TaskScheduleData;
}

/** A department task as the workflow tracks it. */
export interface TrackedTask extends DispatchedTask {
  kind: TaskKind;
  status: TaskStatus;
  escalationLevel: number;
  /** Keys of the reminders and escalation steps already taken: each is taken once. */
  alarmsTaken: string[];
}

export interface LiftRequest {
  reason: LiftReason;
  by: string;
  note?: string | undefined;
  /** When the debtor performed (a clerk may record it after the fact). */
  performedAt?: string | undefined;
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
}

