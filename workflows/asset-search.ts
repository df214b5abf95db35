import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { assetSearchChangedSignal } from './messages.js';

// Delivery, reminders and escalations are mail (and webhooks): retried for as
// long as an outage lasts. A batch's activity reports that it is alive every
// 2 s: a dead worker's attempt is retried after the heartbeat timeout, while a
// batch on a slow mail relay may take its time without a second attempt
// starting beside it.
const assets = proxyActivities<Activities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** Without news and without an alarm due, the search is read again once a day. */
const RECHECK_MS = 24 * 3600 * 1000;

/** Batches delivered or followed at the same time: enough to keep SMTP busy, few enough to spare the database. */
const PARALLEL_BATCHES = 4;

export interface AssetSearchWorkflowInput {
  searchId: string;
  batches: number;
  /** Set by a continuation: the requests were delivered by an earlier run. */
  delivered?: boolean;
}

/**
 * Follows one asset search (网络执行查控): delivers the court's signed notice
 * to every institution chosen, batch by batch, then follows the open batches'
 * answers against their deadline, taking each reminder and escalation step as
 * it falls due, until every institution has answered or the clerk closes the
 * search. The database holds the facts (docs/adr/0004-asset-searches-in-batches.md):
 * the history grows with the number of batches, never with the number of
 * institutions, and an answer reaches the workflow only as the one signal
 * that its batch is complete.
 */
export async function assetSearchWorkflow(input: AssetSearchWorkflowInput): Promise<{ searchId: string; status: string }> {
  const { searchId, batches } = input;
  let changed = false;
  setHandler(assetSearchChangedSignal, () => {
    changed = true;
  });
  if (!input.delivered) await inParallel(range(batches), (batch) => assets.deliverAssetRequests({ searchId, batch }));

  let open = range(batches);
  for (;;) {
    changed = false;
    const turns = await inParallel(open, (batch) => assets.followAssetRequests({ searchId, batch }));
    open = open.filter((_, index) => turns[index]!.open);
    if (open.length === 0 && !changed) break;
    const wakeAt = turns.reduce<number | null>((earliest, turn) => (turn.wakeAt === null ? earliest : Math.min(earliest ?? Infinity, Date.parse(turn.wakeAt))), null);
    const untilAlarm = wakeAt === null ? RECHECK_MS : Math.max(wakeAt - Date.now(), 1);
    await condition(() => changed, Math.min(untilAlarm, RECHECK_MS));
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof assetSearchWorkflow>({ ...input, delivered: true });
  }
  const { status } = await assets.finishAssetSearch({ searchId });
  return { searchId, status };
}

const range = (count: number): number[] => Array.from({ length: count }, (_, index) => index);

/** Runs `work` for every item, at most PARALLEL_BATCHES at a time; results in item order. */
async function inParallel<T>(items: number[], work: (item: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_BATCHES, items.length) }, lane));
  return results;
}
