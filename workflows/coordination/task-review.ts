import { ApplicationFailure, setHandler, uuid4 } from '@temporalio/workflow';
import { DEADLINE_KINDS, openDeadlineOf } from '../../domain/tasks.js';
import {
  REJECTIONS,
  declineTaskUpdate,
  moveDeadlineUpdate,
  reassignTaskUpdate,
  returnTaskUpdate,
  sendBackTaskUpdate,
  verifyTaskUpdate,
  type ReviewResult,
} from '../messages.js';
import type { TaskScheduleData, TaskStatus, TrackedTask } from '../types.js';
import { records } from './activities.js';
import { dispatchTasks } from './dispatch.js';
import { refuseWhileClosing, type Run } from './run.js';

const now = () => new Date().toISOString();

function refuse(message: string): never {
  throw ApplicationFailure.create({ type: REJECTIONS.wrongState, message });
}

/**
 * What departments and supervisors decide about a task besides acknowledging
 * and completing it: "not ours" and what a supervisor makes of it (reassign,
 * return), more time (a granted extension moves the deadline), and the
 * sign-off (verify, or send the completion back). Validators refuse an action
 * the task's state does not allow before anything enters history.
 */
export function handleTaskReview(listingId: string, tasks: TrackedTask[], run: Run): void {
  const taskOf = (taskId: string): TrackedTask => {
    refuseWhileClosing(run);
    const task = tasks.find((t) => t.taskId === taskId);
    if (!task) throw ApplicationFailure.create({ type: REJECTIONS.unknownTask, message: `no task ${taskId} in this listing` });
    if (task.status === 'cancelled') throw ApplicationFailure.create({ type: REJECTIONS.taskClosed, message: `task ${taskId} was cancelled when the sanction was lifted` });
    return task;
  };
  const requireStatus = (taskId: string, allowed: TaskStatus[]): void => {
    const { status } = taskOf(taskId);
    if (!allowed.includes(status)) refuse(`task ${taskId} is ${status}, not ${allowed.join(' or ')}`);
  };
  const unchanged = (task: TrackedTask): ReviewResult => ({ taskId: task.taskId, status: task.status, changed: false });
  /** A new schedule: the alarms of each moved deadline are taken again, from the first step. */
  const reschedule = (task: TrackedTask, schedule: TaskScheduleData) => {
    const moved = DEADLINE_KINDS.filter((deadline) => schedule[`${deadline}DueAt`] !== task.schedule[`${deadline}DueAt`]);
    task.alarmsTaken = task.alarmsTaken.filter((key) => !moved.some((deadline) => key.includes(`:${deadline}`)));
    task.schedule = schedule;
    task.escalationLevel = 0;
    run.pending = true;
  };

  setHandler(
    declineTaskUpdate,
    async (input) => {
      const task = tasks.find((t) => t.taskId === input.taskId)!;
      if (task.status === 'declined') return unchanged(task);
      task.declinedFrom = task.status as 'pending' | 'acknowledged';
      task.status = 'declined';
      run.pending = true;
      await records.recordDecline({ listingId, taskId: task.taskId, by: input.by, reason: input.reason, suggestedDepartmentCode: input.suggestedDepartmentCode, at: now() });
      return { taskId: task.taskId, status: task.status, changed: true };
    },
    {
      validator: (input) => {
        const task = taskOf(input.taskId);
        if (task.departmentCode !== input.departmentCode) {
          throw ApplicationFailure.create({ type: REJECTIONS.wrongDepartment, message: `task ${task.taskId} belongs to department ${task.departmentCode}` });
        }
        if (task.status !== 'pending' && task.status !== 'acknowledged' && task.status !== 'declined') refuse(`task ${task.taskId} is ${task.status}: only an open task can be declined`);
      },
    },
  );

  setHandler(
    returnTaskUpdate,
    async (input) => {
      const task = tasks.find((t) => t.taskId === input.taskId)!;
      const status: TaskStatus = task.declinedFrom ?? 'pending';
      const schedule = await records.recordReturn({ listingId, taskId: task.taskId, by: input.by, reason: input.reason ?? '', status, at: now() });
      task.status = status;
      delete task.declinedFrom;
      reschedule(task, schedule);
      return { taskId: task.taskId, status: task.status, changed: true };
    },
    { validator: (input) => requireStatus(input.taskId, ['declined']) },
  );

  setHandler(
    reassignTaskUpdate,
    async (input) => {
      const task = tasks.find((t) => t.taskId === input.taskId)!;
      task.status = 'reassigned';
      run.pending = true;
      const newTaskId = uuid4();
      await records.recordReassignment({ listingId, taskId: task.taskId, by: input.by, reason: input.reason ?? '', departmentCode: input.departmentCode, newTaskId, at: now() });
      // A fresh task with fresh deadlines, in a round of its own: the declined task's id.
      await dispatchTasks(listingId, tasks, run, task.kind, [{ taskId: newTaskId, departmentCode: input.departmentCode, measures: task.measures }], { round: task.taskId, reassignedFrom: task.taskId });
      return { taskId: task.taskId, status: task.status, changed: true, newTaskId };
    },
    {
      validator: (input) => {
        const task = taskOf(input.taskId);
        if (task.status !== 'declined') refuse(`task ${task.taskId} is not declined`);
        if (input.departmentCode === task.departmentCode) refuse('a task is reassigned to another department');
      },
    },
  );

  setHandler(
    verifyTaskUpdate,
    async (input) => {
      const task = tasks.find((t) => t.taskId === input.taskId)!;
      if (task.status === 'verified') return unchanged(task);
      task.status = 'verified';
      run.pending = true;
      await records.recordVerification({ listingId, taskId: task.taskId, by: input.by, at: now() });
      return { taskId: task.taskId, status: task.status, changed: true };
    },
    { validator: (input) => requireStatus(input.taskId, ['completed', 'verified']) },
  );

  setHandler(
    sendBackTaskUpdate,
    async (input) => {
      const task = tasks.find((t) => t.taskId === input.taskId)!;
      const schedule = await records.recordSendBack({ listingId, taskId: task.taskId, by: input.by, reason: input.reason ?? '', at: now() });
      task.status = 'acknowledged';
      reschedule(task, schedule);
      return { taskId: task.taskId, status: task.status, changed: true };
    },
    // A verified task stays verified.
    { validator: (input) => requireStatus(input.taskId, ['completed']) },
  );

  setHandler(
    moveDeadlineUpdate,
    async (input) => {
      const task = tasks.find((t) => t.taskId === input.taskId)!;
      const deadline = openDeadlineOf(task.status)!;
      // The deadline is at the granted date already (the same grant sent again, e.g. to the run after a
      // continue-as-new): nothing moves twice.
      if (Date.parse(input.until) === Date.parse(task.schedule[`${deadline}DueAt`])) return { ...unchanged(task), deadline };
      const schedule = await records.recordDeadlineMove({ listingId, taskId: task.taskId, extensionId: input.extensionId, by: input.by, reason: input.reason, deadline, until: input.until, at: now() });
      reschedule(task, schedule);
      return { taskId: task.taskId, status: task.status, changed: true, deadline };
    },
    {
      validator: (input) => {
        const task = taskOf(input.taskId);
        const deadline = openDeadlineOf(task.status);
        if (deadline === null) refuse(`task ${task.taskId} is ${task.status}: it has no open deadline to move`);
        if (Date.parse(input.until) < Date.parse(task.schedule[`${deadline}DueAt`])) refuse('an extension moves the deadline later');
      },
    },
  );
}
