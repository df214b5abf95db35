// While the SMTP server is away, supervisors see the mail that waits; once it is back, the mail goes out once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { entityListing } from '../support/fixtures.js';
import { list, tasksOf } from '../support/listing-client.js';
import { calmPolicy } from '../support/policies.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ policy: calmPolicy, catalog: twoDepartmentCatalog() });
});
afterAll(async () => stack?.stop());

it('lists undelivered mail with its error until it is delivered', async () => {
  const clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  const supervisor = await stack.key('supervisor');
  await stack.mail.stop();
  const listingId = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执901号' }));
  const tasks = await tasksOf(stack, listingId, 'impose', 2);
  const waiting = await waitUntil(async () => {
    const response = await stack.request('GET', '/api/supervision/undelivered-mail', { key: supervisor });
    return response.body.length === 2 && response.body.every((row: { lastError: string | null }) => row.lastError) ? response.body : undefined;
  }, 'two undelivered notices with their errors');
  expect(waiting.map((row: { taskId: string }) => row.taskId).sort()).toEqual(tasks.map((t) => t.id).sort());
  expect(waiting[0].lastError).toMatch(/ECONNREFUSED|connect/i);

  await stack.mail.start();
  const delivered = await stack.mail.waitFor((m) => tasks.some((t) => t.id === m.headers['x-task-id']), 2, 60_000);
  expect(new Set(delivered.map((m) => m.messageId)).size).toBe(2);
  await waitUntil(async () => (await stack.request('GET', '/api/supervision/undelivered-mail', { key: supervisor })).body.length === 0, 'the list to empty');
});
