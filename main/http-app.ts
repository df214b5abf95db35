import express, { type Express } from 'express';
import swaggerUi from 'swagger-ui-express';

import type { Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import type { PrismaClient } from '../prisma/generated/client.js';
import type { MailCatcher } from '../dev/mail-catcher.js';
import { authenticate } from '../api/auth.js';
import { openApiDocument } from '../api/openapi.js';
import { problemHandler, requireJsonBody, routeNotFound } from '../http/problem.js';
import { ackLinkRoutes } from '../dashboard/routes/ack-links.js';
import { apiKeyRoutes } from '../api/routes/api-keys.js';
import { authFailureLimiter, defaultRateLimits, linkFailureLimiter, type RateLimitSettings } from '../http/rate-limits.js';
import { catalogRoutes } from '../api/routes/catalog.js';
import { dashboardRoutes } from '../dashboard/router.js';
import { healthRoutes, type Readiness } from '../http/health.js';
import { createMetrics } from '../http/metrics.js';
import { requestLogger } from '../http/request-log.js';
import { requestSpans } from '../http/request-span.js';
import { listingImportRoutes } from '../api/routes/listing-imports.js';
import { listingRoutes } from '../api/routes/listings.js';
import { supervisionRoutes } from '../api/routes/supervision.js';
import { taskRoutes } from '../api/routes/tasks.js';
import type { Services } from '../app/index.js';

export interface AppDeps {
  services: Services;
  prisma: PrismaClient;
  temporal: Connection;
  log: Logger;
  publicBaseUrl: string;
  /** The built-in mail catcher, when the system runs on embedded defaults. */
  mailCatcher?: MailCatcher | undefined;
  rateLimits?: RateLimitSettings;
  readiness?: Readiness;
  /** The worker's Prometheus endpoint, appended to /metrics when known. */
  workerMetricsUrl?: string | undefined;
}

/** Scraped every few seconds: neither logged nor traced. */
const probePaths = new Set(['/healthz', '/readyz', '/metrics']);
const isProbe = (path: string) => probePaths.has(path);

/** Larger bodies are refused with 413 before they are parsed. */
export const BODY_LIMIT = '64kb';
export const CATALOG_BODY_LIMIT = '2mb';

export function createApp({ services, prisma, temporal, log, publicBaseUrl, mailCatcher, rateLimits = defaultRateLimits, readiness, workerMetricsUrl }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestLogger(log, isProbe));
  app.use(requestSpans(isProbe));

  const metrics = createMetrics(prisma, { workerMetricsUrl });
  app.use(metrics.timeRequests);
  app.get('/metrics', metrics.serve);
  app.use(healthRoutes(prisma, temporal, readiness));
  app.use('/ack', linkFailureLimiter(rateLimits), ackLinkRoutes(services.ackLinks));
  // Signing in to the dashboard with a guessed key is a failed authentication like any other.
  app.post('/login', authFailureLimiter(rateLimits));
  app.use(dashboardRoutes({ prisma, services, mailCatcher }));

  const api = express.Router();
  const document = openApiDocument(publicBaseUrl);
  api.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  // Swagger UI's own assets are served from the package: no CDN.
  api.use('/docs', swaggerUi.serve, swaggerUi.setup(undefined, { swaggerOptions: { url: '/api/openapi.json' }, customSiteTitle: '联合惩戒协同平台 API' }));
  const smallJson = express.json({ limit: BODY_LIMIT, strict: true });
  // A whole catalog (measures, departments, sources) is larger than any other request.
  const catalogJson = express.json({ limit: CATALOG_BODY_LIMIT, strict: true });
  // A listings spreadsheet (CSV or XLSX) is the one body that is not JSON; its
  // route reads it once the caller is known to be a clerk.
  const isImport = (req: express.Request) => req.method === 'POST' && req.path === '/listings/import';
  api.use((req, res, next) => (isImport(req) ? next() : requireJsonBody(req, res, next)));
  api.use((req, res, next) => (isImport(req) ? next() : (req.method === 'POST' && req.path === '/catalog' ? catalogJson : smallJson)(req, res, next)));
  api.use(authFailureLimiter(rateLimits), authenticate(services.apiKeys));
  api.use('/api-keys', apiKeyRoutes(services.apiKeys));
  api.use('/catalog', catalogRoutes(services.catalogs));
  api.use('/listings/import', listingImportRoutes(services.imports));
  api.use('/listings', listingRoutes(services.listings));
  api.use('/tasks', taskRoutes(services.tasks));
  api.use('/supervision', supervisionRoutes(services.supervision));
  api.use(routeNotFound);
  app.use('/api', api);

  app.use(routeNotFound);
  app.use(problemHandler(log));
  return app;
}
