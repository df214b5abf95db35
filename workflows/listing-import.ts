import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

// A database or workflow-engine outage delays an import; it never ends it.
const imports = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * A court's spreadsheet, recorded batch by batch after the whole file was
 * checked. Progress lives in the read model, so a worker that stops carries
 * on from the last recorded batch wherever the workflow resumes.
 */
export async function listingImportWorkflow(importId: string): Promise<void> {
  for (;;) {
    const { done } = await imports.recordImportBatch(importId);
    if (done) return;
    if (workflowInfo().continueAsNewSuggested) return continueAsNew<typeof listingImportWorkflow>(importId);
  }
}
