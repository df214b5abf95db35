/**
 * The vocabulary of a coordination: a party gets a task, acknowledges it by
 * one deadline and completes it by another; a missed deadline is reminded and
 * escalated step by step. Plain data and pure functions, so the workflow
 * bundle can import it as well as everything else.
 */

/**
 * A sanction is imposed by one round of tasks and lifted by another; each
 * correction of the listing's data (art. 9) sends a round of its own.
 */
export const TASK_KINDS = ['impose', 'lift', 'correct'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/**
 * pending → acknowledged → completed → verified (sign-off, 销号); a
 * supervisor may send a completion back to acknowledged. A department that
 * is not responsible declines (pending or acknowledged → declined); a
 * supervisor then returns the task to it, or reassigns it (→ reassigned, and
 * a new task for the other department). A lift cancels what is still open.
 */
export const TASK_STATUSES = ['pending', 'acknowledged', 'completed', 'verified', 'declined', 'reassigned', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** What a department reports per measure on completion (发起—响应—反馈). */
export const FEEDBACK_RESULTS = ['applied', 'not-applicable', 'no-record'] as const;
export type FeedbackResult = (typeof FEEDBACK_RESULTS)[number];

export interface FeedbackEntry {
  measure: string;
  result: FeedbackResult;
  /** The department's own reference (a decision number, a record id). */
  reference?: string | undefined;
  detail?: string | undefined;
}

/** What the policy a task was dispatched under asks beyond acknowledging and completing it. */
export interface TaskRequirements {
  /** Completion must report feedback for every measure. */
  feedback: boolean;
  /** The task counts as settled only once a supervisor verified it. */
  verification: boolean;
}

/** Done, as far as the listing is concerned: verified, or completed where no verification is required; or handed on. */
export function isSettled(task: { status: TaskStatus | string; requires?: TaskRequirements | undefined }): boolean {
  if (task.status === 'verified' || task.status === 'reassigned' || task.status === 'cancelled') return true;
  return task.status === 'completed' && !task.requires?.verification;
}

/** Each task works against one deadline at a time: acknowledgment first, then completion. */
export const DEADLINE_KINDS = ['acknowledge', 'complete'] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

/** Who hears of a missed deadline, step by step after the reminder to the party itself. */
export const ESCALATION_TARGETS = ['department-supervisor', 'coordinating-office'] as const;
export type EscalationTarget = (typeof ESCALATION_TARGETS)[number];

export type NoticeType = 'notice' | 'reminder' | 'escalation' | 'lift-notice' | 'correction' | 'closed';

/** What a party does with a task: acknowledge receipt, or report it done. */
export type TaskAction = 'acknowledge' | 'complete';

/** Which department applies which measures: one task each. */
export interface PlannedTask {
  departmentCode: string;
  measures: string[];
}

export interface EscalationStep<Instant> {
  /** 1 for the first step; equals the task's escalation level once the step is taken. */
  level: number;
  at: Instant;
  notify: EscalationTarget;
}

/**
 * When each reminder, deadline and escalation of a task falls due; fixed at
 * dispatch. `Date`s where it is computed, ISO strings where it crosses the
 * workflow boundary.
 */
export interface TaskSchedule<Instant = Date> {
  acknowledgeDueAt: Instant;
  completeDueAt: Instant;
  acknowledgeReminderAt: Instant | null;
  completeReminderAt: Instant | null;
  escalations: Record<DeadlineKind, EscalationStep<Instant>[]>;
}

export function scheduleToIso(schedule: TaskSchedule<Date>): TaskSchedule<string> {
  const steps = (list: EscalationStep<Date>[]) => list.map((step) => ({ level: step.level, at: step.at.toISOString(), notify: step.notify }));
  return {
    acknowledgeDueAt: schedule.acknowledgeDueAt.toISOString(),
    completeDueAt: schedule.completeDueAt.toISOString(),
    acknowledgeReminderAt: schedule.acknowledgeReminderAt?.toISOString() ?? null,
    completeReminderAt: schedule.completeReminderAt?.toISOString() ?? null,
    escalations: { acknowledge: steps(schedule.escalations.acknowledge), complete: steps(schedule.escalations.complete) },
  };
}

/** A deadline is open while the task has not done what it asks. */
export function isDeadlineOpen(status: TaskStatus | string, deadline: DeadlineKind): boolean {
  if (deadline === 'acknowledge') return status === 'pending';
  return status === 'pending' || status === 'acknowledged';
}

/** The deadline a task works against now, or null once it is completed or cancelled. */
export function openDeadlineOf(status: TaskStatus | string): DeadlineKind | null {
  if (status === 'pending') return 'acknowledge';
  if (status === 'acknowledged') return 'complete';
  return null;
}

/** The instant of the open deadline, as a task row or view holds its due dates. */
export function openDeadlineAt<Instant>(task: { status: TaskStatus | string; acknowledgeDueAt: Instant; completeDueAt: Instant }): Instant | null {
  const deadline = openDeadlineOf(task.status);
  if (deadline === null) return null;
  return deadline === 'acknowledge' ? task.acknowledgeDueAt : task.completeDueAt;
}

/** The status a task reaches by an action; completing implies acknowledging. */
export const statusAfter = (action: TaskAction): TaskStatus => (action === 'acknowledge' ? 'acknowledged' : 'completed');

/** Whether the deadline a task works against has passed. */
export function isOverdue(task: { status: TaskStatus | string; acknowledgeDueAt: string | Date; completeDueAt: string | Date }, now: Date): boolean {
  const at = openDeadlineAt(task);
  return at !== null && new Date(at).getTime() < now.getTime();
}
