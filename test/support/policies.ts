import { parsePolicy } from '../../domain/policy.js';

/** Deadlines far enough away that nothing is reminded or escalated during a test. */
export const calmPolicy = parsePolicy({
  impose: { acknowledge: 'PT1H', complete: 'PT2H' },
  lift: { acknowledge: 'PT1H', complete: 'PT2H' },
  escalation: [{ after: 'PT0S', notify: 'department-supervisor' }],
  reminderBefore: 'PT10M',
});

const seconds = (n: number) => `PT${n}S`;

/**
 * A wall-clock policy measured in seconds, with the usual two-step ladder:
 * the department supervisor at the missed deadline, the coordinating office
 * `officeAfter` seconds later. Deadline tests differ only in these numbers.
 */
export function secondsPolicy(options: {
  acknowledge: number;
  complete: number;
  lift?: { acknowledge: number; complete: number };
  officeAfter: number;
  reminderBefore: number;
}) {
  const lift = options.lift ?? { acknowledge: options.acknowledge, complete: options.complete };
  return parsePolicy({
    impose: { acknowledge: seconds(options.acknowledge), complete: seconds(options.complete) },
    lift: { acknowledge: seconds(lift.acknowledge), complete: seconds(lift.complete) },
    escalation: [
      { after: 'PT0S', notify: 'department-supervisor' },
      { after: seconds(options.officeAfter), notify: 'coordinating-office' },
    ],
    reminderBefore: seconds(options.reminderBefore),
  });
}
