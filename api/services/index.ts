import type { Client } from '@temporalio/client';
import type { PrismaClient } from '../../prisma/generated/client.js';
import { createApiKeyService } from './api-keys.js';
import { createCatalogService } from './catalog.js';
import { createListingService } from './listings.js';
import { createSupervisionService } from './supervision.js';
import { createTaskService } from './tasks.js';
import { createWorkflowGateway } from './workflow-gateway.js';

export interface ServiceDeps {
  prisma: PrismaClient;
  temporalClient: Client;
  taskQueue: string;
  now?: () => Date;
}

/** The use cases behind the routes, wired to their dependencies. */
export function createServices({ prisma, temporalClient, taskQueue, now }: ServiceDeps) {
  const catalogs = createCatalogService(prisma);
  const workflows = createWorkflowGateway(temporalClient, taskQueue);
  return {
    apiKeys: createApiKeyService(prisma),
    catalogs,
    listings: createListingService({ prisma, catalogs, workflows, ...(now ? { now } : {}) }),
    tasks: createTaskService({ prisma, workflows, ...(now ? { now } : {}) }),
    supervision: createSupervisionService({ prisma, ...(now ? { now } : {}) }),
  };
}

export type Services = ReturnType<typeof createServices>;
