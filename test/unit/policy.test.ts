import { describe, expect, it } from 'vitest';
import { isWorkingDay } from '../../domain/calendar.js';
import {
  addDuration, defaultPolicy, freshDeadline, parseDuration, parsePolicy, rescheduledTask, subtractDuration, taskSchedule, type Policy,
} from '../../domain/policy.js';

const cst = (local: string) => new Date(`${local}+08:00`);

/** The policy file exactly as API.md documents it. */
const documentedPolicy = {
  impose: { acknowledge: '2bd', complete: '5bd' },
  lift: { acknowledge: '1bd', complete: '3bd' },
  correct: { acknowledge: '1bd', complete: '3bd' },
  escalation: [
    { after: 'PT0S', notify: 'department-supervisor' },
    { after: '2bd', notify: 'coordinating-office' },
  ],
  reminderBefore: '1bd',
  assets: { answer: '3bd', confirm: '1bd', freezeReminderBefore: '15bd', freezeEscalateBefore: '5bd' },
  feedbackRequired: false,
  verificationRequired: false,
};

function policyError(json: unknown): string {
  try {
    parsePolicy(json);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the policy to be rejected');
}

describe('parseDuration', () => {
  it.each([
    ['2bd', { kind: 'working-days', days: 2 }],
    ['0bd', { kind: 'working-days', days: 0 }],
    ['PT0S', { kind: 'wall-clock', ms: 0 }],
    ['PT5S', { kind: 'wall-clock', ms: 5_000 }],
    ['PT0.25S', { kind: 'wall-clock', ms: 250 }],
    ['PT1H30M', { kind: 'wall-clock', ms: 5_400_000 }],
    ['P1D', { kind: 'wall-clock', ms: 86_400_000 }],
    ['P1W', { kind: 'wall-clock', ms: 604_800_000 }],
    ['P1DT2H', { kind: 'wall-clock', ms: 93_600_000 }],
  ])('reads %s', (text, expected) => {
    expect(parseDuration(text)).toEqual(expected);
  });

  it.each(['', '2', 'bd', '-1bd', '2 bd', '2BD', '1.5bd', 'P', 'PT', 'P1DT', 'pt5s', '-PT5S', 'xPT5S', 'PT5Sx', 'PT5S5'])(
    'rejects %j',
    (text) => {
      expect(() => parseDuration(text)).toThrow(/is not a duration/);
    },
  );

  it('rejects years and months, which have no fixed length', () => {
    expect(() => parseDuration('P1Y')).toThrow(/years or months/);
    expect(() => parseDuration('P2M')).toThrow(/years or months/);
    expect(parseDuration('PT2M')).toEqual({ kind: 'wall-clock', ms: 120_000 });
  });
});

describe('addDuration and subtractDuration', () => {
  it('moves wall-clock durations exactly and working days to 17:00 China time', () => {
    const at = new Date('2026-02-15T03:04:05.678Z');
    expect(addDuration(at, 'PT1H30M')).toEqual(new Date('2026-02-15T04:34:05.678Z'));
    expect(subtractDuration(at, parseDuration('PT5S'))).toEqual(new Date('2026-02-15T03:04:00.678Z'));
    expect(addDuration(at, '1bd')).toEqual(cst('2026-02-24T17:00:00'));
    expect(subtractDuration(at, '1bd')).toEqual(cst('2026-02-14T17:00:00'));
  });
});

describe('parsePolicy', () => {
  it('has the documented default', () => {
    expect(defaultPolicy).toEqual(documentedPolicy);
    expect(parsePolicy(documentedPolicy)).toEqual(defaultPolicy);
  });

  it('fills omitted fields from the default', () => {
    expect(parsePolicy({})).toEqual(defaultPolicy);
    expect(parsePolicy({ impose: { complete: 'PT30S' }, escalation: [] })).toEqual({
      ...defaultPolicy,
      impose: { acknowledge: '2bd', complete: 'PT30S' },
      escalation: [],
    });
  });

  it('names the field of each invalid duration', () => {
    const message = policyError({
      impose: { acknowledge: '2x' },
      lift: { complete: 'PT0S' },
      escalation: [{ after: 'PT0S', notify: 'department-supervisor' }, { after: 'P1M', notify: 'coordinating-office' }],
      reminderBefore: '-1bd',
    });
    expect(message).toMatch(/^invalid policy:/);
    expect(message).toMatch(/"2x" is not a duration[\s\S]*at impose\.acknowledge/);
    expect(message).toMatch(/cannot be zero[\s\S]*at lift\.complete/);
    expect(message).toMatch(/"P1M" uses years or months[\s\S]*at escalation\[1\]\.after/);
    expect(message).toMatch(/"-1bd" is not a duration[\s\S]*at reminderBefore/);
  });

  it('rejects an unknown escalation target, misspelled keys and non-objects', () => {
    expect(policyError({ escalation: [{ after: 'PT0S', notify: 'minister' }] })).toMatch(/escalation\[0\]\.notify/);
    expect(policyError({ reminderbefore: '1bd' })).toMatch(/reminderbefore/);
    expect(policyError({ impose: { acknowlege: '1bd' } })).toMatch(/acknowlege/);
    expect(policyError('2bd')).toMatch(/invalid policy/);
  });
});

describe('taskSchedule', () => {
  it('falls due exactly when ISO durations expire', () => {
    const policy = parsePolicy({
      impose: { acknowledge: 'PT10S', complete: 'PT30S' },
      escalation: [
        { after: 'PT0S', notify: 'department-supervisor' },
        { after: 'PT5S', notify: 'coordinating-office' },
      ],
      reminderBefore: 'PT15S',
    });
    const dispatchedAt = new Date('2026-02-15T03:04:05.678Z'); // a holiday Sunday: wall clock ignores it
    const at = (seconds: number) => new Date(dispatchedAt.getTime() + seconds * 1000);
    expect(taskSchedule(policy, 'impose', dispatchedAt)).toEqual({
      acknowledgeDueAt: at(10),
      // Wall-clock durations need no calendar.
      basis: 'certain',
      completeDueAt: at(30),
      acknowledgeReminderAt: null,
      completeReminderAt: at(15),
      escalations: {
        acknowledge: [
          { level: 1, at: at(10), notify: 'department-supervisor' },
          { level: 2, at: at(15), notify: 'coordinating-office' },
        ],
        complete: [
          { level: 1, at: at(30), notify: 'department-supervisor' },
          { level: 2, at: at(35), notify: 'coordinating-office' },
        ],
      },
    });
  });

  it('schedules the default impose phase across the Spring Festival', () => {
    const schedule = taskSchedule(defaultPolicy, 'impose', cst('2026-02-13T10:00:00'));
    expect(schedule.acknowledgeDueAt).toEqual(cst('2026-02-24T17:00:00'));
    expect(schedule.completeDueAt).toEqual(cst('2026-02-27T17:00:00'));
    expect(schedule.acknowledgeReminderAt).toEqual(cst('2026-02-14T17:00:00'));
    expect(schedule.completeReminderAt).toEqual(cst('2026-02-26T17:00:00'));
    expect(schedule.escalations.acknowledge).toEqual([
      { level: 1, at: cst('2026-02-24T17:00:00'), notify: 'department-supervisor' },
      { level: 2, at: cst('2026-02-26T17:00:00'), notify: 'coordinating-office' },
    ]);
    expect(schedule.escalations.complete[1]).toEqual({ level: 2, at: cst('2026-03-02T17:00:00'), notify: 'coordinating-office' });
  });

  it('uses the lift deadlines for the lift phase and drops a reminder that falls before dispatch', () => {
    const schedule = taskSchedule(defaultPolicy, 'lift', cst('2026-09-30T18:00:00'));
    expect(schedule.acknowledgeDueAt).toEqual(cst('2026-10-08T17:00:00'));
    expect(schedule.acknowledgeReminderAt).toBeNull(); // 09-30 17:00 is before dispatch
    expect(schedule.completeDueAt).toEqual(cst('2026-10-10T17:00:00'));
    expect(schedule.completeReminderAt).toEqual(cst('2026-10-09T17:00:00'));
  });

  it('drops reminders when reminderBefore is zero', () => {
    const policy: Policy = { ...defaultPolicy, reminderBefore: '0bd' };
    const schedule = taskSchedule(policy, 'impose', cst('2026-03-02T10:00:00'));
    expect([schedule.acknowledgeReminderAt, schedule.completeReminderAt]).toEqual([null, null]);
  });

  it('puts every working-day instant at 17:00 China time on a working day', () => {
    for (let t = Date.parse('2026-01-01T00:00:00Z'); t < Date.parse('2026-12-15T00:00:00Z'); t += 11 * 3_600_000) {
      for (const phase of ['impose', 'lift'] as const) {
        const schedule = taskSchedule(defaultPolicy, phase, new Date(t));
        const instants = [
          schedule.acknowledgeDueAt, schedule.completeDueAt, schedule.acknowledgeReminderAt, schedule.completeReminderAt,
          ...schedule.escalations.acknowledge.map((step) => step.at), ...schedule.escalations.complete.map((step) => step.at),
        ].filter((instant): instant is Date => instant !== null);
        for (const instant of instants) {
          expect(isWorkingDay(instant)).toBe(true);
          expect(instant.toISOString().slice(11)).toBe('09:00:00.000Z');
        }
        expect(schedule.acknowledgeDueAt.getTime()).toBeGreaterThan(t);
        expect(schedule.completeDueAt.getTime()).toBeGreaterThan(schedule.acknowledgeDueAt.getTime());
      }
    }
  });
});

describe('moving a deadline', () => {
  const policy = parsePolicy({ escalation: [{ after: 'PT0S', notify: 'department-supervisor' }, { after: '2bd', notify: 'coordinating-office' }], reminderBefore: '1bd' });
  const dispatched = new Date('2026-12-01T02:00:00Z');
  const schedule = taskSchedule(policy, 'impose', dispatched);

  it('moves the acknowledgment deadline with its reminder and ladder, and the completion deadline as far', () => {
    const until = new Date('2026-12-10T09:00:00Z');
    const moved = rescheduledTask(policy, schedule, 'acknowledge', until, dispatched);
    expect(moved.acknowledgeDueAt).toEqual(until);
    expect(moved.completeDueAt.getTime() - schedule.completeDueAt.getTime()).toBe(until.getTime() - schedule.acknowledgeDueAt.getTime());
    expect(moved.acknowledgeReminderAt).toEqual(new Date('2026-12-09T09:00:00Z'));
    expect(moved.escalations.acknowledge.map((step) => step.at)).toEqual([until, new Date('2026-12-14T09:00:00Z')]);
  });

  it('moves only the completion deadline when that is the one open; a reminder already past is dropped', () => {
    const until = new Date('2026-12-04T09:00:00Z');
    const moved = rescheduledTask(policy, schedule, 'complete', until, new Date('2026-12-03T12:00:00Z'));
    expect(moved.acknowledgeDueAt).toEqual(schedule.acknowledgeDueAt);
    expect(moved.completeDueAt).toEqual(until);
    expect(moved.completeReminderAt).toBeNull();
  });

  it('counts a fresh deadline from the return as the policy counts it from dispatch', () => {
    expect(freshDeadline(policy, 'impose', 'acknowledge', dispatched)).toEqual(schedule.acknowledgeDueAt);
  });
});
