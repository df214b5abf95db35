import express, { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import type { UseCases } from '../app/index.js';
import { requireJsonBody, routeNotFound } from '../http/problem.js';
import { authFailureLimiter, type RateLimitSettings } from '../http/rate-limits.js';
import { idempotentRequests } from '../http/idempotency.js';
import type { IdempotentRequestStore } from '../db/idempotent-requests.js';
import { bearerTokenOf } from '../http/bearer-token.js';
import { authenticate } from './auth.js';
import { openApiDocument } from './openapi.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { calendarRoutes } from './routes/calendar.js';
import { catalogRoutes } from './routes/catalog.js';
import { listingImportRoutes } from './routes/listing-imports.js';
import { listingRoutes } from './routes/listings.js';
import { objectionRoutes } from './routes/objections.js';
import { supervisionRoutes } from './routes/supervision.js';
import { ledgerRoutes } from './routes/ledger.js';
import { rateRoutes } from './routes/rates.js';
import { restrictionRoutes } from './routes/restrictions.js';
import { taskRoutes } from './routes/tasks.js';
import { taskExtensionRoutes } from './routes/task-extensions.js';
import { webhookRoutes } from './routes/webhooks.js';
import { institutionRoutes } from './routes/institutions.js';
import { signingKeyRoutes } from './routes/signing-keys.js';
import { assetSearchRoutes } from './routes/asset-searches.js';
import { assetRequestRoutes } from './routes/asset-requests.js';
import { assetSupervisionRoutes, controlOrderRoutes, freezeReleaseRoutes } from './routes/control-orders.js';

/** Larger bodies are refused with 413 before they are parsed. */
export const BODY_LIMIT = '64kb';
export const CATALOG_BODY_LIMIT = '2mb';

export interface JsonApiOptions {
  useCases: UseCases;
  /** Base of the OpenAPI document's server URL; relative is valid and right behind any proxy. */
  publicBaseUrl: string;
  rateLimits: RateLimitSettings;
  /** Where answers to requests with an `Idempotency-Key` are kept; without it the header is ignored. */
  idempotency?: IdempotentRequestStore | undefined;
}

/** The JSON API, mounted at /api: parse, authenticate, call one use case, answer. */
export function jsonApiRouter({ useCases, publicBaseUrl, rateLimits, idempotency }: JsonApiOptions): Router {
  const api = Router();
  const document = openApiDocument(publicBaseUrl);
  api.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  // Swagger UI's own assets are served from the package: no CDN.
  api.use('/docs', swaggerUi.serve, swaggerUi.setup(undefined, { swaggerOptions: { url: '/api/openapi.json' }, customSiteTitle: '联合惩戒协同平台 API' }));
  const smallJson = express.json({ limit: BODY_LIMIT, strict: true });
  // A whole catalog (measures, departments, sources) or holiday calendar is larger than any other request.
  const catalogJson = express.json({ limit: CATALOG_BODY_LIMIT, strict: true });
  // A listings spreadsheet (CSV or XLSX) is the one body that is not JSON; its
  // route reads it once the caller is known to be a clerk.
  const isImport = (req: express.Request) => req.method === 'POST' && req.path === '/listings/import';
  // Only an administrator imports a catalog or calendar: nobody else gets a body that large parsed.
  const isLargeImport = (req: express.Request, res: express.Response) =>
    req.method === 'POST' && (req.path === '/catalog' || req.path === '/calendar' || req.path === '/institutions') && (res.locals.principal as { role?: string } | undefined)?.role === 'admin';
  // The caller is known before its body is read: without a good key, nothing but the headers is.
  const presentedKeys = { keyOf: bearerTokenOf, isValid: async (key: string) => (await useCases.apiKeys.resolve(key)) !== null };
  api.use(authFailureLimiter(rateLimits, presentedKeys), authenticate(useCases.apiKeys));
  api.use((req, res, next) => (isImport(req) ? next() : requireJsonBody(req, res, next)));
  api.use((req, res, next) => (isImport(req) ? next() : (isLargeImport(req, res) ? catalogJson : smallJson)(req, res, next)));
  // After authentication and body parsing: a key belongs to its API key, and the body is part of the request.
  // A spreadsheet import is streamed by its route, so its body cannot be compared: the header is ignored there.
  if (idempotency) api.use(idempotentRequests(idempotency, { exempt: (req) => req.method === 'POST' && req.path === '/listings/import' }));
  api.use('/api-keys', apiKeyRoutes(useCases.apiKeys));
  api.use('/catalog', catalogRoutes(useCases.catalogs, useCases.taskReview));
  api.use('/calendar', calendarRoutes(useCases.calendar));
  api.use('/listings/import', listingImportRoutes(useCases.imports));
  api.use('/listings/:id/freeze-releases', freezeReleaseRoutes(useCases.controlOrders));
  api.use('/listings', listingRoutes(useCases.listings, useCases.corrections, useCases.objections));
  api.use('/objections', objectionRoutes(useCases.objections));
  api.use('/tasks', taskRoutes(useCases.tasks, useCases.taskReview));
  // `extension-requests` is the documented path; `task-extensions` is the same.
  api.use(['/extension-requests', '/task-extensions'], taskExtensionRoutes(useCases.taskReview));
  api.use('/supervision', assetSupervisionRoutes(useCases.controlOrders, useCases.assetSupervision));
  api.use('/supervision', supervisionRoutes(useCases.supervision, useCases.objections, useCases.taskReview));
  api.use('/ledger', ledgerRoutes(useCases.ledger));
  api.use('/rates', rateRoutes(useCases.rates));
  api.use('/restrictions', restrictionRoutes(useCases.restrictions));
  api.use('/webhooks', webhookRoutes(useCases.webhooks, useCases.institutionWebhooks));
  api.use('/institutions', institutionRoutes(useCases.institutions));
  api.use('/signing-keys', signingKeyRoutes(useCases.institutions));
  api.use('/asset-searches', assetSearchRoutes(useCases.assetSearches));
  api.use('/asset-requests', assetRequestRoutes(useCases.assetSearches));
  api.use('/control-orders', controlOrderRoutes(useCases.controlOrders));
  api.use(routeNotFound);
  return api;
}
