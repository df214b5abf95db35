import type { ActivityDeps } from './deps.js';
import { createAssetSearchActivities } from './asset-searches.js';
import { createCorrectionActivities } from './corrections.js';
import { createFreezeActivities } from './freezes.js';
import { createDispatchActivities } from './dispatch.js';
import { createListingNoticeActivities } from './listing-notices.js';
import { createObjectionActivities } from './objections.js';
import { createListingImportActivities } from './listing-import.js';
import { createListingRecordActivities } from './listing-records.js';
import { createRelayActivities } from './relay.js';
import { createWebhookDeliveryActivities } from './webhook-delivery.js';
import { createTaskMailActivities } from './task-mail.js';
import { createTaskRecordActivities } from './task-records.js';
import { createTaskReviewActivities } from './task-review.js';

export type { ActivityDeps };

/** The activities of every workflow the worker runs, bound to their dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createDispatchActivities(deps),
    ...createTaskRecordActivities(deps),
    ...createTaskReviewActivities(deps),
    ...createListingRecordActivities(deps),
    ...createTaskMailActivities(deps),
    ...createListingNoticeActivities(deps),
    ...createCorrectionActivities(deps),
    ...createObjectionActivities(deps),
    ...createListingImportActivities(deps),
    ...createRelayActivities(deps),
    ...createWebhookDeliveryActivities(deps),
    ...createAssetSearchActivities(deps),
    ...createFreezeActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
