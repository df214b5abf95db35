// The rates courts read, computed from hand-made task rows whose every figure is worked out below.
import { describe, expect, it } from 'vitest';
import { computeRates, isCounted, liftDueAt, monthOf, monthsFrom, ratesQuerySchema, type Figures, type RateTaskRow } from '../../app/rates.js';
import { chinaWorkingCalendar } from '../../domain/calendar.js';

const at = (chinaTime: string) => new Date(`${chinaTime}+08:00`);

function task(overrides: Partial<RateTaskRow> & Pick<RateTaskRow, 'departmentCode' | 'kind' | 'status' | 'createdAt'>): RateTaskRow {
  return {
    acknowledgeDueAt: at('2099-01-01T17:00'),
    completeDueAt: at('2099-01-01T17:00'),
    acknowledgedAt: null,
    completedAt: null,
    openDeadlineAt: null,
    scheduledFrom: null,
    feedbackEntries: null,
    ...overrides,
  };
}

const now = at('2026-11-20T10:00');

// D05, September (China time): A on time throughout; B late throughout; D dispatched 23:00 on 30 September
// China time (15:00 UTC) and still open; J a lift across the National Day holiday.
const A = task({ departmentCode: 'D05', kind: 'impose', status: 'completed', createdAt: at('2026-09-10T10:00'), acknowledgeDueAt: at('2026-09-11T17:00'), completeDueAt: at('2026-09-17T17:00'), acknowledgedAt: at('2026-09-10T12:00'), completedAt: at('2026-09-12T10:00'), feedbackEntries: 3 });
const B = task({ departmentCode: 'D05', kind: 'impose', status: 'verified', createdAt: at('2026-09-15T10:00'), acknowledgeDueAt: at('2026-09-16T17:00'), completeDueAt: at('2026-09-22T17:00'), acknowledgedAt: at('2026-09-16T18:00'), completedAt: at('2026-09-23T10:00') });
const D = task({ departmentCode: 'D05', kind: 'impose', status: 'acknowledged', createdAt: at('2026-09-30T23:00'), acknowledgeDueAt: at('2026-10-09T17:00'), completeDueAt: at('2026-12-01T17:00'), acknowledgedAt: at('2026-10-01T09:00'), openDeadlineAt: at('2026-12-01T17:00') });
// Decided Wednesday 30 September: 1–7 October are holidays, Saturday 10 October is a working day,
// so the third working day is 10 October; completed 11:00 that day, on time.
const J = task({ departmentCode: 'D05', kind: 'lift', status: 'completed', createdAt: at('2026-09-30T10:00'), acknowledgeDueAt: at('2026-10-08T17:00'), completeDueAt: at('2026-10-10T17:00'), acknowledgedAt: at('2026-10-08T09:00'), completedAt: at('2026-10-10T11:00'), feedbackEntries: 2 });
// Not its own: declined and reassigned to another department.
const E = task({ departmentCode: 'D05', kind: 'impose', status: 'reassigned', createdAt: at('2026-09-20T10:00') });

// D05, October: C dispatched 01:00 on 1 October China time (17:00 UTC on 30 September), never acknowledged, overdue;
// F cancelled before acknowledgment (not counted); G cancelled after it (counted); K a lift acknowledged and overdue.
const C = task({ departmentCode: 'D05', kind: 'impose', status: 'pending', createdAt: at('2026-10-01T01:00'), acknowledgeDueAt: at('2026-10-09T17:00'), completeDueAt: at('2026-10-15T17:00'), openDeadlineAt: at('2026-10-09T17:00') });
const F = task({ departmentCode: 'D05', kind: 'impose', status: 'cancelled', createdAt: at('2026-10-20T10:00') });
const G = task({ departmentCode: 'D05', kind: 'impose', status: 'cancelled', createdAt: at('2026-10-21T10:00'), acknowledgeDueAt: at('2026-10-22T17:00'), acknowledgedAt: at('2026-10-21T11:00') });
const K = task({ departmentCode: 'D05', kind: 'lift', status: 'acknowledged', createdAt: at('2026-10-30T10:00'), scheduledFrom: at('2026-10-30T10:00'), acknowledgeDueAt: at('2026-11-02T17:00'), completeDueAt: at('2026-11-04T17:00'), acknowledgedAt: at('2026-11-02T10:00'), openDeadlineAt: at('2026-11-04T17:00') });

