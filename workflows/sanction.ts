import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { dueAlarms, nextAlarmAt, type Alarm } from './alarms.js';
import {
  REJECTIONS,
  acknowledgeTaskUpdate,
  completeTaskUpdate,
  extendPeriodUpdate,
  requestLiftUpdate,
  stateQuery,
  type TaskActionInput,
  type TaskActionResult,
} from './messages.js';
import type {
  LiftRequest,
  ListingStatus,
  SanctionOutcome,
  SanctionState,
  SanctionWorkflowInput,
  TaskKind,
  TaskToDispatch,
  TaskTransition,
  TrackedTask,
} from './types.js';

const records = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** Since this change, the caller of an acknowledgment writes the read model; the workflow's write is the fallback. */
const CALLER_WRITES_TRANSITIONS = 'caller-writes-task-transitions';
const EXTENSION_RECORDED_FIRST = 'extension-recorded-first';

// Mail is retried for as long as it takes: an SMTP outage delays a notice, it
// never drops one. The Message-ID is fixed per task and notice, so a retry
// after an ambiguous failure is the same message again, not a new one.
const mail = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * The lifecycle of one listing: dispatch a task to every responsible
 * department, follow each deadline with reminders and escalations, and when
 * the debtor performs (or the listing is revoked or expires) lift every
 * sanction the same way, then close.
 */
export async function sanctionWorkflow(input: SanctionWorkflowInput): Promise<SanctionOutcome> {
  const state: SanctionState = input.state ?? {
    listingId: input.listingId,
    courtCode: input.courtCode,
    phase: 'imposing',
    expiresAt: input.expiresAt,
    lift: null,
    tasks: [],
    imposePhaseSettled: false,
  };
  const wake: Wake = { pending: false, dispatching: new Map(), writes: new Set(), closing: false };
  installHandlers(state, wake);

  if (state.phase === 'imposing') {
    if (!state.tasks.some((task) => task.kind === 'impose')) {
      await dispatchPhase(state, wake, 'impose', input.plan.map((entry) => ({ ...entry, taskId: uuid4() })));
    }
    const expired = () => state.expiresAt !== null && Date.now() >= Date.parse(state.expiresAt);
    await superviseUntil(state, wake, () => state.lift !== null || expired(), input);
    state.lift ??= { reason: 'expiry', by: 'system', requestedAt: new Date().toISOString() };
    await beginLift(state, wake);
  }
  if (state.phase === 'lifting') {
    await superviseUntil(state, wake, () => tasksOf(state, 'lift').every((task) => task.status === 'completed'), input);
    await close(state);
  }
  await settle(wake);
  return { listingId: state.listingId, status: finalStatus(state), tasks: state.tasks.length };
}

/** What handlers share with the main loop besides the state: a flag that wakes it, and the tasks being dispatched. */
interface Wake {
  pending: boolean;
  /** Tasks whose dispatch activity is running: their rows may already be visible to departments. */
  dispatching: Map<string, { departmentCode: string }>;
  /** Read-model writes the handlers started without waiting; finished before the run ends. */
  writes: Set<Promise<void>>;
  /** Set when the run is about to end (close or continue as new): new updates are turned away to the next run. */
  closing: boolean;
}

