import type { TaskKind, TaskToDispatch, TrackedTask } from '../types.js';
import { mail, records } from './activities.js';
import type { Run } from './run.js';

/** Creates a round of tasks (one transaction) and sends each party its notice. */
export async function dispatchTasks(listingId: string, tasks: TrackedTask[], run: Run, kind: TaskKind, round: TaskToDispatch[]): Promise<void> {
  for (const task of round) run.dispatching.set(task.taskId, task);
  const dispatched = await records.dispatchTasks({ listingId, kind, tasks: round });
  run.dispatching.clear();
  tasks.push(...dispatched.map((task) => ({ ...task, kind, status: 'pending' as const, escalationLevel: 0, alarmsTaken: [] })));
  const type = kind === 'impose' ? 'notice' : 'lift-notice';
  await Promise.all(dispatched.map((task) => mail.sendTaskMail({ taskId: task.taskId, type })));
}
