// Lifting: performance before every department answered, revocation, expiry and its extension.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extendPeriodUpdate } from '../../workflows/messages.js';
import type { SanctionWorkflowInput } from '../../workflows/types.js';
import { backgroundTaskQueueOf, relayScheduleIdOf } from '../../workflows/workflow-id.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { calmPolicy } from '../support/policies.js';
import { entityListing } from '../support/fixtures.js';
import { acknowledgeAndComplete, departmentKeys, list, listingStatus, tasksOf } from '../support/listing-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { sleep } from '../support/wait.js';

let stack: TestStack;
let clerk: string;
let keyOf: (code: string) => Promise<string>;

beforeAll(async () => {
  stack = await startTestStack({ policy: calmPolicy, catalog: twoDepartmentCatalog() });
  clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  keyOf = departmentKeys(stack);
});
afterAll(async () => stack?.stop());

describe('lifting', () => {
  it('performance before every department acknowledged cancels what is open and lifts at every department', async () => {
    const listingId = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执701号' }));
    const [d05Task, d06Task] = await tasksOf(stack, listingId, 'impose', 2);
    expect((await stack.request('POST', `/api/tasks/${d05Task!.id}/acknowledge`, { key: await keyOf('D05'), body: { by: '王五' } })).status).toBe(200);

    const performed = await stack.request('POST', `/api/listings/${listingId}/performance`, { key: clerk, body: { note: '被执行人已履行' } });
    expect(performed.status).toBe(202);
    // Asking again is harmless.
    expect((await stack.request('POST', `/api/listings/${listingId}/performance`, { key: clerk, body: { note: 'again' } })).status).toBe(202);

    const liftTasks = await tasksOf(stack, listingId, 'lift', 2);
    expect(liftTasks.map((t) => t.departmentCode)).toEqual(['D05', 'D06']);
    expect(liftTasks.map((t) => t.measures)).toEqual([d05Task!.measures, d06Task!.measures]);
    const imposed = await stack.prisma.task.findMany({ where: { listingId, kind: 'impose' }, orderBy: { departmentCode: 'asc' } });
    expect(imposed.map((t) => t.status)).toEqual(['cancelled', 'cancelled']);

    // A cancelled task can no longer be acknowledged.
    const tooLate = await stack.request('POST', `/api/tasks/${d06Task!.id}/acknowledge`, { key: await keyOf('D06'), body: { by: '赵六' } });
    expect(tooLate.status).toBe(409);

    await acknowledgeAndComplete(stack, keyOf, liftTasks);
    const closed = await listingStatus(stack, listingId, 'lifted');
    expect(closed.liftReason).toBe('performance');
    const closing = await stack.mail.waitFor((m) => m.headers['x-notice-type'] === 'closed' && liftTasks.some((t) => t.id === m.headers['x-task-id']), 2);
    expect(closing.map((m) => m.subject).every((s) => s.includes('已全部解除'))).toBe(true);
    const again = await stack.request('POST', `/api/listings/${listingId}/performance`, { key: clerk, body: { note: 'again' } });
    expect(again.status).toBe(409);
  });

  it('a revocation lifts every sanction and ends as revoked', async () => {
    const listingId = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执702号' }));
    await tasksOf(stack, listingId, 'impose', 2);
    const revoked = await stack.request('POST', `/api/listings/${listingId}/revocation`, { key: clerk, body: { reason: '错误纳入' } });
    expect(revoked.status).toBe(202);
    const liftTasks = await tasksOf(stack, listingId, 'lift', 2);
    await acknowledgeAndComplete(stack, keyOf, liftTasks);
    const closed = await listingStatus(stack, listingId, 'revoked');
    expect(closed.liftReason).toBe('revocation');
    const events = await stack.prisma.event.findMany({ where: { listingId, type: 'lift-requested' } });
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ reason: 'revocation', note: '错误纳入' });
  });

  it('a fixed period expires on its durable timer, and an extension moves the timer', async () => {
    // Periods are years; the workflow is started directly with one of seconds.
    const start = async (expiresInMs: number) => {
      const listingId = randomUUID();
      const catalogVersion = (await stack.prisma.catalogVersion.findFirstOrThrow({ orderBy: { version: 'desc' } })).version;
      await stack.prisma.listing.create({
        data: {
          id: listingId, workflowId: `sanction-${listingId}`, courtCode: 'NX-YC-01', caseNumber: `（2026）宁01执${listingId.slice(0, 6)}号`,
          debtorKind: 'entity', debtorName: '某公司', debtorIdNumber: '91350100M000100Y43', circumstance: 'breaches-asset-reporting',
          obligationDescription: '报告财产', listedAt: new Date(), expiresAt: new Date(Date.now() + expiresInMs), catalogVersion, periodYears: 2,
        },
      });
      const input: SanctionWorkflowInput = {
        listingId,
        courtCode: 'NX-YC-01',
        plan: [{ departmentCode: 'D05', measures: ['M01'] }, { departmentCode: 'D06', measures: ['M02'] }],
        expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
      };
      const handle = await stack.temporal.workflow.start('sanctionWorkflow', { workflowId: `sanction-${listingId}`, taskQueue: stack.taskQueue, args: [input] });
      return { listingId, handle };
    };

    const expiring = await start(3_000);
    const extended = await start(3_000);
    await tasksOf(stack, extended.listingId, 'impose', 2);
    await extended.handle.executeUpdate(extendPeriodUpdate, { args: [{ expiresAt: new Date(Date.now() + 3_600_000).toISOString(), by: 'clerk', reason: '情节严重' }] });

    const lifting = await listingStatus(stack, expiring.listingId, 'lifting', 20_000);
    expect(lifting.liftReason).toBe('expiry');
    await tasksOf(stack, expiring.listingId, 'lift', 2);

    await sleep(1_000);
    const stillActive = await stack.prisma.listing.findUniqueOrThrow({ where: { id: extended.listingId } });
    expect(stillActive.status).toBe('active');
    expect(stillActive.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
    expect(await stack.prisma.event.count({ where: { listingId: extended.listingId, type: 'period-extended' } })).toBe(1);
  });
});

