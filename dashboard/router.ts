import { Router } from 'express';
import type { PrismaClient } from '../prisma/generated/client.js';
import type { MailCatcher } from '../dev/mail-catcher.js';
import { dashboardErrorPage } from './error-page.js';
import { lazyDashboardKeys } from './keys.js';
import { assetRoutes } from './routes/assets.js';
import { chains } from './routes/chains.js';
import { home } from './routes/home.js';
import { listingDetail } from './routes/listing-detail.js';
import { listingList } from './routes/listing-list.js';
import { loginRoutes } from './routes/login.js';
import { mailRoutes } from './routes/mail.js';
import { taskActionRoutes } from './routes/task-actions.js';
import { loadConfig } from '../platform/settings.js';
import { resolveAckTokenSecret } from '../platform/signing-secret.js';
import type { Services } from '../app/index.js';

export interface DashboardOptions {
  prisma: PrismaClient;
  services: Services;
  mailCatcher?: MailCatcher | undefined;
  /**
   * Signs session cookies and CSRF tokens (keys are derived per purpose).
   * Defaults to the installation's link-signing secret: ACK_TOKEN_SECRET, or
   * the one generated and stored with the data, so every API process agrees.
   */
  sessionSecret?: string | undefined;
  now?: () => Date;
}

/**
 * The web dashboard: sign-in with an API key, each role's home page, listing
 * pages, and the built-in mail catcher's pages. Every page is server-rendered.
 */
export function dashboardRoutes({ prisma, services, mailCatcher, sessionSecret, now }: DashboardOptions): Router {
  const deps = {
    prisma,
    services,
    mailCatcher,
    keys: lazyDashboardKeys(async () => sessionSecret ?? resolveAckTokenSecret(prisma, loadConfig().ACK_TOKEN_SECRET)),
    ...(now ? { now } : {}),
  };
  const chain = chains(deps);
  const router = Router();

  router.use(assetRoutes());
  router.use(loginRoutes(deps, chain));
  router.get('/', ...chain.signedIn, home(deps));
  router.get('/listings', ...chain.signedIn, listingList(deps));
  router.get('/listings/:id', ...chain.signedIn, listingDetail(deps));
  router.use(taskActionRoutes(deps, chain));
  if (mailCatcher) router.use(mailRoutes(mailCatcher, chain));
  router.use(dashboardErrorPage);
  return router;
}
