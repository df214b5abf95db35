import express, { type Express } from 'express';
import type { Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { Logger } from 'pino';
import { jsonApiRouter } from '../api/router.js';
import type { UseCases } from '../app/index.js';
import { dashboardRouter } from '../dashboard/router.js';
import { createIdempotentRequestStore } from '../db/idempotent-requests.js';
import type { Mailbox } from '../dashboard/mailbox.js';
import { codecEndpoint } from '../http/codec-endpoint.js';
import { dependencyProbes, healthRoutes, type Readiness } from '../http/health.js';
import { createMetrics } from '../http/metrics.js';
import { isMetricsCredential, metricsAccess } from '../http/metrics-access.js';
import { bearerTokenOf } from '../http/bearer-token.js';
import { problemHandler, routeNotFound } from '../http/problem.js';
import { authFailureLimiter, type RateLimitSettings } from '../http/rate-limits.js';
import { requestLogger } from '../http/request-log.js';
import { requestSpans } from '../http/request-span.js';
import type { DependencyStatus } from '../platform/dependency-status.js';
import type { Keyring } from '../platform/signing.js';
import type { PrismaClient } from '../prisma/generated/client.js';

export interface HttpAppDeps {
  useCases: UseCases;
  keyring: Keyring;
  /** The read model, for /metrics and /healthz. */
  prisma: PrismaClient;
  temporal: Connection;
  log: Logger;
  publicBaseUrl: string;
  mailbox?: Mailbox | undefined;
  rateLimits: RateLimitSettings;
  readiness: Readiness;
  /** What is down and since when: /readyz, /metrics and the dashboard's banner read it. */
  dependencies: DependencyStatus;
  /** The worker's Prometheus endpoint, appended to /metrics when known. */
  workerMetricsUrl?: string | undefined;
  /** Express's `trust proxy` (TRUST_PROXY): whose X-Forwarded-For names the client. */
  trustProxy: boolean | number | string[];
  /** METRICS_TOKEN, and how long /metrics reuses its database figures. */
  metrics: { token: string | undefined; cacheSeconds: number };
  /** Served at /codec for the Temporal UI: the codec that seals payloads, and the UI's origins. */
  payloadCodec: { codec: PayloadCodec; corsOrigins: readonly string[] };
}

/** Scraped every few seconds: neither logged nor traced. */
const probePaths = new Set(['/healthz', '/readyz', '/metrics']);
const isProbe = (path: string) => probePaths.has(path);

/** One HTTP server: probes and metrics, the pages, and the JSON API under /api. */
export function createHttpApp(deps: HttpAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy);
  app.use(requestLogger(deps.log, isProbe));
  app.use(requestSpans(isProbe));

  const metrics = createMetrics(deps.prisma, {
    workerMetricsUrl: deps.workerMetricsUrl,
    calendarDaysLeft: async () => (await deps.useCases.calendar.view()).daysLeft,
    cacheMs: deps.metrics.cacheSeconds * 1000,
    dependencies: deps.dependencies,
  });
  app.use(metrics.timeRequests);
  const scraper = { token: deps.metrics.token, roleOfKey: async (key: string) => (await deps.useCases.apiKeys.resolve(key))?.role ?? null };
  app.get('/metrics', authFailureLimiter(deps.rateLimits, { keyOf: bearerTokenOf, isValid: isMetricsCredential(scraper) }), metricsAccess(scraper), metrics.serve);
  const horizon = async () => {
    const { horizon: last, daysLeft, warning } = await deps.useCases.calendar.view();
    return { horizon: last, daysLeft, warning };
  };
  app.use(healthRoutes(dependencyProbes(deps.prisma, deps.temporal), deps.dependencies, deps.readiness, horizon));
  app.use(dashboardRouter({ useCases: deps.useCases, keyring: deps.keyring, mailbox: deps.mailbox, rateLimits: deps.rateLimits, outage: () => deps.dependencies.down() }));
  app.use('/codec', codecEndpoint({ ...deps.payloadCodec, apiKeys: deps.useCases.apiKeys, rateLimits: deps.rateLimits }));
  app.use('/api', jsonApiRouter({ useCases: deps.useCases, publicBaseUrl: deps.publicBaseUrl, rateLimits: deps.rateLimits, idempotency: createIdempotentRequestStore(deps.prisma) }));
  app.use(routeNotFound);
  app.use(problemHandler(deps.log));
  return app;
}