// D05, November: two lifts of a decision on Friday 6 November, due Wednesday 11 November 17:00 (the weekend does not count).
// H completes 16:30 that day (on time); I, dispatched Monday, completes 17:30 (late for the lift, yet on time for its own deadline).
const H = task({ departmentCode: 'D05', kind: 'lift', status: 'completed', createdAt: at('2026-11-06T16:00'), scheduledFrom: at('2026-11-06T15:00'), acknowledgeDueAt: at('2026-11-09T17:00'), completeDueAt: at('2026-11-11T17:00'), acknowledgedAt: at('2026-11-09T10:00'), completedAt: at('2026-11-11T16:30'), feedbackEntries: 1 });
const I = task({ departmentCode: 'D05', kind: 'lift', status: 'completed', createdAt: at('2026-11-09T09:00'), scheduledFrom: at('2026-11-06T15:00'), acknowledgeDueAt: at('2026-11-10T17:00'), completeDueAt: at('2026-11-12T17:00'), acknowledgedAt: at('2026-11-09T10:00'), completedAt: at('2026-11-11T17:30'), feedbackEntries: 0 });

// D06: L and N in November; M dispatched in August (outside the range) and overdue now.
const L = task({ departmentCode: 'D06', kind: 'impose', status: 'completed', createdAt: at('2026-11-02T10:00'), acknowledgeDueAt: at('2026-11-03T17:00'), completeDueAt: at('2026-11-09T17:00'), acknowledgedAt: at('2026-11-02T14:00'), completedAt: at('2026-11-05T10:00'), feedbackEntries: 2 });
const M = task({ departmentCode: 'D06', kind: 'impose', status: 'pending', createdAt: at('2026-08-15T10:00'), acknowledgeDueAt: at('2026-08-17T17:00'), openDeadlineAt: at('2026-08-17T17:00') });
const N = task({ departmentCode: 'D06', kind: 'correct', status: 'completed', createdAt: at('2026-11-03T10:00'), acknowledgeDueAt: at('2026-11-04T17:00'), completeDueAt: at('2026-11-06T17:00'), acknowledgedAt: at('2026-11-03T11:00'), completedAt: at('2026-11-04T10:00') });

const rows = [A, B, C, D, E, F, G, H, I, J, K, L, M, N];
const months = ['2026-09', '2026-10', '2026-11'];
const report = computeRates(rows, { months, departments: ['D07', 'D05', 'D06'], now, calendar: chinaWorkingCalendar });

const rate = (numerator: number, denominator: number, value: number | null) => ({ rate: value, numerator, denominator });
const nothing: Figures = {
  dispatched: 0,
  responseRate: rate(0, 0, null),
  feedbackRate: rate(0, 0, null),
  completionOnTimeRate: rate(0, 0, null),
  liftOnTimeRate: rate(0, 0, null),
  medianHoursToAcknowledge: null,
  medianHoursToComplete: null,
  open: 0,
  overdue: 0,
};

const departmentOf = (code: string) => report.departments.find((row) => row.departmentCode === code)!;
const monthOfDepartment = (code: string, month: string) => departmentOf(code).months.find((row) => row.month === month)!;

