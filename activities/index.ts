import type { ActivityDeps } from './deps.js';
import { createDispatchActivities } from './dispatch.js';
import { createListingRecordActivities } from './listing-records.js';
import { createTaskMailActivities } from './task-mail.js';
import { createTaskRecordActivities } from './task-records.js';

export type { ActivityDeps };

/** The activities of the sanction workflow, bound to their dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createDispatchActivities(deps),
    ...createTaskRecordActivities(deps),
    ...createListingRecordActivities(deps),
    ...createTaskMailActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
