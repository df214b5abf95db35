import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { objectionChangedSignal } from './messages.js';

// Reminders and escalations are mail: retried for as long as an outage lasts.
const objections = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** Without news and without an alarm due, the objection is read again once a day. */
const RECHECK_MS = 24 * 3600 * 1000;

/**
 * Follows one objection's deadlines (arts. 11–12): the review, the remedy
 * of an upheld objection, the window for reconsideration and the higher
 * court's decision. The database holds the facts; each turn the activity
 * reads them, takes the reminders and escalations due, and says when to look
 * again. A signal says the facts changed.
 */
export async function objectionWorkflow(objectionId: string): Promise<void> {
  let changed = false;
  setHandler(objectionChangedSignal, () => {
    changed = true;
  });
  for (;;) {
    changed = false;
    const { open, wakeAt } = await objections.followObjection({ objectionId });
    // News that came while the facts were being read (an application for reconsideration
    // as the window closed) is read again: it may have reopened what the turn closed.
    if (!open && !changed) return;
    const untilAlarm = wakeAt === null ? RECHECK_MS : Math.max(Date.parse(wakeAt) - Date.now(), 1);
    await condition(() => changed, Math.min(untilAlarm, RECHECK_MS));
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof objectionWorkflow>(objectionId);
  }
}
