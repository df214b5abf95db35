import { z } from 'zod';
import { chinaWorkingCalendar, type CalendarBasis, type WorkingCalendar, type WorkingDayArithmetic } from './calendar.js';
import { requireValidDate } from './china-time.js';
import { ESCALATION_TARGETS, type DeadlineKind, type EscalationStep, type TaskKind, type TaskRequirements, type TaskSchedule } from './tasks.js';

// Deadlines are legal duties counted in working days ("2bd"); ISO-8601 durations ("PT5S") run on the wall
// clock so demos and tests need not wait for days.

export type Duration = { kind: 'working-days'; days: number } | { kind: 'wall-clock'; ms: number };

const WORKING_DAYS = /^(\d+)bd$/;
// Weeks, days and time parts only: years and months have no fixed length. `T` must be followed by a part.
const ISO_DURATION = /^P(?!$)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;
const MS = { week: 604_800_000, day: 86_400_000, hour: 3_600_000, minute: 60_000, second: 1_000 } as const;

/** The parsed duration, or why the text is not one. */
function readDuration(text: string): Duration | string {
  if (typeof text !== 'string') return 'must be a string';
  const workingDays = WORKING_DAYS.exec(text);
  if (workingDays) return { kind: 'working-days', days: Number(workingDays[1]) };
  const iso = ISO_DURATION.exec(text);
  if (iso) {
    const [weeks = 0, days = 0, hours = 0, minutes = 0] = iso.slice(1, 5).map((part) => Number(part ?? 0));
    const seconds = Number((iso[5] ?? '0').replace(',', '.'));
    const ms = weeks * MS.week + days * MS.day + hours * MS.hour + minutes * MS.minute + seconds * MS.second;
    return { kind: 'wall-clock', ms: Math.round(ms) };
  }
  if (/^P\d*Y|^P(?:\d+Y)?\d+M/.test(text)) {
    return `"${text}" uses years or months, which have no fixed length: use days ("P30D") or working days ("20bd")`;
  }
  return `"${text}" is not a duration: write working days as "2bd" or an ISO-8601 duration such as "PT5S", "P1D" or "PT1H30M"`;
}

export function parseDuration(text: string): Duration {
  const result = readDuration(text);
  if (typeof result === 'string') throw new RangeError(result);
  return result;
}

function isZero(duration: Duration): boolean {
  return duration.kind === 'working-days' ? duration.days === 0 : duration.ms === 0;
}

/** Working days end at 17:00 China time on a working day; wall-clock durations end exactly. */
export function addDuration(from: Date, duration: Duration | string, days: WorkingDayArithmetic = chinaWorkingCalendar): Date {
  const parsed = typeof duration === 'string' ? parseDuration(duration) : duration;
  if (parsed.kind === 'working-days') return days.addWorkingDays(from, parsed.days);
  return new Date(requireValidDate(from).getTime() + parsed.ms);
}

export function subtractDuration(at: Date, duration: Duration | string, days: WorkingDayArithmetic = chinaWorkingCalendar): Date {
  const parsed = typeof duration === 'string' ? parseDuration(duration) : duration;
  if (parsed.kind === 'working-days') return days.subtractWorkingDays(at, parsed.days);
  return new Date(requireValidDate(at).getTime() - parsed.ms);
}

const durationSchema = (options: { deadline: boolean }) =>
  z.string().superRefine((text, ctx) => {
    const result = readDuration(text);
    if (typeof result === 'string') ctx.addIssue({ code: 'custom', message: result });
    else if (options.deadline && isZero(result)) {
      ctx.addIssue({ code: 'custom', message: 'a deadline must fall after dispatch, so it cannot be zero' });
    }
  });

export { ESCALATION_TARGETS, type EscalationTarget } from './tasks.js';

