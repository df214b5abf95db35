import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import type { PrismaClient } from '../prisma/generated/client.js';
import type { MailCatcher } from '../dev/mail-catcher.js';
import { tracingOff, type Tracing } from '../platform/tracing.js';
import { createApp } from './http-app.js';
import type { RateLimitSettings } from '../http/rate-limits.js';
import { createServices, type Services } from '../app/index.js';

export interface ApiServerOptions {
  prisma: PrismaClient;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  ackTokenSecret: string;
  port: number;
  host?: string;
  publicBaseUrl?: string;
  log: Logger;
  mailCatcher?: MailCatcher | undefined;
  reconcileIntervalMs?: number;
  /** How long requests in flight may take to finish at shutdown. */
  shutdownGraceMs?: number;
  rateLimits?: RateLimitSettings;
  /** Spans for requests and for the workflows they start or update; off by default. */
  tracing?: Tracing;
  /** The worker's Prometheus endpoint, appended to /metrics. */
  workerMetricsUrl?: string | undefined;
}

export interface RunningApi {
  url: string;
  /** The use cases, for other entry points of the same process (inbound mail). */
  services: Services;
  server: Server;
  stop(): Promise<void>;
}

/** Connects to Temporal, wires the services and listens. */
export async function startApiServer(options: ApiServerOptions): Promise<RunningApi> {
  const connection = await Connection.connect({ address: options.temporalAddress });
  const temporalClient = new Client({ connection, namespace: options.namespace, interceptors: (options.tracing ?? tracingOff).clientInterceptors });
  const services = createServices({
    prisma: options.prisma,
    temporalClient,
    taskQueue: options.taskQueue,
    ackTokenSecret: options.ackTokenSecret,
    log: options.log.child({ component: 'listing-import' }),
  });
  const host = options.host ?? '127.0.0.1';
  const readiness = { draining: false };
  const app = createApp({
    readiness,
    services,
    prisma: options.prisma,
    temporal: connection,
    log: options.log,
    // A relative server URL is valid OpenAPI and right behind any proxy.
    publicBaseUrl: options.publicBaseUrl ?? '/',
    mailCatcher: options.mailCatcher,
    ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
    workerMetricsUrl: options.workerMetricsUrl,
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(options.port, host, (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  // Slow clients cannot hold connections open forever.
  server.headersTimeout = 15_000;
  server.requestTimeout = 30_000;
  // A listing recorded just before a crash, whose workflow never started, is
  // picked up here: at start and then every minute.
  // An import left unfinished by a stopped instance resumes here too.
  const reconcile = () =>
    Promise.all([
      services.listings
        .startUnstartedWorkflows()
        .then((started) => started > 0 && options.log.warn({ started }, 'started workflows of listings recorded without one'))
        .catch((error: unknown) => options.log.warn({ err: error }, 'could not reconcile listings')),
      services.imports
        .resumeUnfinished()
        .then((resumed) => resumed > 0 && options.log.info({ resumed }, 'resumed listing imports'))
        .catch((error: unknown) => options.log.warn({ err: error }, 'could not resume listing imports')),
    ]);
  void reconcile();
  const reconciler = setInterval(reconcile, options.reconcileIntervalMs ?? 60_000);
  reconciler.unref();
  const { port } = server.address() as AddressInfo;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  return {
    url,
    services,
    server,
    async stop() {
      readiness.draining = true;
      clearInterval(reconciler);
      // Requests in flight get a moment to finish; then every connection is closed.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs ?? 5_000);
      await closed;
      clearTimeout(grace);
      await services.imports.stop();
      await connection.close();
    },
  };
}
