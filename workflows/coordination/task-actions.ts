import { ApplicationFailure, condition, patched, setHandler } from '@temporalio/workflow';
import { REJECTIONS, acknowledgeTaskUpdate, completeTaskUpdate, taskAcknowledgedSignal, type TaskActionInput, type TaskActionResult } from '../messages.js';
import type { TaskTransition, TrackedTask } from '../types.js';
import { records } from './activities.js';
import { refuseWhileClosing, type Run } from './run.js';

// Where the read model of an acknowledgment was written, by version:
// 1. the workflow's activity, before the update answered;
// 2. the caller, after the update answered, with the activity as a fallback it did not wait for;
// 3. (now) the workflow's activity again, before the update answers: one writer.
const CALLER_WRITES_TRANSITIONS = 'caller-writes-task-transitions';
const WORKFLOW_WRITES_TRANSITIONS = 'workflow-writes-task-transitions';

/**
 * Acknowledge and complete: a party acts on its own task. Validators refuse a
 * task of another party, an unknown or cancelled one, before anything enters
 * history; a repeat changes nothing and says so. Acknowledgments are accepted
 * by the read model now and arrive as a signal; the update serves callers of
 * earlier versions.
 */
export function handleTaskActions(listingId: string, tasks: TrackedTask[], run: Run): void {
  const validate = ({ taskId, departmentCode }: TaskActionInput) => {
    refuseWhileClosing(run);
    const task = tasks.find((t) => t.taskId === taskId) ?? run.dispatching.get(taskId);
    if (!task) throw ApplicationFailure.create({ type: REJECTIONS.unknownTask, message: `no task ${taskId} in this listing` });
    if (task.departmentCode !== departmentCode) {
      throw ApplicationFailure.create({ type: REJECTIONS.wrongDepartment, message: `task ${taskId} belongs to department ${task.departmentCode}` });
    }
    if ('status' in task && task.status === 'cancelled') {
      throw ApplicationFailure.create({ type: REJECTIONS.taskClosed, message: `task ${taskId} was cancelled when the sanction was lifted` });
    }
    if ('status' in task && (task.status === 'declined' || task.status === 'reassigned')) {
      throw ApplicationFailure.create({ type: REJECTIONS.wrongState, message: `task ${taskId} is ${task.status}: the supervisors decide who applies it` });
    }
  };

  const act = (transition: 'acknowledged' | 'completed') => async (action: TaskActionInput): Promise<TaskActionResult> => {
    // A party may answer a notice before the dispatch activity has returned.
    await condition(() => tasks.some((t) => t.taskId === action.taskId));
    const task = tasks.find((t) => t.taskId === action.taskId)!;
    const done = task.status === 'completed' || task.status === 'verified' || (transition === 'acknowledged' && task.status === 'acknowledged');
    if (done) return { taskId: task.taskId, kind: task.kind, status: task.status, changed: false };
    task.status = transition;
    run.pending = true;
    const record: TaskTransition = {
      taskId: task.taskId,
      listingId,
      transition,
      at: new Date().toISOString(),
      by: action.by,
      note: action.note,
      reference: action.reference,
      ...(action.feedback ? { feedback: action.feedback } : {}),
    };
    await writeTransition(record, run);
    return { taskId: task.taskId, kind: task.kind, status: task.status, changed: true };
  };

  setHandler(acknowledgeTaskUpdate, act('acknowledged'), { validator: validate });
  setHandler(completeTaskUpdate, act('completed'), { validator: validate });

  // Accepted and recorded before it was sent: the workflow only follows. A task being dispatched
  // is waited for; a repeat, or an acknowledgment that a lift or a decline overtook here, changes nothing.
  setHandler(taskAcknowledgedSignal, async ({ taskId }) => {
    if (!run.dispatching.has(taskId) && !tasks.some((t) => t.taskId === taskId)) return;
    await condition(() => tasks.some((t) => t.taskId === taskId));
    const task = tasks.find((t) => t.taskId === taskId)!;
    if (task.status !== 'pending') return;
    task.status = 'acknowledged';
    run.pending = true;
  });
}

async function writeTransition(record: TaskTransition, run: Run): Promise<void> {
  if (patched(WORKFLOW_WRITES_TRANSITIONS) || !patched(CALLER_WRITES_TRANSITIONS)) {
    await records.recordTaskTransition(record);
    return;
  }
  // Version 2: not waited for; the run settles it before it ends.
  const pending: Promise<void> = records.recordTaskTransition(record).finally(() => run.writes.delete(pending));
  run.writes.add(pending);
}
