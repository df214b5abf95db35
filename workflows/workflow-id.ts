// One workflow per listing, named after it: the API starts and finds it by this
// id, and the worker's log lines tell the listing from it.
const PREFIX = 'sanction-';

export const workflowIdOf = (listingId: string) => `${PREFIX}${listingId}`;

/** The listing a sanction workflow is about, or undefined for any other workflow id. */
export const listingIdOf = (workflowId: string) => (workflowId.startsWith(PREFIX) ? workflowId.slice(PREFIX.length) : undefined);

/** One workflow per listing import. */
export const importWorkflowIdOf = (importId: string) => `listing-import-${importId}`;

/** The schedule that runs the relay, one per task queue (installation). */
export const relayScheduleIdOf = (taskQueue: string) => `listing-relay-${taskQueue}`;

/** Imports and the relay run on this queue, beside the installation's own. */
export const backgroundTaskQueueOf = (taskQueue: string) => `${taskQueue}-background`;

/** One workflow per webhook subscription delivers its changes in order. */
export const webhookWorkflowIdOf = (webhookId: string) => `webhook-${webhookId}`;

/** One workflow per objection follows its deadlines. */
export const objectionWorkflowIdOf = (objectionId: string) => `objection-${objectionId}`;

/** One workflow per asset search follows its requests to the institutions. */
export const assetSearchWorkflowIdOf = (searchId: string) => `asset-search-${searchId}`;

/** One workflow per freeze follows its orders and its expiry. */
export const freezeWorkflowIdOf = (freezeId: string) => `freeze-${freezeId}`;
