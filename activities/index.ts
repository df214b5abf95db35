import type { ActivityDeps } from './deps.js';
import { createDispatchActivities } from './dispatch.js';
import { createTaskMailActivities } from './task-mail.js';

export type { ActivityDeps };

/** The activities of the sanction workflow, bound to their dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createDispatchActivities(deps),
    ...createTaskMailActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
