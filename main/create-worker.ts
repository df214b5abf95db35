import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { tracingOff, workflowTracingModules, type Tracing } from '../platform/tracing.js';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * For `bundleWorkflowCode` when a bundle for tracing workers is built ahead
 * (tests): the workflow interceptors. A worker running it without a collector
 * drops their spans.
 */
export const workflowInterceptorModules = workflowTracingModules;

/**
 * How long running activities may take to finish once shutdown begins, before
 * they are cancelled. An attempt cut short is retried only after its
 * start-to-close timeout (30 s for mail, 1 min for records); the longest
 * normal attempt is a mail send on a slow relay (SMTP socket timeout 20 s).
 * Orchestrators must wait a little longer before killing the process
 * (compose: stop_grace_period 30s; Kubernetes' default is 30 s).
 */
export const SHUTDOWN_GRACE_TIME = '20 seconds';

export interface SanctionWorkerOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  activityDeps: ActivityDeps;
  /** A prebuilt bundle saves the few seconds of bundling at each start (tests, benchmarks). */
  workflowBundle?: WorkflowBundleOption;
  tracing?: Tracing;
}

/** A worker serving the sanction workflow and its activities on one task queue. */
export async function createSanctionWorker(options: SanctionWorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  const tracing = options.tracing ?? tracingOff;
  const connection = await NativeConnection.connect({ address: options.address });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    interceptors: {
      activity: tracing.activityInterceptors,
      // A prebuilt bundle holds its own (the SDK warns when they are given here too).
      ...(options.workflowBundle ? {} : { workflowModules: tracing.workflowModules }),
    },
    sinks: tracing.workflowSinks,
    activities: createActivities(options.activityDeps),
    // A listing fans out to ~42 notices at once; let them run side by side.
    maxConcurrentActivityTaskExecutions: 100,
    shutdownGraceTime: SHUTDOWN_GRACE_TIME,
  });
  return { worker, connection };
}
