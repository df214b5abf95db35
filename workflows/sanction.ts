import { proxyActivities, uuid4 } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { SanctionWorkflowInput } from './types.js';

const { dispatchTasks } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

// Mail is retried for as long as it takes: an SMTP outage delays a notice, it
// never drops one. The Message-ID is fixed per task and type, so a retry after
// an ambiguous failure is the same message again, not a new one.
const { sendTaskMail } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** The lifecycle of one listing: dispatch a task to every responsible department and notify each. */
export async function sanctionWorkflow(input: SanctionWorkflowInput): Promise<void> {
  const tasks = input.plan.map((entry) => ({ ...entry, taskId: uuid4() }));
  const dispatched = await dispatchTasks({ listingId: input.listingId, kind: 'impose', tasks });
  await Promise.all(dispatched.map((task) => sendTaskMail({ taskId: task.taskId, type: 'notice' })));
}
