// The whole lifecycle on the real stack: impose at every department,
// acknowledge and complete, perform, lift at every department, close.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCatalog, dispatchPlan } from '../../domain/catalog.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { entityListing, individualListing } from '../support/fixtures.js';
import { acknowledgeAndComplete, departmentKeys, list, listingStatus, tasksOf } from '../support/listing-client.js';

let stack: TestStack;
let clerk: string;
let supervisor: string;
let keyOf: (code: string) => Promise<string>;

beforeAll(async () => {
  stack = await startTestStack();
  clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  supervisor = await stack.key('supervisor');
  keyOf = departmentKeys(stack);
});
afterAll(async () => stack?.stop());

describe('a full lifecycle', () => {
  for (const [label, body, subject] of [
    ['an entity', entityListing({ caseNumber: '（2026）宁01执501号' }), { debtorKind: 'entity', hasLegalRepresentative: true }],
    ['an individual', individualListing({ caseNumber: '（2026）宁01执502号' }), { debtorKind: 'individual', hasLegalRepresentative: false }],
  ] as const) {
    it(`for ${label}: impose → acknowledge → complete → perform → lift → close`, async () => {
      const departments = dispatchPlan(defaultCatalog, subject).map((entry) => entry.departmentCode);
      const listingId = await list(stack, clerk, body);
      const imposeTasks = await tasksOf(stack, listingId, 'impose', departments.length);
      await stack.mail.waitFor((m) => m.headers['x-notice-type'] === 'notice' && imposeTasks.some((t) => t.id === m.headers['x-task-id']), departments.length);

      await acknowledgeAndComplete(stack, keyOf, imposeTasks);
      const shown = await stack.request('GET', `/api/listings/${listingId}`, { key: supervisor });
      expect(shown.body.tasks.every((task: { status: string }) => task.status === 'completed')).toBe(true);

      // Repeating an accepted acknowledgment or completion is harmless.
      const first = imposeTasks[0]!;
      const again = await stack.request('POST', `/api/tasks/${first.id}/complete`, { key: await keyOf(first.departmentCode), body: { by: 'again' } });
      expect(again.status).toBe(200);
      expect(again.body.completedAt).toBe(shown.body.tasks.find((t: { id: string }) => t.id === first.id).completedAt);

      const performed = await stack.request('POST', `/api/listings/${listingId}/performance`, { key: clerk, body: { note: '已全部履行', performedAt: '2026-11-20T10:00:00+08:00' } });
      expect(performed.status).toBe(202);
      await listingStatus(stack, listingId, 'lifting');
      const liftTasks = await tasksOf(stack, listingId, 'lift', departments.length);
      expect(liftTasks.map((t) => t.departmentCode).sort()).toEqual([...departments].sort());
      await stack.mail.waitFor((m) => m.headers['x-notice-type'] === 'lift-notice' && liftTasks.some((t) => t.id === m.headers['x-task-id']), departments.length);

      await acknowledgeAndComplete(stack, keyOf, liftTasks);
      const closed = await listingStatus(stack, listingId, 'lifted');
      expect(closed.liftReason).toBe('performance');
      expect(closed.performedAt?.toISOString()).toBe('2026-11-20T02:00:00.000Z');
      const closingNotices = await stack.mail.waitFor((m) => m.headers['x-notice-type'] === 'closed' && liftTasks.some((t) => t.id === m.headers['x-task-id']), departments.length);
      expect(closingNotices).toHaveLength(departments.length);

      const outcome = await stack.temporal.workflow.getHandle(`sanction-${listingId}`).result();
      expect(outcome).toMatchObject({ listingId, status: 'lifted', tasks: departments.length * 2 });

      // Every transition is in the audit trail, and its hash chain is intact.
      const events = await stack.request('GET', `/api/listings/${listingId}/events`, { key: supervisor });
      expect(events.status).toBe(200);
      expect(events.headers.get('x-audit-chain')).toMatch(/^intact/);
      const count = (type: string) => events.body.filter((e: { type: string }) => e.type === type).length;
      expect(count('listed')).toBe(1);
      expect(count('task-dispatched')).toBe(departments.length);
      expect(count('notice-sent')).toBe(departments.length);
      expect(count('acknowledged')).toBe(departments.length * 2);
      expect(count('completed')).toBe(departments.length * 2);
      expect(count('lift-requested')).toBe(1);
      expect(count('lift-dispatched')).toBe(departments.length);
      expect(count('lift-notice-sent')).toBe(departments.length);
      expect(count('closed')).toBe(1);
      expect(count('closed-sent')).toBe(departments.length);
    });
  }
});

describe('the audit trail', () => {
  it('detects a tampered event', async () => {
    const listingId = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执503号' }));
    await tasksOf(stack, listingId, 'impose', 42);
    const verify = () => stack.request('GET', `/api/listings/${listingId}/events/verification`, { key: supervisor });
    const before = await verify();
    expect(before.body).toMatchObject({ intact: true, brokenAt: null });
    expect(before.body.length).toBeGreaterThan(40);

    const victim = await stack.prisma.event.findFirstOrThrow({ where: { listingId, type: 'task-dispatched' }, orderBy: { seq: 'asc' }, skip: 5 });
    await stack.prisma.$executeRaw`UPDATE "Event" SET actor = 'someone else' WHERE id = ${victim.id}`;
    const after = await verify();
    expect(after.body.intact).toBe(false);
    const all = await stack.prisma.event.findMany({ where: { listingId }, orderBy: { seq: 'asc' } });
    expect(after.body.brokenAt).toBe(all.findIndex((e) => e.id === victim.id));
  });
});
