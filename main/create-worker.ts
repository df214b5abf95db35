import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import type { DataConverter } from '@temporalio/common';
import type { Settings, WorkerLimits } from '../platform/settings.js';
import type { TemporalConnectionOptions } from '../platform/temporal-connection.js';
import { tracingOff, workflowTracingModules, type Tracing } from '../platform/tracing.js';
import { backgroundTaskQueueOf } from '../workflows/workflow-id.js';
import { bundleWorkflowsApart } from './workflow-bundle.js';

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

export interface WorkerOptions {
  connection: TemporalConnectionOptions;
  /** Seals what the workers send to Temporal; codecs run outside the workflow sandbox, so the bundle is unaffected. */
  dataConverter: DataConverter;
  namespace: string;
  taskQueue: string;
  activityDeps: ActivityDeps;
  /** A prebuilt bundle saves the few seconds of bundling at each start (tests); otherwise it is built in a child process. */
  workflowBundle?: WorkflowBundleOption;
  tracing?: Tracing;
  /** WORKER_* settings: the cache and slots of each queue, the workflow threads. */
  limits: Pick<Settings['worker'], 'coordination' | 'background' | 'workflowThreadPoolSize'>;
}

export interface Workers {
  /** The sanction workflows and their activities, on the installation's task queue. */
  coordination: Worker;
  /** Imports and the relay, on a queue of their own: an import is not queued behind the notices it causes. */
  background: Worker;
  connection: NativeConnection;
}

/** The workers of one process, over one connection and one workflow bundle. */
export async function createWorkers(options: WorkerOptions): Promise<Workers> {
  const tracing = options.tracing ?? tracingOff;
  const connection = await NativeConnection.connect(options.connection);
  const workflowBundle = options.workflowBundle ?? { code: await bundleWorkflowsApart(workflowsPath, tracing.workflowModules) };
  const activities = createActivities(options.activityDeps);
  const create = (taskQueue: string, limits: WorkerLimits) =>
    Worker.create({
      connection,
      namespace: options.namespace,
      taskQueue,
      dataConverter: options.dataConverter,
      workflowBundle,
      interceptors: { activity: tracing.activityInterceptors },
      sinks: tracing.workflowSinks,
      activities,
      // Explicit rather than the SDK's defaults, which size the cache from the heap limit: memory stays
      // bounded by these whatever the machine, and an evicted listing replays its history when it wakes.
      ...limits,
      // One reused V8 context per thread: more threads buy little for workflows that mostly wait.
      reuseV8Context: true,
      workflowThreadPoolSize: options.limits.workflowThreadPoolSize,
      shutdownGraceTime: SHUTDOWN_GRACE_TIME,
    });
  const coordination = await create(options.taskQueue, options.limits.coordination);
  const background = await create(backgroundTaskQueueOf(options.taskQueue), options.limits.background);
  return { coordination, background, connection };
}
