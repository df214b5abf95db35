import { patched } from '@temporalio/workflow';
import type { TaskKind, TaskToDispatch, TrackedTask } from '../types.js';
import { mail, records } from './activities.js';
import type { Run } from './run.js';

export interface RoundOptions {
  /** What the deadlines count from, when not the dispatch: the court's decision a lift follows. */
  countFrom?: string | undefined;
  /** Which round of its kind: the correction's id for a correction round, the declined task's id for a reassignment. */
  round?: string | undefined;
  /** The declined task a reassigned task replaces. */
  reassignedFrom?: string | undefined;
  /** The listing's first round: the public-role notice (art. 8) goes out with its notices. */
  withPublicRoleNotice?: boolean;
}

/**
 * Since this change a round's notices go out from one activity (one query for
 * the tasks, one claim, one audit write) instead of one activity per notice;
 * runs dispatched before it replay as they ran.
 */
export const ROUND_MAILS = 'round-mails';

/** Whether this run sends its rounds' mails from one activity; before this change it sent one activity per task. */
export const sendsRoundMails = (): boolean => patched(ROUND_MAILS);

/**
 * Creates a round of tasks (one transaction) and sends each party its notice.
 * True when the round's mails went out from one activity, public-role notice
 * included; false for a run dispatched before that, which sends it on its own.
 */
export async function dispatchTasks(listingId: string, tasks: TrackedTask[], run: Run, kind: TaskKind, round: TaskToDispatch[], { countFrom, round: roundId, reassignedFrom, withPublicRoleNotice = false }: RoundOptions = {}): Promise<boolean> {
  for (const task of round) run.dispatching.set(task.taskId, task);
  const dispatched = await records.dispatchTasks({ listingId, kind, tasks: round, ...(countFrom ? { countFrom } : {}), ...(roundId ? { round: roundId } : {}), ...(reassignedFrom ? { reassignedFrom } : {}) });
  for (const task of round) run.dispatching.delete(task.taskId);
  tasks.push(...dispatched.map((task) => ({ ...task, kind, status: 'pending' as const, escalationLevel: 0, alarmsTaken: [] })));
  const type = ({ impose: 'notice', lift: 'lift-notice', correct: 'correction' } as const)[kind];
  if (sendsRoundMails()) {
    await mail.sendRoundMails({ listingId, taskIds: dispatched.map((task) => task.taskId), type, ...(withPublicRoleNotice ? { withPublicRoleNotice } : {}) });
    return true;
  }
  await Promise.all(dispatched.map((task) => mail.sendTaskMail({ taskId: task.taskId, type })));
  return false;
}
