// Deadlines, reminders and escalation on wall-clock seconds, with two departments.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { REJECTIONS, acknowledgeTaskUpdate } from '../../workflows/messages.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { secondsPolicy } from '../support/policies.js';
import { entityListing } from '../support/fixtures.js';
import { departmentKeys, list, tasksOf } from '../support/listing-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { sleep, waitUntil } from '../support/wait.js';

// Acknowledge within 3 s, complete within 9 s; reminders 1.5 s before; the supervisor
// at the deadline, the coordinating office 2 s later.
const fastPolicy = secondsPolicy({ acknowledge: 3, complete: 9, officeAfter: 2, reminderBefore: 1.5 });

let stack: TestStack;
let clerk: string;
let supervisor: string;
let keyOf: (code: string) => Promise<string>;

beforeAll(async () => {
  stack = await startTestStack({ policy: fastPolicy, catalog: twoDepartmentCatalog() });
  clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  supervisor = await stack.key('supervisor');
  keyOf = departmentKeys(stack);
});
afterAll(async () => stack?.stop());

const mailsOf = (taskId: string, type?: string) =>
  stack.mail.messages.filter((m) => m.headers['x-task-id'] === taskId && (!type || m.headers['x-notice-type'] === type));

describe('deadlines and escalation', () => {
  it('an unanswered task is reminded, then escalates through each level exactly once, to the right people', async () => {
    const listingId = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执601号' }));
    const [prompt, silent] = await tasksOf(stack, listingId, 'impose', 2);
    expect([prompt!.departmentCode, silent!.departmentCode]).toEqual(['D05', 'D06']);
    const d05 = await keyOf('D05');
    expect((await stack.request('POST', `/api/tasks/${prompt!.id}/complete`, { key: d05, body: { by: '王五', reference: 'D05-2026-1' } })).status).toBe(200);

    // The silent task: reminder and two escalation steps on each deadline.
    await waitUntil(async () => mailsOf(silent!.id, 'escalation').length >= 4, 'four escalations of the silent task', 30_000);
    await sleep(2_500); // nothing more may come
    const departments = await stack.prisma.department.findMany({ where: { code: { in: ['D05', 'D06'] } } });
    const d06 = departments.find((d) => d.code === 'D06')!;
    const escalations = mailsOf(silent!.id, 'escalation');
    expect(escalations).toHaveLength(4);
    expect(escalations.map((m) => m.envelopeTo[0])).toEqual([d06.supervisorEmail, 'office@coordination.example', d06.supervisorEmail, 'office@coordination.example']);
    expect(escalations.map((m) => m.subject.match(/第(\d)级/)?.[1])).toEqual(['1', '2', '1', '2']);
    const reminders = mailsOf(silent!.id, 'reminder');
    expect(reminders).toHaveLength(2);
    expect(reminders.every((m) => m.envelopeTo[0] === d06.contactEmail)).toBe(true);
    expect(new Set(stack.mail.messages.map((m) => m.messageId)).size).toBe(stack.mail.messages.length);

    // The prompt department was never reminded nor escalated.
    expect(mailsOf(prompt!.id).map((m) => m.headers['x-notice-type'])).toEqual(['notice']);

    const task = await stack.prisma.task.findUniqueOrThrow({ where: { id: silent!.id } });
    expect(task.escalationLevel).toBe(2);
    const escalatedEvents = await stack.prisma.event.findMany({ where: { taskId: silent!.id, type: 'escalated' }, orderBy: { seq: 'asc' } });
    expect(escalatedEvents.map((e) => (e.data as { level: number }).level)).toEqual([1, 2, 1, 2]);

    // Supervisors see it overdue, with its level.
    const overdue = await stack.request('GET', '/api/supervision/overdue', { key: supervisor });
    expect(overdue.status).toBe(200);
    const row = overdue.body.find((t: { id: string }) => t.id === silent!.id);
    expect(row).toMatchObject({ escalationLevel: 2, overdueDeadline: 'acknowledge', departmentCode: 'D06' });
    expect(row.overdueSeconds).toBeGreaterThanOrEqual(8);
    expect(overdue.body.some((t: { id: string }) => t.id === prompt!.id)).toBe(false);
    const stats = await stack.request('GET', '/api/supervision/stats', { key: supervisor });
    expect(stats.body.find((s: { departmentCode: string }) => s.departmentCode === 'D06')).toMatchObject({ tasks: 1, acknowledged: 0, overdue: 1 });
    expect(stats.body.find((s: { departmentCode: string }) => s.departmentCode === 'D05')).toMatchObject({ tasks: 1, acknowledged: 1, acknowledgedOnTime: 1, completed: 1, overdue: 0 });
    expect(stats.body).toHaveLength(45);
  });

  it('a late acknowledgment after escalation is accepted and stops that deadline’s ladder', async () => {
    const listingId = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执602号' }));
    const tasks = await tasksOf(stack, listingId, 'impose', 2);
    const late = tasks.find((t) => t.departmentCode === 'D06')!;
    await stack.request('POST', `/api/tasks/${tasks[0]!.id}/complete`, { key: await keyOf('D05'), body: { by: 'x' } });
    await waitUntil(async () => mailsOf(late.id, 'escalation').length >= 1, 'the first escalation');
    const acknowledged = await stack.request('POST', `/api/tasks/${late.id}/acknowledge`, { key: await keyOf('D06'), body: { by: '赵六', note: '迟到确认' } });
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.body).toMatchObject({ status: 'acknowledged', escalationLevel: 1 });
    expect(Date.parse(acknowledged.body.acknowledgedAt)).toBeGreaterThan(Date.parse(acknowledged.body.acknowledgeDueAt));
    // The acknowledge ladder stops at level 1; the completion deadline is then met.
    expect((await stack.request('POST', `/api/tasks/${late.id}/complete`, { key: await keyOf('D06'), body: { by: '赵六' } })).status).toBe(200);
    await sleep(3_000);
    const escalations = mailsOf(late.id, 'escalation');
    expect(escalations).toHaveLength(1);
    expect(escalations[0]!.subject).toContain('第1级');
  });

  it('a department cannot act on another department’s task, and nothing is written', async () => {
    const listingId = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执603号' }));
    const tasks = await tasksOf(stack, listingId, 'impose', 2);
    const other = tasks.find((t) => t.departmentCode === 'D06')!;
    const eventsBefore = await stack.prisma.event.count({ where: { listingId } });
    const d05 = await keyOf('D05');
    for (const action of ['acknowledge', 'complete']) {
      const response = await stack.request('POST', `/api/tasks/${other.id}/${action}`, { key: d05, body: { by: 'intruder' } });
      expect(response.status).toBe(403);
      expect(response.headers.get('content-type')).toMatch(/problem\+json/);
    }
    // The workflow's validator refuses it too, before anything reaches history.
    const handle = stack.temporal.workflow.getHandle(`sanction-${listingId}`);
    const rejection = await handle.executeUpdate(acknowledgeTaskUpdate, { args: [{ taskId: other.id, departmentCode: 'D05', by: 'intruder' }] }).catch((error: unknown) => error);
    expect(rejection).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((rejection as WorkflowUpdateFailedError).cause).toMatchObject({ type: REJECTIONS.wrongDepartment, message: expect.stringContaining('belongs to department D06') });
    const task = await stack.prisma.task.findUniqueOrThrow({ where: { id: other.id } });
    expect(task.status).toBe('pending');
    expect(task.acknowledgedAt).toBeNull();
    const history = await handle.fetchHistory();
    expect(JSON.stringify(history)).not.toContain('intruder');
    expect(await stack.prisma.event.count({ where: { listingId, type: 'acknowledged' } })).toBe(0);
    expect(await stack.prisma.event.count({ where: { listingId } })).toBeGreaterThanOrEqual(eventsBefore);
    // The department's own listing view shows only its own task, and its subject's identifier in full.
    const view = await stack.request('GET', `/api/listings/${listingId}`, { key: d05 });
    expect(view.body.tasks.map((t: { departmentCode: string }) => t.departmentCode)).toEqual(['D05']);
    expect(view.body.debtor.idNumber).not.toContain('*');
    const tasksList = await stack.request('GET', '/api/tasks?departmentCode=D06', { key: d05 });
    expect(tasksList.status).toBe(403);
  });
});
