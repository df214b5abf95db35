// Acknowledgments are accepted by the read model, under the task's row lock,
// and reach the workflow from an outbox: the answer waits for PostgreSQL only,
// the workflow follows, once, also when the signal was left behind.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAcknowledgments } from '../../app/acknowledgments.js';
import type { SignalOutbox } from '../../app/signal-outbox.js';
import { parsePolicy } from '../../domain/policy.js';
import { stateQuery, taskAcknowledgedSignal } from '../../workflows/messages.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { entityListing } from '../support/fixtures.js';
import { departmentKeys, list, tasksOf } from '../support/listing-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { sleep, waitUntil } from '../support/wait.js';

// The acknowledge deadline passes 3 s after dispatch and escalates at once: an escalation for a task
// the read model already holds acknowledged must not go out.
const policy = parsePolicy({
  impose: { acknowledge: 'PT3S', complete: 'PT60S' },
  lift: { acknowledge: 'PT30S', complete: 'PT60S' },
  escalation: [{ after: 'PT0S', notify: 'department-supervisor' }],
  reminderBefore: 'PT0S',
});

let stack: TestStack;
let clerk: string;
let keyOf: (code: string) => Promise<string>;
let caseSeq = 300;

beforeAll(async () => {
  stack = await startTestStack({ policy, catalog: twoDepartmentCatalog() });
  clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  keyOf = departmentKeys(stack);
});
afterAll(async () => stack?.stop());

const listed = async () => {
  const listingId = await list(stack, clerk, entityListing({ caseNumber: `（2026）宁01执${caseSeq++}号` }));
  const tasks = await tasksOf(stack, listingId, 'impose', 2);
  await waitUntil(async () => (await stack.prisma.event.count({ where: { listingId, type: 'notice-sent' } })) === 2, 'both notices to be sent');
  return { listingId, tasks };
};
const workflowOf = (listingId: string) => stack.temporal.workflow.getHandle(`sanction-${listingId}`);
const statusInWorkflow = async (listingId: string, taskId: string) => (await workflowOf(listingId).query(stateQuery)).tasks.find((task) => task.taskId === taskId)?.status;
const acknowledgedEvents = (taskId: string) => stack.prisma.event.count({ where: { taskId, type: 'acknowledged' } });
/** The outbox as a process that stopped right after its commit leaves it: written, never sent. */
const stoppedBeforeSending: SignalOutbox = { deliverSoon: () => undefined, deliverOwed: async () => 0 };

it('answers from PostgreSQL and reaches the workflow as a signal, applied once however often it arrives', async () => {
  const { listingId, tasks } = await listed();
  const task = tasks[0]!;
  const key = await keyOf(task.departmentCode);

  const acknowledged = await stack.request('POST', `/api/tasks/${task.id}/acknowledge`, { key, body: { by: '王五', note: '已收到，“立即”执行' } });
  expect(acknowledged.status).toBe(200);
  expect(acknowledged.body).toMatchObject({ id: task.id, status: 'acknowledged', acknowledgedAt: expect.any(String) });
  // Durable before the answer: the row and its audit event are committed.
  expect(await stack.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).toMatchObject({ status: 'acknowledged', acknowledgedBy: '王五', note: '已收到，“立即”执行' });
  expect(await acknowledgedEvents(task.id)).toBe(1);
  // The event's hash, computed by PostgreSQL, extends the listing's chain as the application computes it.
  const verification = await stack.request('GET', `/api/listings/${listingId}/events/verification`, { key: await stack.key('supervisor') });
  expect(verification.body).toMatchObject({ intact: true, brokenAt: null });

  await waitUntil(async () => (await statusInWorkflow(listingId, task.id)) === 'acknowledged', 'the workflow to hear of the acknowledgment');
  await waitUntil(async () => (await stack.prisma.outboxSignal.count()) === 0, 'the outbox to be emptied');
  const signalled = async () => {
    const names: string[] = [];
    for (const event of (await workflowOf(listingId).fetchHistory()).events ?? []) {
      const name = event.workflowExecutionSignaledEventAttributes?.signalName;
      if (name) names.push(name);
      if (event.workflowExecutionUpdateAcceptedEventAttributes) names.push('update');
    }
    return names;
  };
  expect(await signalled()).toEqual(['taskAcknowledged']);

  // The same acknowledgment again, by the API and by a second delivery: nothing changes twice.
  const again = await stack.request('POST', `/api/tasks/${task.id}/acknowledge`, { key, body: { by: '王五' } });
  expect(again.status).toBe(200);
  await workflowOf(listingId).signal(taskAcknowledgedSignal, { taskId: task.id, at: new Date().toISOString(), by: '王五' });
  await waitUntil(async () => (await signalled()).length === 2, 'the second delivery to be taken');
  expect(await statusInWorkflow(listingId, task.id)).toBe('acknowledged');
  expect(await acknowledgedEvents(task.id)).toBe(1);
  const completed = await stack.request('POST', `/api/tasks/${task.id}/complete`, { key, body: { by: '王五', reference: 'REF-1' } });
  expect(completed.status).toBe(200);
  expect(completed.body.status).toBe('completed');
});