/** The built-in policy, as documented in API.md. */
const DEFAULT_POLICY = {
  impose: { acknowledge: '2bd', complete: '5bd' },
  lift: { acknowledge: '1bd', complete: '3bd' },
  // Art. 9: inaccurate data is corrected within 3 working days.
  correct: { acknowledge: '1bd', complete: '3bd' },
  escalation: [
    { after: 'PT0S', notify: 'department-supervisor' },
    { after: '2bd', notify: 'coordinating-office' },
  ],
  reminderBefore: '1bd',
  // Online asset query and control: an institution answers a query within `answer` and confirms a control
  // order within `confirm`; the officer hears of a freeze's expiry `freezeReminderBefore` it, and the
  // coordinating office `freezeEscalateBefore` it when no renewal has been ordered by then.
  assets: { answer: '3bd', confirm: '1bd', freezeReminderBefore: '15bd', freezeEscalateBefore: '5bd' },
  // Completion without per-measure feedback is accepted; a completed task counts as settled without sign-off.
  feedbackRequired: false,
  verificationRequired: false,
} as const;

// Omitted fields take the default's value; unknown ones are rejected, as they are most likely misspellings.
const phaseSchema = (defaults: { acknowledge: string; complete: string }) =>
  z
    .strictObject({
      acknowledge: durationSchema({ deadline: true }).default(defaults.acknowledge),
      complete: durationSchema({ deadline: true }).default(defaults.complete),
    })
    .default(() => ({ ...defaults }));

export const policySchema = z.strictObject({
  impose: phaseSchema(DEFAULT_POLICY.impose),
  lift: phaseSchema(DEFAULT_POLICY.lift),
  correct: phaseSchema(DEFAULT_POLICY.correct),
  escalation: z
    .array(z.strictObject({ after: durationSchema({ deadline: false }), notify: z.enum(ESCALATION_TARGETS) }))
    .default(() => DEFAULT_POLICY.escalation.map((step) => ({ ...step }))),
  reminderBefore: durationSchema({ deadline: false }).default(DEFAULT_POLICY.reminderBefore),
  assets: z
    .strictObject({
      answer: durationSchema({ deadline: true }).default(DEFAULT_POLICY.assets.answer),
      confirm: durationSchema({ deadline: true }).default(DEFAULT_POLICY.assets.confirm),
      freezeReminderBefore: durationSchema({ deadline: false }).default(DEFAULT_POLICY.assets.freezeReminderBefore),
      freezeEscalateBefore: durationSchema({ deadline: false }).default(DEFAULT_POLICY.assets.freezeEscalateBefore),
    })
    .default(() => ({ ...DEFAULT_POLICY.assets })),
  feedbackRequired: z.boolean().default(DEFAULT_POLICY.feedbackRequired),
  verificationRequired: z.boolean().default(DEFAULT_POLICY.verificationRequired),
});

export type Policy = z.infer<typeof policySchema>;
export type PolicyInput = z.input<typeof policySchema>;

/** Validates a policy file's content; the error names each offending field. */
export function parsePolicy(json: unknown): Policy {
  const result = policySchema.safeParse(json);
  if (!result.success) throw new Error(`invalid policy:\n${z.prettifyError(result.error)}`);
  return result.data;
}

export const defaultPolicy: Policy = parsePolicy(DEFAULT_POLICY);

/** What a task's stored policy asks beyond acknowledging and completing (policies stored before these existed ask neither). */
export function requirementsOf(policy: unknown): TaskRequirements {
  const stored = (policy ?? {}) as { feedbackRequired?: unknown; verificationRequired?: unknown };
  return { feedback: stored.feedbackRequired === true, verification: stored.verificationRequired === true };
}


/** A task's instants, and how sure the calendar they were counted on is. */
export type ScheduledTask = TaskSchedule & { basis: CalendarBasis };

/**
 * Every instant a task's lifecycle waits for. Deadlines count from `countFrom` (dispatch, or the decision a
 * lift follows); each escalation step counts from the missed deadline. A reminder that would fall at or before
 * the start, or not before its deadline (a zero `reminderBefore`), is null: there is no time left to remind.
 * Past the calendar's data the count goes on over weekends alone and the schedule says so (`basis`).
 */
export function taskSchedule(policy: Policy, phase: TaskKind, countFrom: Date, calendar: WorkingCalendar = chinaWorkingCalendar): ScheduledTask {
  requireValidDate(countFrom);
  const days = calendar.lenient;
  const deadlines = policy[phase];
  const acknowledgeDueAt = addDuration(countFrom, deadlines.acknowledge, days);
  const completeDueAt = addDuration(countFrom, deadlines.complete, days);
  const schedule = laddersFor(policy, acknowledgeDueAt, completeDueAt, countFrom, days);
  return { ...schedule, basis: calendar.basisOf(countFrom, lastInstantOf(schedule)) };
}