function installHandlers(state: SanctionState, wake: Wake): void {
  setHandler(stateQuery, () => state);

  const refuseWhileClosing = () => {
    if (wake.closing) throw ApplicationFailure.create({ type: REJECTIONS.continuing, message: 'this run is ending; send the update again' });
  };
  const validateTaskAction = ({ taskId, departmentCode }: TaskActionInput) => {
    refuseWhileClosing();
    const task = state.tasks.find((t) => t.taskId === taskId) ?? wake.dispatching.get(taskId);
    if (!task) throw ApplicationFailure.create({ type: REJECTIONS.unknownTask, message: `no task ${taskId} in this listing` });
    if (task.departmentCode !== departmentCode) {
      throw ApplicationFailure.create({ type: REJECTIONS.wrongDepartment, message: `task ${taskId} belongs to department ${task.departmentCode}` });
    }
    if ('status' in task && task.status === 'cancelled') {
      throw ApplicationFailure.create({ type: REJECTIONS.taskClosed, message: `task ${taskId} was cancelled when the sanction was lifted` });
    }
  };
  const taskAction = (transition: 'acknowledged' | 'completed') => async (action: TaskActionInput): Promise<TaskActionResult> => {
    // A department may answer a notice before the dispatch activity has returned.
    await condition(() => state.tasks.some((t) => t.taskId === action.taskId));
    const task = state.tasks.find((t) => t.taskId === action.taskId)!;
    const done = task.status === 'completed' || (transition === 'acknowledged' && task.status === 'acknowledged');
    if (done) return { taskId: task.taskId, kind: task.kind, status: task.status, changed: false };
    task.status = transition;
    wake.pending = true;
    const record: TaskTransition = {
      taskId: task.taskId,
      listingId: state.listingId,
      transition,
      at: new Date().toISOString(),
      by: action.by,
      note: action.note,
      reference: action.reference,
    };
    if (patched(CALLER_WRITES_TRANSITIONS)) {
      // The caller writes the read model before it answers; this activity
      // writes the same record in case the caller stopped first. The answer
      // does not wait for it: one workflow task per acknowledgment.
      const pending: Promise<void> = records.recordTaskTransition(record).finally(() => wake.writes.delete(pending));
      wake.writes.add(pending);
    } else {
      await records.recordTaskTransition(record);
    }
    return { taskId: task.taskId, kind: task.kind, status: task.status, changed: true, transition: record };
  };
  setHandler(acknowledgeTaskUpdate, taskAction('acknowledged'), { validator: validateTaskAction });
  setHandler(completeTaskUpdate, taskAction('completed'), { validator: validateTaskAction });

  setHandler(
    requestLiftUpdate,
    async (request) => {
      if (state.lift) return { phase: state.phase, changed: false };
      state.lift = { ...request, requestedAt: new Date().toISOString() };
      wake.pending = true;
      return { phase: state.phase, changed: true };
    },
    {
      validator: (_request: LiftRequest) => {
        refuseWhileClosing();
        if (state.phase === 'closed') throw ApplicationFailure.create({ type: REJECTIONS.listingClosed, message: 'the listing is closed' });
      },
    },
  );

  setHandler(
    extendPeriodUpdate,
    async (request) => {
      const record = () => records.recordPeriodExtension({ listingId: state.listingId, expiresAt: request.expiresAt, by: request.by, reason: request.reason, at: new Date().toISOString() });
      // Recorded first, then applied: an extension the workflow knows is always one the read model shows.
      const recordFirst = patched(EXTENSION_RECORDED_FIRST);
      if (recordFirst) await record();
      state.expiresAt = request.expiresAt;
      wake.pending = true;
      if (!recordFirst) await record();
      return { expiresAt: request.expiresAt };
    },
    {
      validator: (request) => {
        refuseWhileClosing();
        if (state.phase !== 'imposing' || state.lift) throw ApplicationFailure.create({ type: REJECTIONS.listingClosed, message: 'the sanction is being lifted' });
        if (state.expiresAt === null || Date.parse(request.expiresAt) <= Date.parse(state.expiresAt)) {
          throw ApplicationFailure.create({ type: REJECTIONS.badExtension, message: 'only a fixed period can be extended, and only to a later date' });
        }
      },
    },
  );
}

/** Creates a phase's tasks (one transaction) and sends each department its notice. */
async function dispatchPhase(state: SanctionState, wake: Wake, kind: TaskKind, tasks: TaskToDispatch[]): Promise<void> {
  for (const task of tasks) wake.dispatching.set(task.taskId, task);
  const dispatched = await records.dispatchTasks({ listingId: state.listingId, kind, tasks });
  wake.dispatching.clear();
  state.tasks.push(...dispatched.map((task) => ({ ...task, kind, status: 'pending' as const, escalationLevel: 0, alarmsTaken: [] })));
  const type = kind === 'impose' ? 'notice' : 'lift-notice';
  await Promise.all(dispatched.map((task) => mail.sendTaskMail({ taskId: task.taskId, type })));
}

/**
 * Waits until `done`, taking each reminder and escalation step as it falls
 * due. One timer at a time, for the earliest alarm; updates wake it early.
 */
async function superviseUntil(
  state: SanctionState,
  wake: Wake,
  done: () => boolean,
  input: SanctionWorkflowInput,
): Promise<void> {
  for (;;) {
    await takeDueAlarms(state);
    if (done()) return;
    await settleImposePhase(state, wake, input);
    if (workflowInfo().continueAsNewSuggested) await continueWith(state, wake, input);

    const next = [nextAlarmAt(state.tasks), state.phase === 'imposing' && state.expiresAt ? Date.parse(state.expiresAt) : null]
      .filter((at): at is number => at !== null)
      .reduce<number | null>((earliest, at) => (earliest === null || at < earliest ? at : earliest), null);
    wake.pending = false;
    if (next === null) await condition(() => wake.pending || done());
    else await condition(() => wake.pending || done(), Math.max(next - Date.now(), 1));
  }
}

