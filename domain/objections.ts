/**
 * A listed person's objection (SPC listing rules, arts. 11–12) and the clocks
 * it starts: the court reviews a written application within 15 days; upheld,
 * it corrects within 3 working days; rejected, the applicant has 10 days from
 * service to apply to the court one level up for reconsideration, which
 * decides within 15 days.
 */
import { calendarDateOfDayNumber, chinaCalendarDate, chinaDateTime, dayNumber } from './china-time.js';
import type { WorkingDayArithmetic } from './calendar.js';
import { addDuration, parseDuration, subtractDuration, type Policy } from './policy.js';
import type { EscalationStep } from './tasks.js';

/** Art. 11: the listed person should not be listed (1), the recorded data is wrong (2), or it should have been deleted (3). */
export const OBJECTION_GROUNDS = ['should-not-be-listed', 'inaccurate', 'should-be-deleted'] as const;
export type ObjectionGround = (typeof OBJECTION_GROUNDS)[number];

export const OBJECTION_OUTCOMES = ['upheld', 'rejected'] as const;
export type ObjectionOutcome = (typeof OBJECTION_OUTCOMES)[number];

/** What an upheld objection on each ground leads to (art. 12 with art. 9 and art. 10). */
export const REMEDY_OF_GROUND: Record<ObjectionGround, Remedy> = {
  'should-not-be-listed': 'revocation',
  inaccurate: 'correction',
  'should-be-deleted': 'deletion',
};
export type Remedy = 'revocation' | 'correction' | 'deletion';

/**
 * under-review → upheld → remedied, or under-review → rejected →
 * (reconsidering → upheld → remedied | closed) | closed once the window passes.
 */
export const OBJECTION_STATUSES = ['under-review', 'upheld', 'rejected', 'reconsidering', 'remedied', 'closed'] as const;
export type ObjectionStatus = (typeof OBJECTION_STATUSES)[number];

/** What the court owes while an objection is open. */
export type ObjectionDuty = 'review' | 'remedy' | 'reconsideration';

/** Art. 12: the review, 15 days from receipt of the written application. */
export const OBJECTION_REVIEW_DAYS = 15;
/** Art. 12: an upheld objection is remedied within 3 working days. */
export const REMEDY_WORKING_DAYS = 3;
/** Art. 12: 10 days from service of the rejection to apply for reconsideration. */
export const RECONSIDERATION_WINDOW_DAYS = 10;
/** Art. 12: the court one level up decides within 15 days of receipt. */
export const RECONSIDERATION_DECISION_DAYS = 15;

/**
 * The end of a period of `days` calendar days starting the day after `from`
 * (Civil Procedure Law art. 85: the day a period starts is not counted; a
 * period whose last day is a statutory holiday ends on the first working day
 * after it). Ends at 24:00 China time.
 */
export function endOfStatutoryDays(from: Date, days: number, calendar: Pick<WorkingDayArithmetic, 'isWorkingDay'>): Date {
  let last = dayNumber(chinaCalendarDate(from)) + days;
  while (!calendar.isWorkingDay(chinaDateTime(calendarDateOfDayNumber(last), 12))) last += 1;
  return chinaDateTime(calendarDateOfDayNumber(last + 1), 0);
}

/** The facts of an objection its clocks depend on. */
export interface ObjectionFacts {
  status: ObjectionStatus | string;
  receivedAt: Date;
  decidedAt: Date | null;
  reconsiderationReceivedAt: Date | null;
  reconsiderationDecidedAt: Date | null;
}

/** The duty the court works against now: when it started and when it falls due. */
export interface ObjectionClock {
  duty: ObjectionDuty;
  from: Date;
  dueAt: Date;
}

export function objectionClock(objection: ObjectionFacts, calendar: WorkingDayArithmetic): ObjectionClock | null {
  switch (objection.status) {
    case 'under-review':
      return { duty: 'review', from: objection.receivedAt, dueAt: endOfStatutoryDays(objection.receivedAt, OBJECTION_REVIEW_DAYS, calendar) };
    case 'reconsidering': {
      const from = objection.reconsiderationReceivedAt!;
      return { duty: 'reconsideration', from, dueAt: endOfStatutoryDays(from, RECONSIDERATION_DECISION_DAYS, calendar) };
    }
    case 'upheld': {
      const from = objection.reconsiderationDecidedAt ?? objection.decidedAt!;
      return { duty: 'remedy', from, dueAt: calendar.addWorkingDays(from, REMEDY_WORKING_DAYS) };
    }
    default:
      return null;
  }
}

/** The last instant a rejected applicant may apply for reconsideration. */
export function reconsiderationWindowEnd(decidedAt: Date, calendar: Pick<WorkingDayArithmetic, 'isWorkingDay'>): Date {
  return endOfStatutoryDays(decidedAt, RECONSIDERATION_WINDOW_DAYS, calendar);
}

/** A reminder or an escalation step of an objection's duty, keyed so that each is taken once. */
export interface ObjectionAlarm {
  key: string;
  at: Date;
  action: { type: 'reminder' } | { type: 'escalation'; level: number; notify: EscalationStep<Date>['notify'] };
}

/**
 * The reminder before the duty falls due and the escalation steps after, as
 * the policy has them for tasks. A statutory day ends at midnight: working
 * days count from that last day, so "1 working day before" a period ending
 * with 17 November reminds on the 16th.
 */
export function objectionAlarms(clock: ObjectionClock, policy: Policy, calendar: WorkingDayArithmetic): ObjectionAlarm[] {
  const lastDay = new Date(clock.dueAt.getTime() - 1);
  const anchorFor = (duration: string) => (parseDuration(duration).kind === 'working-days' ? lastDay : clock.dueAt);
  const reminderAt = subtractDuration(anchorFor(policy.reminderBefore), policy.reminderBefore, calendar);
  const reminder: ObjectionAlarm[] =
    reminderAt.getTime() > clock.from.getTime() && reminderAt.getTime() < clock.dueAt.getTime() ? [{ key: `${clock.duty}.reminder`, at: reminderAt, action: { type: 'reminder' } }] : [];
  return [
    ...reminder,
    ...policy.escalation.map((step, index) => ({
      key: `${clock.duty}.escalation.${index + 1}`,
      at: new Date(Math.max(addDuration(anchorFor(step.after), step.after, calendar).getTime(), clock.dueAt.getTime())),
      action: { type: 'escalation' as const, level: index + 1, notify: step.notify },
    })),
  ];
}
