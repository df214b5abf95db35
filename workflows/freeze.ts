import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { freezeChangedSignal } from './messages.js';

// Notices, reminders and escalations are mail: retried for as long as an outage lasts.
const freezes = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** Without news and without an alarm due, the freeze is read again once a week. */
const RECHECK_MS = 7 * 24 * 3600 * 1000;

/**
 * Follows one freeze from its order to its end (网络执行查控): the
 * institution's confirmation of each control order against its deadline, and,
 * once the freeze is in force, its expiry: the officer is reminded, the
 * coordinating office hears when no renewal has been ordered in time, and an
 * unrenewed freeze lapses at its end, recorded. The wait for the end is a
 * durable timer: a freeze of three years survives every restart. The database
 * holds the facts; each turn the activity reads them, takes what is due and
 * says when to look again; a signal says the facts changed (an order, a
 * confirmation).
 */
export async function freezeWorkflow(freezeId: string): Promise<void> {
  let changed = false;
  setHandler(freezeChangedSignal, () => {
    changed = true;
  });
  for (;;) {
    changed = false;
    const { open, wakeAt } = await freezes.followFreeze({ freezeId });
    if (!open && !changed) return;
    const untilAlarm = wakeAt === null ? RECHECK_MS : Math.max(Date.parse(wakeAt) - Date.now(), 1);
    await condition(() => changed, Math.min(untilAlarm, RECHECK_MS));
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof freezeWorkflow>(freezeId);
  }
}
