import { Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import { listingIdOf } from '../workflows/workflow-id.js';

/**
 * The worker's logger bound to the activity running now: every line names the
 * workflow and listing it works for, the activity and its attempt, so one
 * listing's story can be read from the logs. Outside an activity (direct calls
 * in tests) it is the logger as given.
 */
export function activityLog(log: Logger): Logger {
  let info: Context['info'];
  try {
    info = Context.current().info;
  } catch {
    return log;
  }
  const workflowId = info.workflowExecution?.workflowId;
  const listingId = workflowId === undefined ? undefined : listingIdOf(workflowId);
  return log.child({ workflowId, listingId, activity: info.activityType, attempt: info.attempt });
}
