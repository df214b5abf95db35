import type { Client } from '@temporalio/client';
import type { sanctionWorkflow } from '../../workflows/sanction.js';
import type { SanctionWorkflowInput } from '../../workflows/types.js';

/** Search attributes the coordinator sets; registered on the server at start. No personal data. */
export const SEARCH_ATTRIBUTES = { SanctionStatus: 'Keyword', CourtCode: 'Keyword' } as const;

export const workflowIdOf = (listingId: string) => `sanction-${listingId}`;

/** The API's only door into Temporal. */
export function createWorkflowGateway(client: Client, taskQueue: string) {
  return {
    /**
     * Starts the listing's workflow, or does nothing when it already runs: the
     * id is derived from the listing, so retries and repeated POSTs converge
     * on one workflow.
     */
    async startSanction(input: SanctionWorkflowInput & { courtCode: string }): Promise<void> {
      const { courtCode, ...args } = input;
      await client.workflow.start<typeof sanctionWorkflow>('sanctionWorkflow', {
        workflowId: workflowIdOf(input.listingId),
        taskQueue,
        args: [args],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        searchAttributes: { SanctionStatus: ['active'], CourtCode: [courtCode] },
      });
    },
  };
}

export type WorkflowGateway = ReturnType<typeof createWorkflowGateway>;