/** Due alarms of different tasks run side by side; one task's steps run in order. */
async function takeDueAlarms(state: SanctionState): Promise<void> {
  const byTask = new Map<string, Alarm[]>();
  for (const alarm of dueAlarms(state.tasks, Date.now())) byTask.set(alarm.taskId, [...(byTask.get(alarm.taskId) ?? []), alarm]);
  await Promise.all(
    [...byTask.values()].map(async (alarms) => {
      for (const alarm of alarms) await takeAlarm(state, alarm);
    }),
  );
}

async function takeAlarm(state: SanctionState, alarm: Alarm): Promise<void> {
  const task = state.tasks.find((t) => t.taskId === alarm.taskId)!;
  task.alarmsTaken.push(alarm.key);
  const dueAt = Date.parse(alarm.deadline === 'acknowledge' ? task.schedule.acknowledgeDueAt : task.schedule.completeDueAt);
  if (alarm.action.type === 'reminder') {
    // A reminder that comes too late (the worker was down) would only confuse.
    if (Date.now() < dueAt) await mail.sendTaskMail({ taskId: task.taskId, type: 'reminder', deadline: alarm.deadline });
    return;
  }
  const { level, notify } = alarm.action;
  task.escalationLevel = Math.max(task.escalationLevel, level);
  await records.recordEscalation({ taskId: task.taskId, listingId: state.listingId, deadline: alarm.deadline, level, notify, at: new Date().toISOString() });
  await mail.sendTaskMail({ taskId: task.taskId, type: 'escalation', deadline: alarm.deadline, level, notify });
}

/** Cancels what is still open in the impose phase and dispatches a lift task to every department that had an impose task. */
async function beginLift(state: SanctionState, wake: Wake): Promise<void> {
  const lift = state.lift!;
  const open = tasksOf(state, 'impose').filter((task) => task.status === 'pending' || task.status === 'acknowledged');
  for (const task of open) task.status = 'cancelled';
  state.phase = 'lifting';
  await records.beginLifting({
    listingId: state.listingId,
    reason: lift.reason,
    by: lift.by,
    note: lift.note,
    performedAt: lift.performedAt,
    at: lift.requestedAt,
    cancelledTaskIds: open.map((task) => task.taskId),
  });
  upsertSearchAttributes({ SanctionStatus: ['lifting'] });
  const liftTasks = tasksOf(state, 'impose').map((task) => ({ taskId: uuid4(), departmentCode: task.departmentCode, measures: task.measures }));
  await dispatchPhase(state, wake, 'lift', liftTasks);
}

async function close(state: SanctionState): Promise<void> {
  state.phase = 'closed';
  const status = finalStatus(state);
  await records.closeListing({ listingId: state.listingId, status, at: new Date().toISOString() });
  upsertSearchAttributes({ SanctionStatus: [status] });
  await Promise.all(tasksOf(state, 'lift').map((task) => mail.sendTaskMail({ taskId: task.taskId, type: 'closed' })));
}

/**
 * A listing without a fixed term may wait years for performance. Once every
 * impose task is done, its history is shed once by continuing as new, so the
 * long wait runs on a short history with the current workflow code.
 */
async function settleImposePhase(state: SanctionState, wake: Wake, input: SanctionWorkflowInput): Promise<void> {
  if (state.phase !== 'imposing' || state.imposePhaseSettled || state.lift) return;
  if (!tasksOf(state, 'impose').every((task) => task.status === 'completed')) return;
  state.imposePhaseSettled = true;
  await continueWith(state, wake, input);
}

/** No update handler still running, no read-model write still pending; later updates go to the next run. */
async function settle(wake: Wake): Promise<void> {
  wake.closing = true;
  await condition(allHandlersFinished);
  while (wake.writes.size > 0) await Promise.all([...wake.writes]);
}

async function continueWith(state: SanctionState, wake: Wake, input: SanctionWorkflowInput): Promise<never> {
  await settle(wake);
  return continueAsNew<typeof sanctionWorkflow>({ ...input, state });
}

function tasksOf(state: SanctionState, kind: TaskKind): TrackedTask[] {
  return state.tasks.filter((task) => task.kind === kind);
}

function finalStatus(state: SanctionState): ListingStatus {
  if (state.phase !== 'closed') return state.phase === 'lifting' ? 'lifting' : 'active';
  return state.lift?.reason === 'revocation' ? 'revoked' : 'lifted';
}
