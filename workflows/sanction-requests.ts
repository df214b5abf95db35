import { ApplicationFailure, patched, setHandler } from '@temporalio/workflow';
import { records } from './coordination/activities.js';
import { refuseWhileClosing, type Run } from './coordination/run.js';
import { REJECTIONS, extendPeriodUpdate, requestLiftUpdate } from './messages.js';
import type { LiftRequest, SanctionState } from './types.js';

/** Since this change, an extension is recorded before the workflow applies it. */
const EXTENSION_RECORDED_FIRST = 'extension-recorded-first';
/** Since this change, the restrictions end before the court's lift request is answered. */
const RESTRICTIONS_END_WITH_LIFT_REQUEST = 'restrictions-end-with-lift-request';

/** What the court asks of a listing in flight: lift its sanctions, or extend its period. */
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
}
