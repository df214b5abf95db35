// Listing a debtor on the real stack: Temporal dev server, PostgreSQL, SMTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCatalog, dispatchPlan } from '../../domain/catalog.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { entityListing, individualListing } from '../support/fixtures.js';

let stack: TestStack;
let clerk: string;

beforeAll(async () => {
  stack = await startTestStack();
  clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
});
afterAll(async () => stack?.stop());

async function listAndAwaitNotices(body: Record<string, unknown>, expectedDepartments: string[]) {
  const response = await stack.request('POST', '/api/listings', { key: clerk, body });
  expect(response.status).toBe(201);
  const listingId: string = response.body.id;
  const tasks = await waitForTasks(listingId, expectedDepartments.length);
  const taskIds = new Set(tasks.map((task) => task.id));
  const notices = await stack.mail.waitFor((m) => taskIds.has(m.headers['x-task-id'] ?? ''), expectedDepartments.length);
  return { listingId, tasks, notices };
}

async function waitForTasks(listingId: string, count: number) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const tasks = await stack.prisma.task.findMany({ where: { listingId } });
    if (tasks.length >= count) return tasks;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`listing ${listingId} never got ${count} tasks`);
}

describe('listing a debtor dispatches a task and a notice to every responsible department', () => {
  for (const [label, body, subject] of [
    ['an entity with its legal representative', entityListing(), { debtorKind: 'entity', hasLegalRepresentative: true }],
    ['an individual', individualListing(), { debtorKind: 'individual', hasLegalRepresentative: false }],
  ] as const) {
    it(`for ${label}`, async () => {
      const plan = dispatchPlan(defaultCatalog, subject);
      const expected = plan.map((entry) => entry.departmentCode);
      const { listingId, tasks, notices } = await listAndAwaitNotices(body, expected);

      // Exactly the catalog's departments, one task each, with the catalog's measures.
      expect(tasks.map((task) => task.departmentCode).sort()).toEqual([...expected].sort());
      for (const entry of plan) {
        const task = tasks.find((t) => t.departmentCode === entry.departmentCode)!;
        expect(task.measures).toEqual(entry.measures);
        expect(task.kind).toBe('impose');
        expect(task.status).toBe('pending');
        expect(task.acknowledgeDueAt.getTime()).toBeLessThanOrEqual(task.completeDueAt.getTime());
      }

      // One notice per task, to the department's contact address, with the contract's headers.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const all = stack.mail.messages.filter((m) => tasks.some((t) => t.id === m.headers['x-task-id']));
      expect(all).toHaveLength(tasks.length);
      expect(new Set(notices.map((m) => m.messageId)).size).toBe(tasks.length);
      const departments = await stack.prisma.department.findMany();
      for (const notice of notices) {
        const task = tasks.find((t) => t.id === notice.headers['x-task-id'])!;
        const department = departments.find((d) => d.code === task.departmentCode)!;
        expect(notice.headers['x-notice-type']).toBe('notice');
        expect(notice.envelopeTo).toEqual([department.contactEmail]);
        // This stack receives no replies (no INBOUND_SMTP_PORT): the notice neither offers one nor says how.
        expect(notice.headers['reply-to']).toBeUndefined();
        expect(notice.text).not.toContain('回复本邮件');
        expect(notice.html).not.toContain('回复本邮件');
        expect(notice.text).toContain(department.nameZh);
        expect(notice.text).toMatch(/\/ack\/[A-Za-z0-9_.-]+/);
        // The identifier is masked in mail.
        const idNumber = (body.debtor as { idNumber: string }).idNumber;
        expect(notice.raw).not.toContain(idNumber);
        expect(notice.text).toContain(`${idNumber.slice(0, 6)}********${idNumber.slice(-4)}`);
      }

      // The API shows the tasks.
      const shown = await stack.request('GET', `/api/listings/${listingId}`, { key: clerk });
      expect(shown.status).toBe(200);
      expect(shown.body.status).toBe('active');
      expect(shown.body.tasks).toHaveLength(expected.length);
      expect(shown.body.tasks[0]).toMatchObject({ listingId, kind: 'impose', status: 'pending', escalationLevel: 0 });

      // The audit trail recorded the listing, each dispatch and each notice.
      const events = await stack.prisma.event.findMany({ where: { listingId } });
      expect(events.filter((e) => e.type === 'listed')).toHaveLength(1);
      expect(events.filter((e) => e.type === 'task-dispatched')).toHaveLength(expected.length);
      expect(events.filter((e) => e.type === 'notice-sent')).toHaveLength(expected.length);
    });
  }

  it('a repeated POST returns the same listing and starts nothing new', async () => {
    const body = entityListing({ caseNumber: '（2026）宁01执300号' });
    const expected = dispatchPlan(defaultCatalog, { debtorKind: 'entity', hasLegalRepresentative: true });
    const { listingId } = await listAndAwaitNotices(body, expected.map((e) => e.departmentCode));
    const workflowId = `sanction-${listingId}`;
    const before = await stack.temporal.workflow.getHandle(workflowId).describe();

    const again = await stack.request('POST', '/api/listings', { key: clerk, body });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(listingId);
    expect(again.body.tasks).toHaveLength(expected.length);

    const after = await stack.temporal.workflow.getHandle(workflowId).describe();
    expect(after.runId).toBe(before.runId);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await stack.prisma.listing.count({ where: { caseNumber: body.caseNumber } })).toBe(1);
    expect(await stack.prisma.task.count({ where: { listingId } })).toBe(expected.length);
    const mails = stack.mail.messages.filter((m) => m.text.includes('（2026）宁01执300号'));
    expect(mails).toHaveLength(expected.length);
  });

  it('concurrent identical POSTs create one listing', async () => {
    const body = entityListing({ caseNumber: '（2026）宁01执301号' });
    const responses = await Promise.all([1, 2, 3, 4].map(() => stack.request('POST', '/api/listings', { key: clerk, body })));
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 201]);
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    expect(await stack.prisma.listing.count({ where: { caseNumber: body.caseNumber } })).toBe(1);
  });

  it('GET /api/catalog shows 12 categories, 42 measures (the 41 and the high-end office ban, consumption restriction art. 3(4)) and 45 departments', async () => {
    const response = await stack.request('GET', '/api/catalog', { key: clerk });
    expect(response.status).toBe(200);
    expect(response.body.categories).toHaveLength(12);
    expect(response.body.measures).toHaveLength(42);
    expect(response.body.departments).toHaveLength(45);
    for (const department of response.body.departments) {
      expect(department.contactEmail).toMatch(/@[a-z0-9.-]+\.example$/);
      expect(department.supervisorEmail).toMatch(/@[a-z0-9.-]+\.example$/);
    }
  });
});
