import { parsePolicy } from '../../domain/policy.js';

/** Deadlines far enough away that nothing is reminded or escalated during a test. */
export const calmPolicy = parsePolicy({
  impose: { acknowledge: 'PT1H', complete: 'PT2H' },
  lift: { acknowledge: 'PT1H', complete: 'PT2H' },
  escalation: [{ after: 'PT0S', notify: 'department-supervisor' }],
  reminderBefore: 'PT10M',
});
