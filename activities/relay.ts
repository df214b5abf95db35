import type { ActivityDeps } from './deps.js';

export function createRelayActivities({ relay }: ActivityDeps) {
  return {
    startMissingWorkflows: () => relay.startMissingWorkflows(),
  };
}
