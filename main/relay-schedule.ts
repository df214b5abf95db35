import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import type { listingRelayWorkflow } from '../workflows/listing-relay.js';
import { backgroundTaskQueueOf, relayScheduleIdOf } from '../workflows/workflow-id.js';

/**
 * The Temporal schedule that runs the relay every few seconds: whatever was
 * recorded but never started (a process stopped in between, Temporal was
 * away) is started by it, however many workers run and whether or not any of
 * them restarts. Each worker makes sure it exists with the configured
 * interval and runs it once at start.
 */
export async function ensureRelaySchedule(client: Client, taskQueue: string, everySeconds: number): Promise<void> {
  const scheduleId = relayScheduleIdOf(taskQueue);
  const action = { type: 'startWorkflow', workflowType: 'listingRelayWorkflow', taskQueue: backgroundTaskQueueOf(taskQueue), workflowId: scheduleId, args: [] } as const;
  const spec = { intervals: [{ every: `${everySeconds}s` }] };
  // A run still going when the next falls due is not doubled.
  const policies = { overlap: 'SKIP' } as const;
  try {
    await client.schedule.create<typeof listingRelayWorkflow>({ scheduleId, spec, action, policies, state: { triggerImmediately: true } });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    const handle = client.schedule.getHandle(scheduleId);
    await handle.update<typeof listingRelayWorkflow>((previous) => ({ ...previous, spec, action, policies, state: { paused: false } }));
    await handle.trigger();
  }
}
