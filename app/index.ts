import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { PrismaClient } from '../prisma/generated/client.js';
import { createAckLinkService } from './ack-links.js';
import { createApiKeyService } from './api-keys.js';
import { createCatalogService } from './catalog.js';
import { createListingImportService } from './listing-imports.js';
import { createListingService } from './listings.js';
import { createSupervisionService } from './supervision.js';
import { createTaskService } from './tasks.js';
import { createWorkflowGateway } from './sanction-workflows.js';

export interface ServiceDeps {
  prisma: PrismaClient;
  temporalClient: Client;
  taskQueue: string;
  /** Signs and checks the links and reply addresses of emails. */
  ackTokenSecret: string;
  log?: Logger;
  now?: () => Date;
}

/** The use cases behind the routes, wired to their dependencies. */
export function createServices({ prisma, temporalClient, taskQueue, ackTokenSecret, log, now }: ServiceDeps) {
  const catalogs = createCatalogService(prisma);
  const workflows = createWorkflowGateway(temporalClient, taskQueue);
  const tasks = createTaskService({ prisma, workflows, ...(now ? { now } : {}) });
  const listings = createListingService({ prisma, catalogs, workflows, ...(now ? { now } : {}) });
  return {
    apiKeys: createApiKeyService(prisma),
    catalogs,
    listings,
    imports: createListingImportService({ prisma, listings, log, ...(now ? { now } : {}) }),
    tasks,
    ackLinks: createAckLinkService({ prisma, tasks, secret: ackTokenSecret, ...(now ? { now } : {}) }),
    supervision: createSupervisionService({ prisma, ...(now ? { now } : {}) }),
  };
}

export type Services = ReturnType<typeof createServices>;
