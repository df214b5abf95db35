// The read model of acknowledgments and completions, written by the
// workflow's activity, against the real database.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTaskRecordActivities } from '../../activities/task-records.js';
import type { ActivityDeps } from '../../activities/deps.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { entityListing } from '../support/fixtures.js';
import { list, tasksOf } from '../support/listing-client.js';
import { calmPolicy } from '../support/policies.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ policy: calmPolicy, catalog: twoDepartmentCatalog() });
});
afterAll(async () => stack?.stop());

it('an acknowledgment written after the lift cancelled its task is recorded, and the task stays cancelled with no open deadline', async () => {
  const clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  const listingId = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执950号' }));
  const [task] = await tasksOf(stack, listingId, 'impose', 2);
  // As the lift leaves it: the workflow had accepted the acknowledgment, its write had not landed yet.
  await stack.prisma.task.update({ where: { id: task!.id }, data: { status: 'cancelled', openDeadlineAt: null } });
  const records = createTaskRecordActivities({ prisma: stack.prisma } as ActivityDeps);
  await records.recordTaskTransition({ taskId: task!.id, listingId, transition: 'acknowledged', at: new Date().toISOString(), by: '王五' });
  const row = await stack.prisma.task.findUniqueOrThrow({ where: { id: task!.id } });
  expect(row).toMatchObject({ status: 'cancelled', openDeadlineAt: null, acknowledgedBy: '王五' });
  expect(await stack.prisma.event.count({ where: { taskId: task!.id, type: 'acknowledged' } })).toBe(1);
});
