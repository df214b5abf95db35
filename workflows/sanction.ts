import { condition, continueAsNew, patched, setHandler, upsertSearchAttributes, uuid4, workflowInfo } from '@temporalio/workflow';
import { mail, records } from './coordination/activities.js';
import { dispatchTasks, sendsRoundMails } from './coordination/dispatch.js';
import { newRun, settle, type Run } from './coordination/run.js';
import { superviseUntil, type Supervision } from './coordination/supervise.js';
import { handleReschedule } from './coordination/reschedule.js';
import { handleTaskActions } from './coordination/task-actions.js';
import { handleTaskReview } from './coordination/task-review.js';
import { isSettled } from '../domain/tasks.js';
import { stateQuery } from './messages.js';
import { handleCourtRequests } from './sanction-requests.js';
import type { ListingStatus, PlannedTask, SanctionOutcome, SanctionState, SanctionWorkflowInput, TaskKind, TrackedTask } from './types.js';

/** Since this change, a debtor who holds a public role has its unit or body notified after dispatch (art. 8). */
const PUBLIC_ROLE_NOTICE = 'public-role-notice';

/**
 * The lifecycle of one listing: dispatch a task to every responsible
 * department, follow each deadline with reminders and escalations, and when
 * the debtor performs (or the listing is revoked or expires) lift every
 * sanction the same way, then close.
 */
export async function sanctionWorkflow(input: SanctionWorkflowInput): Promise<SanctionOutcome> {
  const state = input.state ?? initialState(input);
  const run = newRun();
  setHandler(stateQuery, () => state);
  handleTaskActions(state.listingId, state.tasks, run);
  handleTaskReview(state.listingId, state.tasks, run);
  handleCourtRequests(state, run);
  handleReschedule(state.listingId, state.tasks, run);
  const supervision = superviseListing(state, run, input);

  if (state.phase === 'imposing') {
    if (tasksOf(state, 'impose').length === 0) {
      const plan = input.plan.map((entry) => ({ ...entry, taskId: uuid4() }));
      const sentWithRound = await dispatchTasks(state.listingId, state.tasks, run, 'impose', plan, { withPublicRoleNotice: true });
      if (!sentWithRound && patched(PUBLIC_ROLE_NOTICE)) await mail.sendListingNotice({ listingId: state.listingId, type: 'public-role' });
    }
    await superviseUntil(supervision, () => state.lift !== null || expired(state));
    state.lift ??= { reason: 'expiry', by: 'system', requestedAt: new Date().toISOString() };
    await beginLift(state, run);
  }
  if (state.phase === 'lifting') {
    await superviseUntil(supervision, () => tasksOf(state, 'lift').every(isSettled));
    await close(state);
  }
  await settle(run);
  return { listingId: state.listingId, status: finalStatus(state), tasks: state.tasks.length };
}

function initialState(input: SanctionWorkflowInput): SanctionState {
  return { listingId: input.listingId, courtCode: input.courtCode, phase: 'imposing', expiresAt: input.expiresAt, lift: null, tasks: [], imposePhaseSettled: false };
}

const expired = (state: SanctionState) => state.expiresAt !== null && Date.now() >= Date.parse(state.expiresAt);

/**
 * Cancels what is still open in the impose phase (its corrections too) and
 * dispatches a lift task to every department that applies measures now.
 */
async function beginLift(state: SanctionState, run: Run): Promise<void> {
  const lift = state.lift!;
  // A correction being applied may still dispatch a round: lift what it dispatched.
  await condition(() => run.correcting === 0);
  const open = state.tasks.filter((task) => task.kind !== 'lift' && (task.status === 'pending' || task.status === 'acknowledged' || task.status === 'declined'));
  for (const task of open) task.status = 'cancelled';
  state.phase = 'lifting';
  await records.beginLifting({
    listingId: state.listingId,
    reason: lift.reason,
    by: lift.by,
    note: lift.note,
    performedAt: lift.performedAt,
    ground: lift.ground,
    decidedAt: lift.decidedAt,
    networkSearches: lift.networkSearches,
    at: lift.requestedAt,
    cancelledTaskIds: open.map((task) => task.taskId),
  });
  upsertSearchAttributes({ SanctionStatus: ['lifting'] });
  const liftTasks = measuresNow(state).map((entry) => ({ taskId: uuid4(), ...entry }));
  await dispatchTasks(state.listingId, state.tasks, run, 'lift', liftTasks, { countFrom: lift.decidedAt });
}

async function close(state: SanctionState): Promise<void> {
  state.phase = 'closed';
  const status = finalStatus(state);
  await records.closeListing({ listingId: state.listingId, status, at: new Date().toISOString() });
  upsertSearchAttributes({ SanctionStatus: [status] });
  const lifts = tasksOf(state, 'lift');
  if (sendsRoundMails()) await mail.sendRoundMails({ listingId: state.listingId, taskIds: lifts.map((task) => task.taskId), type: 'closed' });
  else await Promise.all(lifts.map((task) => mail.sendTaskMail({ taskId: task.taskId, type: 'closed' })));
}

/**
 * How the listing's deadlines are watched: its expiry wakes the workflow too,
 * and between waits the history is shed. A listing without a fixed term may
 * wait years for performance: once every impose task is done, its history is
 * shed once by continuing as new, so the long wait runs on a short history
 * with the current workflow code; and whenever Temporal suggests it.
 */
function superviseListing(state: SanctionState, run: Run, input: SanctionWorkflowInput): Supervision {
  const continueWith = async (): Promise<never> => {
    await settle(run);
    return continueAsNew<typeof sanctionWorkflow>({ ...input, state });
  };
  return {
    listingId: state.listingId,
    tasks: state.tasks,
    run,
    alsoWakeAt: () => (state.phase === 'imposing' && state.expiresAt ? Date.parse(state.expiresAt) : null),
    async betweenWaits() {
      const imposePhaseDone = state.phase === 'imposing' && !state.imposePhaseSettled && !state.lift && tasksOf(state, 'impose').every(isSettled);
      if (imposePhaseDone) {
        state.imposePhaseSettled = true;
        await continueWith();
      }
      if (workflowInfo().continueAsNewSuggested) await continueWith();
    },
  };
}

/**
 * What each department applies now: its impose task's measures, as the latest
 * correction round left them. A department that declined a task ("not ours")
 * applies nothing of it; the department it was reassigned to does.
 */
function measuresNow(state: SanctionState): PlannedTask[] {
  const byDepartment = new Map<string, string[]>();
  for (const task of state.tasks) {
    if (task.kind !== 'impose' && task.kind !== 'correct') continue;
    if (task.status === 'reassigned' || task.declinedFrom) continue;
    // A reassignment may give a department a second impose task; a correction round says all it applies.
    const before = task.kind === 'impose' ? (byDepartment.get(task.departmentCode) ?? []) : [];
    byDepartment.set(task.departmentCode, [...new Set([...before, ...task.measures])]);
  }
  return [...byDepartment].filter(([, measures]) => measures.length > 0).map(([departmentCode, measures]) => ({ departmentCode, measures }));
}

function tasksOf(state: SanctionState, kind: TaskKind): TrackedTask[] {
  return state.tasks.filter((task) => task.kind === kind);
}

function finalStatus(state: SanctionState): ListingStatus {
  if (state.phase !== 'closed') return state.phase === 'lifting' ? 'lifting' : 'active';
  return state.lift?.reason === 'revocation' ? 'revoked' : 'lifted';
}
