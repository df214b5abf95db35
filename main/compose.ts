// The one composition root: every part of the coordinator is built here from
// the settings and the infrastructure an entry point opened (database,
// Temporal, SMTP). The entry points (api, worker, all-in-one) and the tests
// only choose which roles a process plays.
import { Client, Connection } from '@temporalio/client';
import type { WorkflowBundleOption } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createUseCases, type UseCases } from '../app/index.js';
import { createReplyHandler } from '../app/replies.js';
import type { Mailbox } from '../dashboard/mailbox.js';
import type { Policy } from '../domain/policy.js';
import { listen } from '../http/listen.js';
import { defaultRateLimits, type RateLimitSettings } from '../http/rate-limits.js';
import { dependencyProbes, watchDependencies, type Readiness } from '../http/health.js';
import { startInboundMailServer } from '../mail/inbound/server.js';
import { createMailTransport } from '../mail/transport.js';
import { createEncryptionCodec, encryptingDataConverter } from '../platform/payload-codec.js';
import { loadPolicy } from '../platform/policy-file.js';
import { createDependencyStatus, type DependencyStatus } from '../platform/dependency-status.js';
import type { Settings } from '../platform/settings.js';
import { createKeyring } from '../platform/signing.js';
import { createCourtSeals } from '../platform/court-seals.js';
import { subjectHashOf } from '../platform/signed-tokens.js';
import { createDisclosureLog, disclosureWriter } from '../db/disclosure-log.js';
import { temporalConnectionOptions } from '../platform/temporal-connection.js';
import { tracingOff, type Tracing } from '../platform/tracing.js';
import type { DatabaseClient } from '../db/client.js';
import { createWorkers } from './create-worker.js';
import { createHttpApp } from './http-app.js';
import type { ProcessControl } from './process.js';
import { ensureRelaySchedule } from './relay-schedule.js';
import { apiWarmUp, warmUp, workerWarmUp } from './warm-up.js';

/** What an entry point has opened before composing: the parts outside the coordinator. */
export interface Infrastructure {
  database: DatabaseClient;
  temporalAddress: string;
  /** Outgoing mail: notices (worker) and answers to replies (inbound mail); those roles need it. */
  smtpUrl?: string | undefined;
  /** The local mail catcher's messages, shown on the dashboard (embedded defaults only). */
  mailbox?: Mailbox | undefined;
}

export interface Roles {
  /** Runs the workflows and their activities. */
  worker: boolean;
  /** Serves the JSON API and the pages. */
  http: boolean;
  /** Receives replies to notices (needs `settings.mail.inbound.port`). */
  inboundMail: boolean;
}

export interface CompositionOptions {
  settings: Settings;
  log: Logger;
  roles: Roles;
  /** From startTracing: one per process, shared by its worker and API. */
  tracing?: Tracing;
  /** Instead of POLICY_FILE (tests). */
  policy?: Policy;
  /** A prebuilt workflow bundle saves seconds at each start (tests, benchmarks). */
  workflowBundle?: WorkflowBundleOption;
  rateLimits?: RateLimitSettings;
  /** The worker's metrics endpoint, when this process serves one (embedded default). */
  workerMetricsUrl?: string | undefined;
  /** Shared with what the entry point supervises (the embedded dev server); one of its own otherwise. */
  dependencies?: DependencyStatus;
  /** Told when a part stops serving for good (the worker stopped, a listener closed); the entry point exits non-zero. */
  control?: ProcessControl;
}

export interface RunningSystem {
  /** The HTTP server's URL, when this process serves one. */
  url: string | null;
  /** The port replies are received on, when this process receives them. */
  inboundPort: number | null;
  useCases: UseCases;
  stop(): Promise<void>;
}

/** How long requests in flight may take to finish at shutdown. */
const HTTP_SHUTDOWN_GRACE_MS = 5_000;

