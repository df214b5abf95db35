// How large a listing's workflow history grows through a full lifecycle at all
// 45 departments, in the worst case where every acknowledgment is late enough
// to go through every escalation step. Temporal warns at 10,240 events.
import { mkdir, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import proto from '@temporalio/proto';
import { defaultCatalog } from '../../domain/catalog.js';
import { secondsPolicy } from '../support/policies.js';
import type { SanctionWorkflowInput } from '../../workflows/types.js';
import { acknowledgeAndComplete, departmentKeys, listingStatus, tasksOf } from '../support/listing-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';

const { History } = proto.temporal.api.history.v1;
const HISTORY_WARNING = 10_240;
const policy = secondsPolicy({ acknowledge: 3, complete: 3600, officeAfter: 1, reminderBefore: 1 });

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ policy });
});
afterAll(async () => stack?.stop());

it('stays far below the history warning at 45 departments, every step escalated', { timeout: 120_000 }, async () => {
  const departments = defaultCatalog.departments.map((d) => d.code);
  expect(departments).toHaveLength(45);
  const listingId = randomUUID();
  await stack.prisma.listing.create({
    data: {
      id: listingId, workflowId: `sanction-${listingId}`, courtCode: 'NX-YC-01', caseNumber: '（2026）宁01执900号',
      debtorKind: 'entity', debtorName: '某公司', debtorIdNumber: '91350100M000100Y43', circumstance: 'refuses-despite-ability',
      obligationDescription: '支付', listedAt: new Date(), catalogVersion: 1,
    },
  });
  const input: SanctionWorkflowInput = { listingId, courtCode: 'NX-YC-01', expiresAt: null, plan: departments.map((code) => ({ departmentCode: code, measures: ['M01'] })) };
  const handle = await stack.temporal.workflow.start('sanctionWorkflow', { workflowId: `sanction-${listingId}`, taskQueue: stack.taskQueue, args: [input] });
  const keyOf = departmentKeys(stack);
  const escalationsOf = (kind: string) =>
    stack.prisma.notification.count({ where: { listingId, type: 'escalation', sentAt: { not: null }, task: { kind } } });

  const impose = await tasksOf(stack, listingId, 'impose', 45);
  await waitUntil(async () => (await escalationsOf('impose')) === 90, 'two escalation steps for all 45 impose tasks', 60_000);
  // Ten departments at a time, the server's limit of updates in flight per workflow: this test is about history, not bursts.
  await acknowledgeAndComplete(stack, keyOf, impose, { concurrency: 10 });
  // Through the API: its gateway sends the update again if it meets the run handing over to its continuation.
  const clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  expect((await stack.request('POST', `/api/listings/${listingId}/performance`, { key: clerk, body: { note: 'paid' } })).status).toBe(202);
  const lift = await tasksOf(stack, listingId, 'lift', 45);
  await waitUntil(async () => (await escalationsOf('lift')) === 90, 'two escalation steps for all 45 lift tasks', 60_000);
  await acknowledgeAndComplete(stack, keyOf, lift, { concurrency: 10 });
  await listingStatus(stack, listingId, 'lifted');
  await handle.result();

  // Every run of the chain: the impose phase, then (after continue-as-new) the long wait and the lift.
  const runs: { runId: string; events: number }[] = [];
  const histories: proto.temporal.api.history.v1.IHistory[] = [];
  for await (const execution of stack.temporal.workflow.list({ query: `WorkflowId = 'sanction-${listingId}'` })) {
    const history = await stack.temporal.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    runs.push({ runId: execution.runId, events: history.events?.length ?? 0 });
    histories.push(history);
  }
  const total = runs.reduce((sum, run) => sum + run.events, 0);
  process.stdout.write(`history events at 45 departments, all steps escalated: ${runs.map((r) => r.events).join(' + ')} = ${total} (warning at ${HISTORY_WARNING})\n`);
  expect(runs.length).toBeGreaterThanOrEqual(2);
  for (const run of runs) expect(run.events).toBeLessThan(HISTORY_WARNING / 2);

  if (process.env.RECORD_HISTORIES) {
    const dir = fileURLToPath(new URL('../replay/histories/', import.meta.url));
    await mkdir(dir, { recursive: true });
    for (const [index, history] of histories.entries()) {
      await writeFile(`${dir}/full-lifecycle-45-departments-${process.env.RECORD_HISTORIES}-run${index + 1}.binpb`, History.encode(history).finish());
    }
  }
});
