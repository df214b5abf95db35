import { describe, expect, it } from 'vitest';
import { dueAlarms, nextAlarmAt } from '../../workflows/coordination/alarms.js';
import type { TrackedTask } from '../../workflows/types.js';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 5, 1, 0, seconds)).toISOString();
const ms = (seconds: number) => Date.parse(at(seconds));

function task(overrides: Partial<TrackedTask> = {}): TrackedTask {
  return {
    taskId: 't1',
    departmentCode: 'D05',
    measures: ['M01'],
    kind: 'impose',
    status: 'pending',
    escalationLevel: 0,
    alarmsTaken: [],
    schedule: {
      acknowledgeDueAt: at(10),
      completeDueAt: at(30),
      acknowledgeReminderAt: at(8),
      completeReminderAt: at(28),
      escalations: {
        acknowledge: [
          { level: 1, at: at(10), notify: 'department-supervisor' },
          { level: 2, at: at(12), notify: 'coordinating-office' },
        ],
        complete: [
          { level: 1, at: at(30), notify: 'department-supervisor' },
          { level: 2, at: at(32), notify: 'coordinating-office' },
        ],
      },
    },
    ...overrides,
  };
}

describe('alarms', () => {
  it('a pending task is reminded, then escalates on both deadlines in order', () => {
    expect(nextAlarmAt([task()])).toBe(ms(8));
    expect(dueAlarms([task()], ms(7))).toEqual([]);
    expect(dueAlarms([task()], ms(12)).map((a) => a.key)).toEqual(['reminder:acknowledge', 'escalation:acknowledge:1', 'escalation:acknowledge:2']);
  });

  it('each alarm is taken once', () => {
    const taken = task({ alarmsTaken: ['reminder:acknowledge', 'escalation:acknowledge:1'] });
    expect(dueAlarms([taken], ms(12)).map((a) => a.key)).toEqual(['escalation:acknowledge:2']);
    expect(nextAlarmAt([taken])).toBe(ms(12));
  });

  it('an acknowledged task only follows its completion deadline', () => {
    const acknowledged = task({ status: 'acknowledged' });
    expect(dueAlarms([acknowledged], ms(20))).toEqual([]);
    expect(nextAlarmAt([acknowledged])).toBe(ms(28));
    expect(dueAlarms([acknowledged], ms(40)).map((a) => a.key)).toEqual(['reminder:complete', 'escalation:complete:1', 'escalation:complete:2']);
  });

  it('completed and cancelled tasks wait for nothing', () => {
    expect(nextAlarmAt([task({ status: 'completed' }), task({ status: 'cancelled', taskId: 't2' })])).toBeNull();
    expect(dueAlarms([task({ status: 'completed' })], ms(100))).toEqual([]);
  });

  it('a task without reminders (none fit before the deadline) still escalates', () => {
    const noReminders = task({ schedule: { ...task().schedule, acknowledgeReminderAt: null, completeReminderAt: null } });
    expect(nextAlarmAt([noReminders])).toBe(ms(10));
  });
});
