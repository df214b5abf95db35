import { ApplicationFailure, condition, patched, setHandler, uuid4 } from '@temporalio/workflow';
import { records } from './coordination/activities.js';
import { dispatchTasks } from './coordination/dispatch.js';
import { refuseWhileClosing, type Run } from './coordination/run.js';
import { REJECTIONS, correctListingUpdate, extendPeriodUpdate, requestLiftUpdate, type CorrectionNotice } from './messages.js';
import type { LiftRequest, PlannedTask, SanctionState, TaskToDispatch } from './types.js';

/** Since this change, an extension is recorded before the workflow applies it. */
const EXTENSION_RECORDED_FIRST = 'extension-recorded-first';
/** Since this change, the restrictions end before the court's lift request is answered. */
const RESTRICTIONS_END_WITH_LIFT_REQUEST = 'restrictions-end-with-lift-request';

/** What the court asks of a listing in flight: lift its sanctions, extend its period, or correct its data. */
export function handleCourtRequests(state: SanctionState, run: Run): void {
  setHandler(
    requestLiftUpdate,
    async (request) => {
      if (state.lift) return { phase: state.phase, changed: false };
      state.lift = { ...request, requestedAt: new Date().toISOString() };
      run.pending = true;
      if (patched(RESTRICTIONS_END_WITH_LIFT_REQUEST)) await records.endRestrictions({ listingId: state.listingId, at: state.lift.requestedAt });
      return { phase: state.phase, changed: true };
    },
    {
      validator: (_request: LiftRequest) => {
        refuseWhileClosing(run);
        if (state.phase === 'closed') throw ApplicationFailure.create({ type: REJECTIONS.listingClosed, message: 'the listing is closed' });
      },
    },
  );

  setHandler(
    extendPeriodUpdate,
    async (request) => {
      const record = () =>
        records.recordPeriodExtension({ listingId: state.listingId, expiresAt: request.expiresAt, periodYears: request.periodYears, by: request.by, reason: request.reason, at: new Date().toISOString() });
      // Recorded first, then applied: an extension the workflow knows is always one the read model shows.
      const recordFirst = patched(EXTENSION_RECORDED_FIRST);
      if (recordFirst) await record();
      state.expiresAt = request.expiresAt;
      run.pending = true;
      if (!recordFirst) await record();
      return { expiresAt: request.expiresAt };
    },
    {
      validator: (request) => {
        refuseWhileClosing(run);
        if (state.phase !== 'imposing' || state.lift) throw ApplicationFailure.create({ type: REJECTIONS.listingClosed, message: 'the sanction is being lifted' });
        if (state.expiresAt === null || Date.parse(request.expiresAt) <= Date.parse(state.expiresAt)) {
          throw ApplicationFailure.create({ type: REJECTIONS.badExtension, message: 'only a fixed period can be extended, and only to a later date' });
        }
      },
    },
  );

  setHandler(
    correctListingUpdate,
    async ({ correctionId }) => {
      state.corrections ??= [];
      if (state.corrections.includes(correctionId)) return { changed: false, dispatched: 0 };
      state.corrections.push(correctionId);
      run.correcting += 1;
      // A correction right after intake waits for the first round: it tells the departments that hold it.
      await condition(() => state.tasks.some((task) => task.kind === 'impose'));
      try {
        const applied = await records.applyCorrection({ listingId: state.listingId, correctionId });
        if (!applied) return { changed: false, dispatched: 0 };
        state.expiresAt = applied.expiresAt;
        run.pending = true;
        const round = correctionRound(state, applied.plan);
        await dispatchTasks(state.listingId, state.tasks, run, 'correct', round, { round: correctionId });
        return { changed: true, dispatched: round.length };
      } finally {
        run.correcting -= 1;
      }
    },
    {
      validator: (_notice: CorrectionNotice) => {
        refuseWhileClosing(run);
        if (state.phase !== 'imposing' || state.lift) throw ApplicationFailure.create({ type: REJECTIONS.listingClosed, message: 'the sanction is being lifted' });
      },
    },
  );
}

/**
 * Art. 9: every department that holds a task hears of the correction, and
 * so does one the corrected data makes responsible; each task says what the
 * department applies now (nothing, when the correction took its measures away).
 */
function correctionRound(state: SanctionState, plan: PlannedTask[]): TaskToDispatch[] {
  const measures = new Map(plan.map((entry) => [entry.departmentCode, entry.measures]));
  const holders = state.tasks.filter((task) => task.kind === 'impose').map((task) => task.departmentCode);
  const departments = [...new Set([...holders, ...plan.map((entry) => entry.departmentCode)])].sort();
  return departments.map((departmentCode) => ({ taskId: uuid4(), departmentCode, measures: measures.get(departmentCode) ?? [] }));
}
