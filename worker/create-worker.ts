import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface SanctionWorkerOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  activityDeps: ActivityDeps;
  /** A prebuilt bundle saves the few seconds of bundling at each start (tests, benchmarks). */
  workflowBundle?: WorkflowBundleOption;
}

/** A worker serving the sanction workflow and its activities on one task queue. */
export async function createSanctionWorker(options: SanctionWorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address: options.address });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    activities: createActivities(options.activityDeps),
    // A listing fans out to ~42 notices at once; let them run side by side.
    maxConcurrentActivityTaskExecutions: 100,
  });
  return { worker, connection };
}
