import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { PrismaClient } from '../prisma/generated/client.js';
import type { Keyring } from '../platform/signing.js';
import type { CourtSeals } from '../platform/court-seals.js';
import type { Policy } from '../domain/policy.js';
import { createInstitutionService } from './institutions.js';
import { createInstitutionWebhookService } from './institution-webhooks.js';
import { createAssetSearchService } from './asset-searches.js';
import { createControlOrderService } from './control-orders.js';
import { createAssetSupervision } from './asset-supervision.js';
import { createAckLinkService } from './ack-links.js';
import { createApiKeyService } from './api-keys.js';
import { createCatalogService } from './catalog.js';
import { createListingImportService, importedRowIntake } from './listing-imports.js';
import { createListingService } from './listings.js';
import { createSupervisionService } from './supervision.js';
import { createLedgerService } from './ledger.js';
import { createRatesService } from './rates.js';
import { createTaskService } from './tasks.js';
import { createAcknowledgments } from './acknowledgments.js';
import { createSignalOutbox } from './signal-outbox.js';
import { createTaskReviewService } from './task-review.js';
import { createWorkflowGateway } from './workflow-gateway.js';
import { createRestrictionService } from './restrictions.js';
import { createWebhookService } from './webhooks.js';
import type { DatabaseClient } from '../db/client.js';
import type { DisclosureLog } from '../db/disclosure-log.js';
import { createCalendarVersions } from '../db/calendar-versions.js';
import { createCalendarService } from './calendar.js';
import { createCorrectionService } from './corrections.js';
import { createObjectionService, type ObjectionService } from './objections.js';

export interface UseCaseDeps {
  prisma: PrismaClient;
  /** Plain SQL for the restriction check. */
  rows: DatabaseClient['rows'];
  /** Where every full identifier shown to a department is logged. */
  disclosures: DisclosureLog;
  temporalClient: Client;
  taskQueue: string;
  /** Checks the links of emails. */
  keyring: Keyring;
  /** Seal each court's notices to institutions. */
  seals: CourtSeals;
  /** The policy asset searches are sent under (answer deadlines, reminders, escalations). */
  policy: Policy;
  log?: Logger;
  now?: () => Date;
}

/** Every use case, wired to its dependencies: what the API, the pages, inbound mail and imports call. */
export function createUseCases({ prisma, rows, disclosures, temporalClient, taskQueue, keyring, seals, policy, log, now }: UseCaseDeps) {
  const catalogs = createCatalogService(prisma);
  const workflows = createWorkflowGateway(temporalClient, taskQueue);
  const outbox = createSignalOutbox({ prisma, workflows, log });
  const acknowledgments = createAcknowledgments({ prisma, outbox, ...(now ? { now } : {}) });
  const tasks = createTaskService({ prisma, workflows, acknowledgments, ...(now ? { now } : {}) });
  // A lift remedies an upheld objection; the objections read listings: the hook closes the circle.
  let objections: ObjectionService | undefined;
  const listings = createListingService({ prisma, catalogs, workflows, disclosures, afterLift: (id, kind) => objections!.remedied(id, kind), ...(now ? { now } : {}) });
  const webhooks = createWebhookService({ prisma, workflows, log });
  const calendars = createCalendarVersions(prisma);
  objections = createObjectionService({ prisma, listings, workflows, calendars, log, ...(now ? { now } : {}) });
  const corrections = createCorrectionService({ prisma, listings, workflows, objections, ...(now ? { now } : {}) });
  const institutions = createInstitutionService({ prisma, seals });
  const assetSearches = createAssetSearchService({ prisma, workflows, outbox, institutions, seals, calendars, keyring, policy, log, ...(now ? { now } : {}) });
  const controlOrders = createControlOrderService({ prisma, workflows, outbox, institutions, seals, calendars, policy, visibleListing: (principal, id) => listings.visible(principal, id), log, ...(now ? { now } : {}) });
  const imports = createListingImportService({ prisma, listings, workflows, log, ...(now ? { now } : {}) });
  return {
    apiKeys: createApiKeyService(prisma),
    catalogs,
    listings,
    corrections,
    objections,
    imports,
    /** What the import workflow records each row through. */
    importedRowIntake: importedRowIntake(listings),
    /** What the relay schedule runs: workflows of what was recorded but never started. */
    relay: {
      async startMissingWorkflows() {
        await listings.imposeMissingRestrictions();
        await webhooks.startMissingWorkflows();
        await corrections.sendUnacceptedCorrections();
        await objections!.startMissingWorkflows();
        await outbox.deliverOwed();
        await assetSearches.startUnstartedWorkflows();
        await controlOrders.startUnstartedWorkflows();
        return { listings: await listings.startUnstartedWorkflows(), imports: await imports.startUnstartedImports() };
      },
    },
    tasks,
    taskReview: createTaskReviewService({ prisma, workflows, catalogs, ...(now ? { now } : {}) }),
    ackLinks: createAckLinkService({ prisma, tasks, keyring, ...(now ? { now } : {}) }),
    supervision: createSupervisionService({ prisma, ...(now ? { now } : {}) }),
    ledger: createLedgerService({ prisma, ...(now ? { now } : {}) }),
    rates: createRatesService({ prisma, calendars, ...(now ? { now } : {}) }),
    restrictions: createRestrictionService({ prisma, rows, catalogs: { get: (version) => catalogs.version(version) }, disclosures, ...(now ? { now } : {}) }),
    webhooks,
    institutions,
    institutionWebhooks: createInstitutionWebhookService(prisma),
    assetSearches,
    controlOrders,
    assetSupervision: createAssetSupervision({ prisma, ...(now ? { now } : {}) }),
    calendar: createCalendarService({ prisma, calendars, workflows, log, ...(now ? { now } : {}) }),
  };
}

export type UseCases = ReturnType<typeof createUseCases>;
