import type { WorkflowBundleOption } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { Policy } from '../domain/policy.js';
import type { PrismaClient } from '../prisma/generated/client.js';
import type { MailCatcher } from '../dev/mail-catcher.js';
import { createMailTransport } from '../mail/transport.js';
import { startApiServer, type RunningApi } from './api-server.js';
import type { RateLimitSettings } from '../http/rate-limits.js';
import { createReplyHandler } from '../app/replies.js';
import { startInboundMailServer } from '../mail/inbound/server.js';
import { createSanctionWorker } from './create-worker.js';
import type { Tracing } from '../platform/tracing.js';

export interface SystemParts {
  prisma: PrismaClient;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  smtpUrl: string;
  mailFrom: string;
  publicBaseUrl: string;
  ackTokenSecret: string;
  policy: Policy;
  log: Logger;
  port: number;
  host?: string;
  mailCatcher?: MailCatcher | undefined;
  workflowBundle?: WorkflowBundleOption;
  runWorker?: boolean;
  runApi?: boolean;
  /** Receives replies to task emails; needs the API in this process. */
  inboundSmtpPort?: number | undefined;
  inboundSmtpHost?: string | undefined;
  rateLimits?: RateLimitSettings;
  /** From startTracing: one per process, shared by its worker and API. */
  tracing?: Tracing;
  /** Where the API finds the worker's Prometheus metrics to append to /metrics. */
  workerMetricsUrl?: string | undefined;
}

export interface RunningSystem {
  api: RunningApi | null;
  stop(): Promise<void>;
}

/**
 * The worker and the API over parts that already run (database, Temporal,
 * SMTP). Production runs them as separate processes; the embedded launcher
 * and the tests run both here.
 */
export async function startSystem(parts: SystemParts): Promise<RunningSystem> {
  const stops: (() => Promise<void>)[] = [];
  let workerRun: Promise<void> | null = null;

  if (parts.runWorker !== false) {
    const mail = createMailTransport(parts.smtpUrl);
    const { worker, connection } = await createSanctionWorker({
      address: parts.temporalAddress,
      namespace: parts.namespace,
      taskQueue: parts.taskQueue,
      activityDeps: {
        prisma: parts.prisma,
        mail,
        mailFrom: parts.mailFrom,
        publicBaseUrl: parts.publicBaseUrl,
        ackTokenSecret: parts.ackTokenSecret,
        policy: parts.policy,
        log: parts.log.child({ component: 'worker' }),
      },
      ...(parts.workflowBundle ? { workflowBundle: parts.workflowBundle } : {}),
      ...(parts.tracing ? { tracing: parts.tracing } : {}),
    });
    workerRun = worker.run();
    stops.push(async () => {
      // Shutdown lets running activities finish; what does not finish is retried elsewhere.
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun;
      await connection.close();
      mail.close();
    });
  }

  let api: RunningApi | null = null;
  if (parts.runApi !== false) {
    api = await startApiServer({
      prisma: parts.prisma,
      temporalAddress: parts.temporalAddress,
      namespace: parts.namespace,
      taskQueue: parts.taskQueue,
      ackTokenSecret: parts.ackTokenSecret,
      port: parts.port,
      ...(parts.host ? { host: parts.host } : {}),
      publicBaseUrl: parts.publicBaseUrl,
      log: parts.log.child({ component: 'api' }),
      mailCatcher: parts.mailCatcher,
      ...(parts.rateLimits ? { rateLimits: parts.rateLimits } : {}),
      ...(parts.tracing ? { tracing: parts.tracing } : {}),
      workerMetricsUrl: parts.workerMetricsUrl,
    });
    stops.push(() => api!.stop());
  }

  if (api && parts.inboundSmtpPort !== undefined) {
    const answers = createMailTransport(parts.smtpUrl);
    const log = parts.log.child({ component: 'inbound-mail' });
    const inbound = await startInboundMailServer({
      port: parts.inboundSmtpPort,
      ...(parts.inboundSmtpHost ? { host: parts.inboundSmtpHost } : {}),
      log,
      handle: createReplyHandler({
        prisma: parts.prisma,
        tasks: api.services.tasks,
        mail: answers,
        mailFrom: parts.mailFrom,
        ackTokenSecret: parts.ackTokenSecret,
        log,
      }),
    });
    stops.push(async () => {
      await inbound.stop();
      answers.close();
    });
  }

  return {
    api,
    async stop() {
      for (const stop of stops.reverse()) await stop();
    },
  };
}