describe('recovery', () => {
  it('a listing recorded without its workflow (the API stopped in between) is started by the relay the schedule runs', async () => {
    const listingId = randomUUID();
    await stack.prisma.listing.create({
      data: {
        id: listingId, workflowId: `sanction-${listingId}`, courtCode: 'NX-YC-01', caseNumber: '（2026）宁01执704号', debtorKind: 'entity',
        debtorName: '某公司', debtorIdNumber: '91350100M000100Y43', circumstance: 'refuses-despite-ability', obligationDescription: '支付',
        listedAt: new Date(Date.now() - 60_000), createdAt: new Date(Date.now() - 60_000),
        catalogVersion: (await stack.prisma.catalogVersion.findFirstOrThrow({ orderBy: { version: 'desc' } })).version,
      },
    });
    expect((await stack.relay()).listings).toBeGreaterThanOrEqual(1);
    const tasks = await tasksOf(stack, listingId, 'impose', 2);
    expect(tasks).toHaveLength(2);
    expect((await stack.relay()).listings).toBe(0);
  });

  it('the relay runs on a schedule of its own, every minute by default', async () => {
    const schedule = await stack.temporal.schedule.getHandle(relayScheduleIdOf(stack.taskQueue)).describe();
    expect(schedule.spec.intervals).toEqual([expect.objectContaining({ every: 60_000 })]);
    expect(schedule.action).toMatchObject({ type: 'startWorkflow', workflowType: 'listingRelayWorkflow', taskQueue: backgroundTaskQueueOf(stack.taskQueue) });
    expect(schedule.policies.overlap).toBe('SKIP');
  });
});