/**
 * A task's schedule with one deadline set anew at `from` (a return, a
 * send-back, a granted extension): each deadline's reminder and escalation
 * steps follow it, and a completion deadline moves as far as a moved
 * acknowledgment deadline does, so that it never falls before it.
 */
export function rescheduledTask(policy: Policy, current: Pick<TaskSchedule, 'acknowledgeDueAt' | 'completeDueAt'>, deadline: DeadlineKind, dueAt: Date, from: Date, calendar: WorkingCalendar = chinaWorkingCalendar): ScheduledTask {
  requireValidDate(dueAt);
  const shift = deadline === 'acknowledge' ? Math.max(dueAt.getTime() - current.acknowledgeDueAt.getTime(), 0) : 0;
  const acknowledgeDueAt = deadline === 'acknowledge' ? dueAt : current.acknowledgeDueAt;
  const completeDueAt = deadline === 'complete' ? dueAt : new Date(current.completeDueAt.getTime() + shift);
  const schedule = laddersFor(policy, acknowledgeDueAt, completeDueAt, from, calendar.lenient);
  return { ...schedule, basis: calendar.basisOf(from, lastInstantOf(schedule)) };
}

/** The open deadline of a task counted afresh from `from`, as the policy counts it from dispatch. */
export function freshDeadline(policy: Policy, phase: TaskKind, deadline: DeadlineKind, from: Date, calendar: WorkingCalendar = chinaWorkingCalendar): Date {
  return addDuration(from, policy[phase][deadline], calendar.lenient);
}

/**
 * The reminder before each deadline and the escalation steps after it. A
 * reminder that would fall at or before `from`, or not before its deadline (a
 * zero `reminderBefore`), is null: there is no time left to remind.
 */
function laddersFor(policy: Policy, acknowledgeDueAt: Date, completeDueAt: Date, from: Date, days: WorkingDayArithmetic): TaskSchedule {
  const reminderFor = (dueAt: Date): Date | null => {
    const at = subtractDuration(dueAt, policy.reminderBefore, days);
    return at.getTime() > from.getTime() && at.getTime() < dueAt.getTime() ? at : null;
  };
  const escalationsAfter = (dueAt: Date): EscalationStep<Date>[] =>
    policy.escalation.map((step, index) => ({
      level: index + 1,
      at: addDuration(dueAt, step.after, days),
      notify: step.notify,
    }));
  return {
    acknowledgeDueAt,
    completeDueAt,
    acknowledgeReminderAt: reminderFor(acknowledgeDueAt),
    completeReminderAt: reminderFor(completeDueAt),
    escalations: { acknowledge: escalationsAfter(acknowledgeDueAt), complete: escalationsAfter(completeDueAt) },
  };
}

function lastInstantOf(schedule: TaskSchedule): Date {
  const { acknowledgeDueAt, completeDueAt, escalations } = schedule;
  return [acknowledgeDueAt, completeDueAt, ...escalations.acknowledge.map((s) => s.at), ...escalations.complete.map((s) => s.at)].reduce((a, b) => (a > b ? a : b));
}

/** When an institution's answer (or confirmation) falls due, its reminder, and the escalation steps after it. */
export interface AnswerSchedule<Instant = Date> {
  dueAt: Instant;
  reminderAt: Instant | null;
  escalations: EscalationStep<Instant>[];
}

/**
 * The schedule of an answer owed by an institution: due `policy.assets[what]`
 * after `from`, reminded and escalated by the same ladder as a department's task.
 */
export function answerSchedule(policy: Policy, what: 'answer' | 'confirm', from: Date, calendar: WorkingCalendar = chinaWorkingCalendar): AnswerSchedule {
  requireValidDate(from);
  const days = calendar.lenient;
  const dueAt = addDuration(from, policy.assets[what], days);
  const { acknowledgeReminderAt, escalations } = laddersFor(policy, dueAt, dueAt, from, days);
  return { dueAt, reminderAt: acknowledgeReminderAt, escalations: escalations.acknowledge };
}
