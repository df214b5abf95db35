import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

// A receiver that is down is tried again and again, backing off to once a
// minute, for as long as it takes: a change is never dropped. The activity
// waits up to half a minute for the next change, telling Temporal it is alive.
const deliveries = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Delivers a subscription's changes one at a time, in feed order: each is
 * sent until the receiver answers 2xx, then the next. Ends when the
 * subscription is deleted.
 */
export async function webhookDeliveryWorkflow(webhookId: string): Promise<void> {
  for (;;) {
    const { state } = await deliveries.deliverNextChange(webhookId);
    if (state === 'deleted') return;
    if (workflowInfo().continueAsNewSuggested) return continueAsNew<typeof webhookDeliveryWorkflow>(webhookId);
  }
}
