/**
 * What a freeze waits for once it is in force: the officer's reminder before
 * it expires, the coordinating office's escalation when no renewal has been
 * ordered closer to the end, and the end itself, when an unrenewed freeze
 * lapses and the debtor could withdraw the money. Pure: the activity that
 * follows a freeze takes what is due; unit tests take it apart.
 */
import { chinaWorkingCalendar, type WorkingCalendar } from './calendar.js';
import { subtractDuration, type Policy } from './policy.js';

export const FREEZE_STATUSES = ['ordered', 'active', 'released', 'deducted', 'lapsed'] as const;
export type FreezeStatus = (typeof FREEZE_STATUSES)[number];

/** A freeze that has ended changes no more: it was released, deducted in full, or lapsed. */
export const hasEnded = (status: string): boolean => status === 'released' || status === 'deducted' || status === 'lapsed';

export type FreezeAlarmType = 'expiry-reminder' | 'expiry-escalation' | 'lapse';

export interface FreezeAlarm {
  /** The notification key: one per freeze, end and step, so a renewal brings fresh alarms for its new end. */
  key: string;
  type: FreezeAlarmType;
  at: Date;
}

export interface FreezeClock {
  id: string;
  status: string;
  until: Date;
  /** A renewal ordered and not yet confirmed: the officer did what the reminder asks. */
  renewalOrdered: boolean;
}

export function freezeAlarms(freeze: FreezeClock, policy: Policy, calendar: WorkingCalendar = chinaWorkingCalendar): FreezeAlarm[] {
  if (freeze.status !== 'active') return [];
  const end = freeze.until;
  const prefix = `freeze.${freeze.id}.${end.getTime()}`;
  const alarms: FreezeAlarm[] = [];
  if (!freeze.renewalOrdered) {
    alarms.push({ key: `${prefix}.expiry-reminder`, type: 'expiry-reminder', at: subtractDuration(end, policy.assets.freezeReminderBefore, calendar.lenient) });
    alarms.push({ key: `${prefix}.expiry-escalation`, type: 'expiry-escalation', at: subtractDuration(end, policy.assets.freezeEscalateBefore, calendar.lenient) });
  }
  // A renewal must take effect before the end: one still unconfirmed then does not save the freeze.
  alarms.push({ key: `${prefix}.lapse`, type: 'lapse', at: end });
  return alarms.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** Alarms due at `now`; a reminder or escalation whose end has passed is left to the lapse. */
export function dueFreezeAlarms(alarms: FreezeAlarm[], now: Date): FreezeAlarm[] {
  const lapse = alarms.find((alarm) => alarm.type === 'lapse');
  const lapsed = lapse !== undefined && lapse.at.getTime() <= now.getTime();
  return alarms.filter((alarm) => alarm.at.getTime() <= now.getTime() && (alarm.type === 'lapse' || !lapsed));
}

export function nextFreezeAlarmAt(alarms: FreezeAlarm[], now: Date): Date | null {
  return alarms.find((alarm) => alarm.at.getTime() > now.getTime())?.at ?? null;
}