export async function startSystem(infrastructure: Infrastructure, options: CompositionOptions): Promise<RunningSystem> {
  const { settings, log, roles } = options;
  const { database } = infrastructure;
  const { prisma } = database;
  const tracing = options.tracing ?? tracingOff;
  // Passed in by the entry point (the all-in-one start keeps it in a file), never kept in the database.
  const signingSecret = settings.security.signingSecret;
  if (!signingSecret) throw new Error('Set ACK_TOKEN_SECRET: it signs email links, reply addresses and dashboard sessions');
  const keyring = createKeyring(signingSecret, settings.security.previousSigningSecrets, { session: settings.security.sessionSecret });
  const dependencies = options.dependencies ?? createDependencyStatus();
  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const stopAll = async () => {
    stopping = true;
    for (const stop of stops.reverse()) await stop();
  };
  /** A part that stopped on its own cannot serve again in this process: without an entry point to tell (tests), it is logged. */
  const cannotServe = (message: string) => {
    if (stopping) return;
    if (options.control) options.control.fail(message);
    else log.fatal(message);
  };

  const smtpUrl = () => {
    if (!infrastructure.smtpUrl) throw new Error('sending mail needs an SMTP server (SMTP_URL)');
    return infrastructure.smtpUrl;
  };

  // Temporal keeps what it is given for as long as the namespace retains it: every payload is sealed first.
  const payloadKey = settings.temporal.payloadKeys.current;
  if (!payloadKey) throw new Error('Set TEMPORAL_PAYLOAD_KEY: every payload sent to Temporal is encrypted with it');
  const payloadCodec = createEncryptionCodec({ current: payloadKey, previous: settings.temporal.payloadKeys.previous });
  const dataConverter = encryptingDataConverter(payloadCodec);
  const temporalConnection = temporalConnectionOptions(infrastructure.temporalAddress, settings.temporal.tls);

  try {
    // Every role acts through the use cases, which reach Temporal through this client.
    const connection = await Connection.connect(temporalConnection);
    const client = new Client({ connection, namespace: settings.temporal.namespace, interceptors: tracing.clientInterceptors, dataConverter });
    const disclosures = createDisclosureLog({ write: disclosureWriter(database.rows), subjectHash: (idNumber) => subjectHashOf(keyring, idNumber), log });
    const policy = options.policy ?? (await loadPolicy(settings.policyFile));
    const seals = createCourtSeals(signingSecret, settings.security.previousSigningSecrets);
    const useCases = createUseCases({ prisma, rows: database.rows, disclosures, temporalClient: client, taskQueue: settings.temporal.taskQueue, keyring, seals, policy, log });
    const calendar = await useCases.calendar.view();
    log[calendar.warning ? 'warn' : 'info']({ horizon: calendar.horizon, daysLeft: calendar.daysLeft }, calendar.warning ? 'the holiday calendar is about to run out: import the next year' : 'holiday calendar');
    stops.push(async () => {
      await connection.close();
      // Last: what the parts disclosed while they stopped is written too.
      await disclosures.stop();
    });

    if (roles.worker) {
      const mail = createMailTransport(smtpUrl());
      const workerLog = log.child({ component: 'worker' });
      const mailSettings = { mailFrom: settings.mail.from, publicBaseUrl: settings.http.publicBaseUrl, keyring, repliesEnabled: settings.mail.inbound.port !== undefined };
      // Alongside bundling the workflows, which takes longer: it rarely delays the start at all.
      const warmed = settings.warmUp ? warmUp(workerWarmUp(database, mail, mailSettings, payloadCodec), workerLog) : Promise.resolve();
      const workers = await createWorkers({
        connection: temporalConnection,
        dataConverter,
        namespace: settings.temporal.namespace,
        taskQueue: settings.temporal.taskQueue,
        activityDeps: {
          prisma,
          mail,
          ...mailSettings,
          policy,
          log: workerLog,
          listingIntake: useCases.importedRowIntake,
          relay: useCases.relay,
          disclosures,
        },
        ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : {}),
        tracing,
        limits: settings.worker,
      });
      const running = [workers.coordination, workers.background].map((worker) => ({
        worker,
        // The worker retries an unreachable server by itself; it stops only on what it cannot get past.
        run: worker.run().then(
          () => cannotServe(`the worker for ${worker.options.taskQueue} stopped`),
          (error: unknown) => cannotServe(`the worker for ${worker.options.taskQueue} stopped: ${error instanceof Error ? error.message : String(error)}`),
        ),
      }));
      stops.push(async () => {
        // Shutdown lets running activities finish; what does not finish is retried elsewhere.
        for (const { worker } of running) if (worker.getState() === 'RUNNING') worker.shutdown();
        await Promise.all(running.map(({ run }) => run));
        await workers.connection.close();
        mail.close();
      });
      await ensureRelaySchedule(client, settings.temporal.taskQueue, settings.listingRelayIntervalSeconds);
      await warmed;
    }

    let url: string | null = null;
    if (roles.http) {
      if (settings.warmUp) await warmUp(apiWarmUp(database, connection, settings.temporal.namespace, payloadCodec), log.child({ component: 'api' }));
      const readiness: Readiness = { draining: false };
      const app = createHttpApp({
        useCases,
        keyring,
        prisma,
        temporal: connection,
        log: log.child({ component: 'api' }),
        publicBaseUrl: settings.http.publicBaseUrl,
        mailbox: infrastructure.mailbox,
        rateLimits: options.rateLimits ?? defaultRateLimits,
        readiness,
        dependencies,
        workerMetricsUrl: settings.workerMetrics.url ?? options.workerMetricsUrl,
        trustProxy: settings.http.trustProxy,
        metrics: settings.metrics,
        payloadCodec: { codec: payloadCodec, corsOrigins: settings.temporal.codecCorsOrigins },
      });
      const server = await listen(app, settings.http.port, settings.http.host ?? '127.0.0.1');
      url = server.url;
      server.server.once('close', () => cannotServe('the HTTP server closed'));
      const watch = watchDependencies(dependencyProbes(prisma, connection), dependencies);
      stops.push(async () => {
        await watch.stop();
        // /readyz answers 503 from now on, so load balancers stop sending requests.
        readiness.draining = true;
        await server.close(HTTP_SHUTDOWN_GRACE_MS);
      });
    }

    let inboundPort: number | null = null;
    if (roles.inboundMail && settings.mail.inbound.port !== undefined) {
      const answers = createMailTransport(smtpUrl());
      const inboundLog = log.child({ component: 'inbound-mail' });
      const inbound = await startInboundMailServer({
        port: settings.mail.inbound.port,
        ...(settings.mail.inbound.host ? { host: settings.mail.inbound.host } : {}),
        log: inboundLog,
        handle: createReplyHandler({
          prisma,
          tasks: useCases.tasks,
          mail: answers,
          mailFrom: settings.mail.from,
          keyring,
          trustedAuthservIds: settings.mail.inbound.trustedAuthservIds,
          log: inboundLog,
        }),
      });
      inboundPort = inbound.port;
      void inbound.closed.then(() => cannotServe('the reply listener closed'));
      stops.push(async () => {
        await inbound.stop();
        answers.close();
      });
    }

    return { url, inboundPort, useCases, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
