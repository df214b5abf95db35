import type { ActivityDeps } from './deps.js';

/** Starts the workflows of what was recorded but never started: listings and imports. */
export interface WorkflowRelay {
  startMissingWorkflows(): Promise<{ listings: number; imports: number }>;
}

export function createRelayActivities({ relay }: ActivityDeps) {
  return {
    startMissingWorkflows: () => relay.startMissingWorkflows(),
  };
}
