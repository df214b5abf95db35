import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';

/** Read-model writes: short, retried until the database answers. */
export const records = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

// Mail is retried for as long as it takes: an SMTP outage delays a notice, it
// never drops one. The Message-ID is fixed per task and notice, so a retry
// after an ambiguous failure is the same message again, not a new one.
export const mail = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});
