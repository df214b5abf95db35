import { ApplicationFailure, allHandlersFinished, condition } from '@temporalio/workflow';
import { REJECTIONS } from '../messages.js';

/** What message handlers share with the main loop of one run, besides the state it carries on. */
export interface Run {
  /** Set by a handler that changed something the main loop waits on. */
  pending: boolean;
  /** Tasks whose dispatch activity is running: their rows may already be visible to departments. */
  dispatching: Map<string, { departmentCode: string }>;
  /** Read-model writes started without waiting (runs of an earlier version); finished before the run ends. */
  writes: Set<Promise<void>>;
  /** Set when the run is about to end (close or continue as new): new updates are turned away to the next run. */
  closing: boolean;
  /** Corrections being applied: a lift waits for their rounds, so that it lifts what they dispatched. */
  correcting: number;
}

export function newRun(): Run {
  return { pending: false, dispatching: new Map(), writes: new Set(), closing: false, correcting: 0 };
}

/** Called by validators: an update arriving while the run ends is sent again by the caller and reaches the next run. */
export function refuseWhileClosing(run: Run): void {
  if (run.closing) throw ApplicationFailure.create({ type: REJECTIONS.continuing, message: 'this run is ending; send the update again' });
}

/** No update handler still running, no read-model write still pending; later updates go to the next run. */
export async function settle(run: Run): Promise<void> {
  run.closing = true;
  await condition(allHandlersFinished);
  while (run.writes.size > 0) await Promise.all([...run.writes]);
}
