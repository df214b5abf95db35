/**
 * Which reminders and escalation steps of a task are due. Pure functions of
 * the tracked state and the current time, so the workflow stays deterministic
 * and this logic is unit-testable.
 */
import { DEADLINE_KINDS, isDeadlineOpen, type DeadlineKind, type EscalationTarget } from '../../domain/tasks.js';
import type { TrackedTask } from '../types.js';

export interface Alarm {
  key: string;
  taskId: string;
  deadline: DeadlineKind;
  at: number;
  action: { type: 'reminder' } | { type: 'escalation'; level: number; notify: EscalationTarget };
}

function alarmsOf(task: TrackedTask): Alarm[] {
  const alarms: Alarm[] = [];
  for (const deadline of DEADLINE_KINDS) {
    if (!isDeadlineOpen(task.status, deadline)) continue;
    const reminderAt = deadline === 'acknowledge' ? task.schedule.acknowledgeReminderAt : task.schedule.completeReminderAt;
    if (reminderAt) {
      alarms.push({ key: `reminder:${deadline}`, taskId: task.taskId, deadline, at: Date.parse(reminderAt), action: { type: 'reminder' } });
    }
    for (const step of task.schedule.escalations[deadline]) {
      alarms.push({
        key: `escalation:${deadline}:${step.level}`,
        taskId: task.taskId,
        deadline,
        at: Date.parse(step.at),
        action: { type: 'escalation', level: step.level, notify: step.notify },
      });
    }
  }
  return alarms.filter((alarm) => !task.alarmsTaken.includes(alarm.key));
}

/** Alarms due at `now`, oldest first. */
export function dueAlarms(tasks: TrackedTask[], now: number): Alarm[] {
  return tasks
    .flatMap(alarmsOf)
    .filter((alarm) => alarm.at <= now)
    .sort((a, b) => a.at - b.at);
}

/** The earliest alarm still to come, or null when nothing is left to wait for. */
export function nextAlarmAt(tasks: TrackedTask[]): number | null {
  let next: number | null = null;
  for (const alarm of tasks.flatMap(alarmsOf)) if (next === null || alarm.at < next) next = alarm.at;
  return next;
}
