import { describe, expect, it } from 'vitest';
import { dueFreezeAlarms, freezeAlarms, hasEnded, nextFreezeAlarmAt } from '../../domain/freeze-alarms.js';
import { defaultPolicy } from '../../domain/policy.js';

// 2027-06-30 17:00 China time, a Wednesday: 5 working days before it is 2027-06-23; 15 before is 2027-06-08,
// since the Dragon Boat Festival (端午, 2027-06-09) is no working day.
const end = new Date('2027-06-30T09:00:00Z');
const active = { id: 'f1', status: 'active', until: end, renewalOrdered: false };

describe('freeze alarms', () => {
  it('reminds the officer 15 working days before the end, tells the office 5 before, and lapses at the end', () => {
    const alarms = freezeAlarms(active, defaultPolicy);
    expect(alarms.map((alarm) => [alarm.type, alarm.at.toISOString()])).toEqual([
      ['expiry-reminder', '2027-06-08T09:00:00.000Z'],
      ['expiry-escalation', '2027-06-23T09:00:00.000Z'],
      ['lapse', '2027-06-30T09:00:00.000Z'],
    ]);
    expect(new Set(alarms.map((alarm) => alarm.key)).size).toBe(3);
  });

  it('a renewal ordered silences the reminder and the escalation, but not the lapse', () => {
    expect(freezeAlarms({ ...active, renewalOrdered: true }, defaultPolicy).map((alarm) => alarm.type)).toEqual(['lapse']);
  });

  it('a renewed end brings alarms with keys of their own', () => {
    const renewed = freezeAlarms({ ...active, until: new Date('2028-06-30T09:00:00Z') }, defaultPolicy);
    const first = freezeAlarms(active, defaultPolicy);
    expect(renewed.map((alarm) => alarm.key).some((key) => first.some((other) => other.key === key))).toBe(false);
  });

  it('a freeze not in force has nothing to wait for', () => {
    for (const status of ['ordered', 'released', 'deducted', 'lapsed']) expect(freezeAlarms({ ...active, status }, defaultPolicy)).toEqual([]);
    expect(['released', 'deducted', 'lapsed'].every(hasEnded)).toBe(true);
    expect(hasEnded('active')).toBe(false);
  });

  it('past the end only the lapse is due; before it, the next alarm is the next to wake for', () => {
    const alarms = freezeAlarms(active, defaultPolicy);
    expect(dueFreezeAlarms(alarms, new Date('2027-07-01T00:00:00Z')).map((alarm) => alarm.type)).toEqual(['lapse']);
    expect(dueFreezeAlarms(alarms, new Date('2027-06-10T00:00:00Z')).map((alarm) => alarm.type)).toEqual(['expiry-reminder']);
    expect(nextFreezeAlarmAt(alarms, new Date('2027-06-10T00:00:00Z'))?.toISOString()).toBe('2027-06-23T09:00:00.000Z');
    expect(nextFreezeAlarmAt(alarms, new Date('2027-07-01T00:00:00Z'))).toBeNull();
  });
});
