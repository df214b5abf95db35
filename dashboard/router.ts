import express, { Router, type Request } from 'express';
import type { UseCases } from '../app/index.js';
import { authFailureLimiter, linkFailureLimiter, type RateLimitSettings } from '../http/rate-limits.js';
import type { DownPart } from '../platform/dependency-status.js';
import type { Keyring } from '../platform/signing.js';
import { dashboardErrorPage } from './error-page.js';
import { ackLinkRoutes } from './routes/ack-links.js';
import { assetAnswerRoutes } from './routes/asset-answers.js';
import { assetRoutes } from './routes/assets.js';
import { chains } from './routes/chains.js';
import { freezeActionRoutes } from './routes/freeze-actions.js';
import { home } from './routes/home.js';
import { listingDetail } from './routes/listing-detail.js';
import { listingList } from './routes/listing-list.js';
import { loginRoutes } from './routes/login.js';
import type { Mailbox } from './mailbox.js';
import { mailRoutes } from './routes/mail.js';
import { reviewActionRoutes } from './routes/review-actions.js';
import { taskActionRoutes } from './routes/task-actions.js';

export interface DashboardOptions {
  useCases: UseCases;
  /** Signs session cookies and CSRF tokens. */
  keyring: Keyring;
  /** The built-in mail catcher's messages, when the system runs on embedded defaults. */
  mailbox?: Mailbox | undefined;
  rateLimits: RateLimitSettings;
  /** The parts down right now (the dependency status), for the banner. */
  outage?: () => DownPart[];
  now?: () => Date;
}

/**
 * The web pages: sign-in with an API key, each role's home page, listing
 * pages, the one-click pages of email links, and the built-in mail catcher's
 * pages. Every page is server-rendered.
 */
export function dashboardRouter({ useCases, keyring, mailbox, rateLimits, outage, now }: DashboardOptions): Router {
  const deps = { useCases, keyring, mailbox, ...(outage ? { outage } : {}), ...(now ? { now } : {}) };
  const chain = chains(deps);
  const router = Router();

  router.use('/ack', linkFailureLimiter(rateLimits), ackLinkRoutes(useCases.ackLinks));
  router.use('/asset-answers', linkFailureLimiter(rateLimits), assetAnswerRoutes(useCases.assetSearches));
  // Signing in to the dashboard with a guessed key is a failed authentication like any other.
  // The sign-in form is the one body read before its sender is known: it is kept small.
  const loginBody = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });
  const presentedKeys = {
    keyOf: (req: Request) => (typeof req.body?.key === 'string' && req.body.key.trim() !== '' ? (req.body.key as string).trim() : undefined),
    isValid: async (key: string) => (await useCases.apiKeys.resolve(key)) !== null,
  };
  router.post('/login', loginBody, authFailureLimiter(rateLimits, presentedKeys));
  router.use(assetRoutes());
  router.use(loginRoutes(deps, chain));
  router.get('/', ...chain.signedIn, home(deps));
  router.get('/listings', ...chain.signedIn, listingList(deps));
  router.get('/listings/:id', ...chain.signedIn, listingDetail(deps));
  router.use(taskActionRoutes(deps, chain));
  router.use(reviewActionRoutes(deps, chain));
  router.use(freezeActionRoutes(deps, chain));
  if (mailbox) router.use(mailRoutes(mailbox, chain));
  router.use(dashboardErrorPage);
  return router;
}