describe('which tasks count, and when', () => {
  it('leaves out reassigned tasks and tasks cancelled before acknowledgment', () => {
    expect([E, F, G, C].map(isCounted)).toEqual([false, false, true, true]);
  });

  it('files a task under its month of dispatch in China time', () => {
    expect(C.createdAt.toISOString()).toBe('2026-09-30T17:00:00.000Z');
    expect(monthOf(C.createdAt)).toBe('2026-10');
    expect(D.createdAt.toISOString()).toBe('2026-09-30T15:00:00.000Z');
    expect(monthOf(D.createdAt)).toBe('2026-09');
    expect(monthsFrom('2025-11', '2026-02')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
  });

  it("counts a lift's three working days from the court's decision, over weekends and holidays", () => {
    expect(liftDueAt(H, chinaWorkingCalendar.lenient)).toEqual(at('2026-11-11T17:00'));
    expect(liftDueAt(I, chinaWorkingCalendar.lenient)).toEqual(at('2026-11-11T17:00'));
    // Without a decision, from the dispatch: 30 September → 8, 9 and (a working Saturday) 10 October.
    expect(liftDueAt(J, chinaWorkingCalendar.lenient)).toEqual(at('2026-10-10T17:00'));
  });
});

describe('rates of one department', () => {
  it('September: impose, lift and all kinds', () => {
    const september = monthOfDepartment('D05', '2026-09');
    expect(september.impose).toEqual({
      dispatched: 3,
      responseRate: rate(2, 3, 0.6667),
      feedbackRate: rate(1, 2, 0.5),
      completionOnTimeRate: rate(1, 3, 0.3333),
      liftOnTimeRate: rate(0, 0, null),
      medianHoursToAcknowledge: 10,
      medianHoursToComplete: 120,
      open: 1,
      overdue: 0,
    });
    expect(september.lift).toEqual({
      dispatched: 1,
      responseRate: rate(1, 1, 1),
      feedbackRate: rate(1, 1, 1),
      completionOnTimeRate: rate(1, 1, 1),
      liftOnTimeRate: rate(1, 1, 1),
      medianHoursToAcknowledge: 191,
      medianHoursToComplete: 241,
      open: 0,
      overdue: 0,
    });
    expect(september.correct).toEqual(nothing);
    expect(september.all).toEqual({
      dispatched: 4,
      responseRate: rate(3, 4, 0.75),
      feedbackRate: rate(2, 3, 0.6667),
      completionOnTimeRate: rate(2, 4, 0.5),
      liftOnTimeRate: rate(1, 1, 1),
      medianHoursToAcknowledge: 21,
      medianHoursToComplete: 192,
      open: 1,
      overdue: 0,
    });
  });

  it('October: the task dispatched after midnight China time is here, the cancelled ones as acknowledged or not', () => {
    const october = monthOfDepartment('D05', '2026-10');
    expect(october.impose).toEqual({
      dispatched: 2,
      responseRate: rate(1, 2, 0.5),
      feedbackRate: rate(0, 0, null),
      completionOnTimeRate: rate(0, 2, 0),
      liftOnTimeRate: rate(0, 0, null),
      medianHoursToAcknowledge: 1,
      medianHoursToComplete: null,
      open: 1,
      overdue: 1,
    });
    expect(october.lift).toEqual({
      dispatched: 1,
      responseRate: rate(1, 1, 1),
      feedbackRate: rate(0, 0, null),
      completionOnTimeRate: rate(0, 1, 0),
      liftOnTimeRate: rate(0, 1, 0),
      medianHoursToAcknowledge: 72,
      medianHoursToComplete: null,
      open: 1,
      overdue: 1,
    });
    expect(october.all).toMatchObject({ dispatched: 3, responseRate: rate(2, 3, 0.6667), completionOnTimeRate: rate(0, 3, 0), medianHoursToAcknowledge: 36.5, open: 2, overdue: 2 });
  });

  it('November: a lift on time at 16:30 on the third working day, one late at 17:30; empty feedback is no feedback', () => {
    const november = monthOfDepartment('D05', '2026-11');
    expect(november.impose).toEqual(nothing);
    expect(november.lift).toEqual({
      dispatched: 2,
      responseRate: rate(2, 2, 1),
      feedbackRate: rate(1, 2, 0.5),
      completionOnTimeRate: rate(2, 2, 1),
      liftOnTimeRate: rate(1, 2, 0.5),
      medianHoursToAcknowledge: 33.5,
      medianHoursToComplete: 88.5,
      open: 0,
      overdue: 0,
    });
    expect(november.all).toEqual(november.lift);
  });

  it('over the range, and what is open now', () => {
    const d05 = departmentOf('D05');
    expect(d05.now).toEqual({ open: 3, overdue: 2 });
    expect(d05.total.impose).toEqual({
      dispatched: 5,
      responseRate: rate(3, 5, 0.6),
      feedbackRate: rate(1, 2, 0.5),
      completionOnTimeRate: rate(1, 5, 0.2),
      liftOnTimeRate: rate(0, 0, null),
      medianHoursToAcknowledge: 6,
      medianHoursToComplete: 120,
      open: 2,
      overdue: 1,
    });
    expect(d05.total.lift).toEqual({
      dispatched: 4,
      responseRate: rate(4, 4, 1),
      feedbackRate: rate(2, 3, 0.6667),
      completionOnTimeRate: rate(3, 4, 0.75),
      liftOnTimeRate: rate(2, 4, 0.5),
      medianHoursToAcknowledge: 69,
      medianHoursToComplete: 120.5,
      open: 1,
      overdue: 1,
    });
    expect(d05.total.all).toEqual({
      dispatched: 9,
      responseRate: rate(7, 9, 0.7778),
      feedbackRate: rate(3, 5, 0.6),
      completionOnTimeRate: rate(4, 9, 0.4444),
      liftOnTimeRate: rate(2, 4, 0.5),
      medianHoursToAcknowledge: 21,
      medianHoursToComplete: 120.5,
      open: 3,
      overdue: 2,
    });
  });
});

describe('every department', () => {
  it('reports each department asked for, by code, a department without tasks as nothing', () => {
    expect(report).toMatchObject({ from: '2026-09', to: '2026-11', months, asOf: '2026-11-20T02:00:00.000Z' });
    expect(report.departments.map((row) => row.departmentCode)).toEqual(['D05', 'D06', 'D07']);
    const d07 = departmentOf('D07');
    expect(d07.now).toEqual({ open: 0, overdue: 0 });
    expect(d07.total.all).toEqual(nothing);
    expect(d07.months.map((row) => row.all)).toEqual([nothing, nothing, nothing]);
  });

  it('counts a task dispatched before the range only as open now; corrections as a kind of their own', () => {
    const d06 = departmentOf('D06');
    expect(d06.now).toEqual({ open: 1, overdue: 1 });
    expect(d06.total.impose).toEqual({ ...nothing, dispatched: 1, responseRate: rate(1, 1, 1), feedbackRate: rate(1, 1, 1), completionOnTimeRate: rate(1, 1, 1), medianHoursToAcknowledge: 4, medianHoursToComplete: 72 });
    expect(d06.total.correct).toEqual({ ...nothing, dispatched: 1, responseRate: rate(1, 1, 1), feedbackRate: rate(0, 1, 0), completionOnTimeRate: rate(1, 1, 1), medianHoursToAcknowledge: 1, medianHoursToComplete: 24 });
    expect(d06.total.all).toEqual({ ...nothing, dispatched: 2, responseRate: rate(2, 2, 1), feedbackRate: rate(1, 2, 0.5), completionOnTimeRate: rate(2, 2, 1), medianHoursToAcknowledge: 2.5, medianHoursToComplete: 48 });
    expect(d06.months.map((row) => row.all.dispatched)).toEqual([0, 0, 2]);
  });

  it('all departments together', () => {
    expect(report.overall.now).toEqual({ open: 4, overdue: 3 });
    expect(report.overall.total.all).toEqual({
      dispatched: 11,
      responseRate: rate(9, 11, 0.8182),
      feedbackRate: rate(4, 7, 0.5714),
      completionOnTimeRate: rate(6, 11, 0.5455),
      liftOnTimeRate: rate(2, 4, 0.5),
      medianHoursToAcknowledge: 7,
      medianHoursToComplete: 72,
      open: 3,
      overdue: 2,
    });
    expect(report.overall.months.map((row) => row.all.dispatched)).toEqual([4, 3, 4]);
    expect(report.overall.months[2]!.all).toMatchObject({ responseRate: rate(4, 4, 1), feedbackRate: rate(2, 4, 0.5), liftOnTimeRate: rate(1, 2, 0.5), medianHoursToAcknowledge: 2.5, medianHoursToComplete: 64.25 });
  });
});

describe('the query', () => {
  const fieldsOf = (query: unknown) => {
    const parsed = ratesQuerySchema.safeParse(query);
    return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.'));
  };

  it('takes months written YYYY-MM, in order, and refuses anything else', () => {
    expect(fieldsOf({ from: '2026-06', to: '2026-11', departmentCode: 'D05' })).toEqual([]);
    expect(fieldsOf({})).toEqual([]);
    expect(fieldsOf({ from: '2026-13' })).toEqual(['from']);
    expect(fieldsOf({ to: '2026-1' })).toEqual(['to']);
    expect(fieldsOf({ from: '2026-11', to: '2026-06' })).toEqual(['to']);
    expect(fieldsOf({ month: '2026-11' })).toEqual(['']);
  });
});
