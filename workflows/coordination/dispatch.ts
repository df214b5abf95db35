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
}

/** Creates a round of tasks (one transaction) and sends each party its notice. */
export async function dispatchTasks(listingId: string, tasks: TrackedTask[], run: Run, kind: TaskKind, round: TaskToDispatch[], { countFrom, round: roundId, reassignedFrom }: RoundOptions = {}): Promise<void> {
  for (const task of round) run.dispatching.set(task.taskId, task);
  const dispatched = await records.dispatchTasks({ listingId, kind, tasks: round, ...(countFrom ? { countFrom } : {}), ...(roundId ? { round: roundId } : {}), ...(reassignedFrom ? { reassignedFrom } : {}) });
  for (const task of round) run.dispatching.delete(task.taskId);
  tasks.push(...dispatched.map((task) => ({ ...task, kind, status: 'pending' as const, escalationLevel: 0, alarmsTaken: [] })));
  const type = ({ impose: 'notice', lift: 'lift-notice', correct: 'correction' } as const)[kind];
  await Promise.all(dispatched.map((task) => mail.sendTaskMail({ taskId: task.taskId, type })));
}
