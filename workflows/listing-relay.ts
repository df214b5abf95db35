import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

// The schedule runs this again soon; a run that fails is not retried for long.
const relay = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumAttempts: 3 },
});

/**
 * Run by a Temporal schedule: starts the workflow of every listing or import
 * that was recorded but whose workflow never started (the process stopped
 * between the two, or Temporal was away).
 */
export async function listingRelayWorkflow(): Promise<{ listings: number; imports: number }> {
  return relay.startMissingWorkflows();
}
