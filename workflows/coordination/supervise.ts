import { condition } from '@temporalio/workflow';
import type { TrackedTask } from '../types.js';
import { mail, records } from './activities.js';
import { dueAlarms, nextAlarmAt, type Alarm } from './alarms.js';
import type { Run } from './run.js';

export interface Supervision {
  listingId: string;
  tasks: TrackedTask[];
  run: Run;
  /** Another instant to wake at besides the tasks' alarms (a listing's expiry), or null. */
  alsoWakeAt(): number | null;
  /** Work between two waits (shedding history); it may end the run by continuing as new. */
  betweenWaits(): Promise<void>;
}

/**
 * Waits until `done`, taking each reminder and escalation step as it falls
 * due. One timer at a time, for the earliest alarm; updates wake it early.
 */
export async function superviseUntil(supervision: Supervision, done: () => boolean): Promise<void> {
  const { tasks, run } = supervision;
  for (;;) {
    await takeDueAlarms(supervision);
    if (done()) return;
    await supervision.betweenWaits();

    const next = [nextAlarmAt(tasks), supervision.alsoWakeAt()]
      .filter((at): at is number => at !== null)
      .reduce<number | null>((earliest, at) => (earliest === null || at < earliest ? at : earliest), null);
    run.pending = false;
    if (next === null) await condition(() => run.pending || done());
    else await condition(() => run.pending || done(), Math.max(next - Date.now(), 1));
  }
}

/** Due alarms of different tasks run side by side; one task's steps run in order. */
async function takeDueAlarms({ tasks, listingId }: Supervision): Promise<void> {
  const byTask = new Map<string, Alarm[]>();
  for (const alarm of dueAlarms(tasks, Date.now())) byTask.set(alarm.taskId, [...(byTask.get(alarm.taskId) ?? []), alarm]);
  await Promise.all(
    [...byTask.values()].map(async (alarms) => {
      for (const alarm of alarms) await takeAlarm(listingId, tasks.find((t) => t.taskId === alarm.taskId)!, alarm);
    }),
  );
}

async function takeAlarm(listingId: string, task: TrackedTask, alarm: Alarm): Promise<void> {
  task.alarmsTaken.push(alarm.key);
  const dueAt = Date.parse(alarm.deadline === 'acknowledge' ? task.schedule.acknowledgeDueAt : task.schedule.completeDueAt);
  if (alarm.action.type === 'reminder') {
    // A reminder that comes too late (the worker was down) would only confuse.
    if (Date.now() < dueAt) await mail.sendTaskMail({ taskId: task.taskId, type: 'reminder', deadline: alarm.deadline });
    return;
  }
  const { level, notify } = alarm.action;
  task.escalationLevel = Math.max(task.escalationLevel, level);
  await records.recordEscalation({ taskId: task.taskId, listingId, deadline: alarm.deadline, level, notify, at: new Date().toISOString() });
  await mail.sendTaskMail({ taskId: task.taskId, type: 'escalation', deadline: alarm.deadline, level, notify });
}
