// The worker bundles this file: every workflow the task queue serves is exported here.
export { listingImportWorkflow } from './listing-import.js';
export { listingRelayWorkflow } from './listing-relay.js';
export { sanctionWorkflow } from './sanction.js';
export { webhookDeliveryWorkflow } from './webhook-delivery.js';
export { objectionWorkflow } from './objection.js';
export { assetSearchWorkflow } from './asset-search.js';
export { freezeWorkflow } from './freeze.js';