it('a signal left in the outbox (the process stopped after its commit) reaches the workflow by the relay, and no escalation chases the acknowledged task meanwhile', async () => {
  const { listingId, tasks } = await listed();
  const task = tasks[0]!;
  const stopped = createAcknowledgments({ prisma: stack.prisma, outbox: stoppedBeforeSending });
  expect(await stopped.accept(listingId, task.id, task.departmentCode, { by: '李四' })).toMatchObject({ accepted: true, changed: true });
  expect(await stack.prisma.outboxSignal.count({ where: { id: `${task.id}.acknowledged` } })).toBe(1);

  // The acknowledge deadline passes while the workflow has not heard: its escalation is taken, not sent.
  const other = tasks[1]!;
  await waitUntil(async () => (await stack.prisma.task.findUniqueOrThrow({ where: { id: other.id } })).escalationLevel > 0, 'the other task to be escalated', 20_000);
  await sleep(1_000);
  expect(await statusInWorkflow(listingId, task.id)).toBe('pending');
  const escalations = stack.mail.messages.filter((message) => message.headers['x-notice-type'] === 'escalation');
  expect(escalations.map((message) => message.headers['x-task-id'])).toContain(other.id);
  expect(escalations.map((message) => message.headers['x-task-id'])).not.toContain(task.id);
  expect(await stack.prisma.event.count({ where: { taskId: task.id, type: 'escalated' } })).toBe(0);

  // The sweep takes what is older than a few seconds.
  await stack.prisma.outboxSignal.updateMany({ data: { createdAt: new Date(Date.now() - 60_000) } });
  await stack.relay();
  expect(await stack.prisma.outboxSignal.count()).toBe(0);
  await waitUntil(async () => (await statusInWorkflow(listingId, task.id)) === 'acknowledged', 'the workflow to hear of the acknowledgment');
  expect(await acknowledgedEvents(task.id)).toBe(1);
});

it('the read model refuses what the workflow would refuse, and writes nothing', async () => {
  const { listingId, tasks } = await listed();
  const [task, other] = [tasks[0]!, tasks[1]!];
  const rowsBefore = { events: await stack.prisma.event.count({ where: { listingId } }), outbox: await stack.prisma.outboxSignal.count() };

  const wrongDepartment = await stack.request('POST', `/api/tasks/${task.id}/acknowledge`, { key: await keyOf(other.departmentCode), body: { by: 'x' } });
  expect(wrongDepartment.status).toBe(403);

  // As a lift leaves it in the read model, before the workflow has heard.
  await stack.prisma.task.update({ where: { id: task.id }, data: { status: 'cancelled', openDeadlineAt: null } });
  const cancelled = await stack.request('POST', `/api/tasks/${task.id}/acknowledge`, { key: await keyOf(task.departmentCode), body: { by: 'x' } });
  expect(cancelled.status).toBe(409);
  expect(cancelled.headers.get('content-type')).toMatch(/application\/problem\+json/);

  await stack.prisma.task.update({ where: { id: other.id }, data: { status: 'declined' } });
  const declined = await stack.request('POST', `/api/tasks/${other.id}/acknowledge`, { key: await keyOf(other.departmentCode), body: { by: 'x' } });
  expect(declined.status).toBe(409);

  expect(await stack.prisma.event.count({ where: { listingId } })).toBe(rowsBefore.events);
  expect(await stack.prisma.outboxSignal.count()).toBe(rowsBefore.outbox);
  expect(await stack.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).toMatchObject({ status: 'cancelled', acknowledgedAt: null });
});
