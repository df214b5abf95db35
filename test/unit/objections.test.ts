// The clocks of an objection (SPC listing rules 2017, arts. 11–12), counted as
// the Civil Procedure Law counts periods (art. 85): the day a period starts is
// not counted, and a period ending on a day off ends on the next working day.
import { describe, expect, it } from 'vitest';
import { chinaWorkingCalendar } from '../../domain/calendar.js';
import { defaultPolicy, parsePolicy } from '../../domain/policy.js';
import { endOfStatutoryDays, objectionAlarms, objectionClock, reconsiderationWindowEnd } from '../../domain/objections.js';

const china = (text: string) => new Date(`${text}+08:00`);
const facts = { decidedAt: null, reconsiderationReceivedAt: null, reconsiderationDecidedAt: null };

describe('art. 12: the review is due 15 days after the written application is received', () => {
  it('counts from the day after receipt and ends at midnight of the 15th day', () => {
    const clock = objectionClock({ ...facts, status: 'under-review', receivedAt: china('2026-11-02T15:30:00') }, chinaWorkingCalendar);
    expect(clock).toEqual({ duty: 'review', from: china('2026-11-02T15:30:00'), dueAt: china('2026-11-18T00:00:00') });
  });

  it('a 15th day on a weekend moves to the Monday (Civil Procedure Law art. 85)', () => {
    expect(endOfStatutoryDays(china('2026-11-06T10:00:00'), 15, chinaWorkingCalendar)).toEqual(china('2026-11-24T00:00:00'));
  });

  it('a 15th day in the National Day holiday moves to the first working day after it', () => {
    expect(endOfStatutoryDays(china('2026-09-18T10:00:00'), 15, chinaWorkingCalendar)).toEqual(china('2026-10-09T00:00:00'));
  });
});

describe('art. 12: an upheld objection is remedied within 3 working days', () => {
  it('counts working days on the holiday calendar, the adjusted Saturday included', () => {
    const clock = objectionClock({ ...facts, status: 'upheld', receivedAt: china('2026-09-20T09:00:00'), decidedAt: china('2026-09-30T11:00:00') }, chinaWorkingCalendar);
    expect(clock).toEqual({ duty: 'remedy', from: china('2026-09-30T11:00:00'), dueAt: china('2026-10-10T17:00:00') });
  });

  it('after a reconsideration upheld, from the higher court’s decision', () => {
    const clock = objectionClock(
      { status: 'upheld', receivedAt: china('2026-10-12T09:00:00'), decidedAt: china('2026-10-20T09:00:00'), reconsiderationReceivedAt: china('2026-10-22T09:00:00'), reconsiderationDecidedAt: china('2026-11-02T09:00:00') },
      chinaWorkingCalendar,
    );
    expect(clock?.dueAt).toEqual(china('2026-11-05T17:00:00'));
  });
});

describe('art. 12: reconsideration', () => {
  it('may be applied for until the end of the 10th day after the rejection', () => {
    expect(reconsiderationWindowEnd(china('2026-12-01T16:00:00'), chinaWorkingCalendar)).toEqual(china('2026-12-12T00:00:00'));
  });

  it('is decided within 15 days of the application; a rejection or a remedy done owes nothing', () => {
    const reconsidering = { status: 'reconsidering', receivedAt: china('2026-11-02T09:00:00'), decidedAt: china('2026-11-10T09:00:00'), reconsiderationReceivedAt: china('2026-11-12T09:00:00'), reconsiderationDecidedAt: null };
    expect(objectionClock(reconsidering, chinaWorkingCalendar)).toEqual({ duty: 'reconsideration', from: china('2026-11-12T09:00:00'), dueAt: china('2026-11-28T00:00:00') });
    for (const status of ['rejected', 'remedied', 'closed']) expect(objectionClock({ ...reconsidering, status }, chinaWorkingCalendar)).toBeNull();
  });
});

describe('reminders and escalations of an objection follow the policy of tasks', () => {
  it('a reminder before the deadline, then each escalation step after it', () => {
    const clock = { duty: 'review' as const, from: china('2026-11-02T15:30:00'), dueAt: china('2026-11-18T00:00:00') };
    const alarms = objectionAlarms(clock, defaultPolicy, chinaWorkingCalendar);
    expect(alarms.map((alarm) => [alarm.key, alarm.at.toISOString()])).toEqual([
      ['review.reminder', china('2026-11-16T17:00:00').toISOString()],
      ['review.escalation.1', clock.dueAt.toISOString()],
      ['review.escalation.2', china('2026-11-19T17:00:00').toISOString()],
    ]);
  });

  it('no reminder when there is no time left to remind', () => {
    const clock = { duty: 'remedy' as const, from: china('2026-11-02T09:00:00'), dueAt: china('2026-11-02T09:00:10') };
    const policy = parsePolicy({ escalation: [{ after: 'PT0S', notify: 'coordinating-office' }], reminderBefore: 'PT1M' });
    expect(objectionAlarms(clock, policy, chinaWorkingCalendar).map((alarm) => alarm.key)).toEqual(['remedy.escalation.1']);
  });
});
