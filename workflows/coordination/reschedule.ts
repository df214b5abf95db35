import { condition, setHandler } from '@temporalio/workflow';
import { openDeadlineOf } from '../../domain/tasks.js';
import { rescheduleUpdate } from '../messages.js';
import type { TrackedTask } from '../types.js';
import { records } from './activities.js';
import { refuseWhileClosing, type Run } from './run.js';

/**
 * A task's deadlines are fixed at dispatch, except those counted on a
 * provisional holiday year or past the calendar's data: when the data is
 * completed, they are counted again and the alarms follow the new instants.
 * Alarms already taken stay taken.
 */
export function handleReschedule(listingId: string, tasks: TrackedTask[], run: Run): void {
  setHandler(
    rescheduleUpdate,
    async () => {
      // A round being dispatched is in the database but not yet here: count its deadlines too.
      await condition(() => run.dispatching.size === 0);
      const open = tasks.filter((task) => openDeadlineOf(task.status) !== null).map((task) => task.taskId);
      const recomputed = await records.recomputeSchedules({ listingId, taskIds: open });
      for (const { taskId, schedule } of recomputed) {
        const task = tasks.find((t) => t.taskId === taskId);
        if (task) task.schedule = schedule;
      }
      run.pending = true;
      return { rescheduled: recomputed.length };
    },
    { validator: () => refuseWhileClosing(run) },
  );
}
