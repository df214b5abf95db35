// An asset search of a whole region's directory (3,595 institutions) on the
// real stack: every request is delivered exactly once, every institution
// answers through the API with its signature, the search completes, and the
// workflow's history stays a matter of batches, not of institutions
// (docs/adr/0004-asset-searches-in-batches.md).
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import proto from '@temporalio/proto';
import { defaultPayloadConverter } from '@temporalio/common';
import { ASSET_BATCH_SIZE } from '../../app/asset-searches.js';
import { generateInstitutionDirectory } from '../../domain/institutions.js';
import { parsePolicy } from '../../domain/policy.js';
import { createEncryptionCodec } from '../../platform/payload-codec.js';
import { documentSigner, generateSigningKey, type DocumentSigner } from '../../platform/signed-documents.js';
import { VALID_CREDIT_CODE } from '../support/fixtures.js';
import { TEST_PAYLOAD_KEY } from '../support/settings.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';

const INSTITUTIONS = 3595;
const BATCHES = Math.ceil(INSTITUTIONS / ASSET_BATCH_SIZE);
const ANSWER_CONCURRENCY = 32;
const COURT = 'FJ-XM-0203';
const CASE_NUMBER = '（2026）闽0203执3595号';

/**
 * The events a run of the search's workflow may record, whatever the number
 * of institutions. Deliveries: B activities (scheduled, started, completed).
 * Follow turns: the first over all B batches, then at most one per completed
 * batch (its signal) over the batches still open, so at most B + B(B+1)/2
 * activities; with the finishing activity, 3 events each. Each activity's
 * completion wakes at most one workflow task (3 events), each batch signal
 * adds the signal and one timer started and cancelled. For B = 8: 3·(8 + 8 +
 * 36 + 1) = 159 events of activities, as many again of workflow tasks, and 24
 * of signals and timers — 348, with the start and the end. (No reminder,
 * escalation or daily recheck falls due here, each of which would add a turn.)
 * A run that fed answers to the workflow one by one would need at least 3,595
 * signals and the workflow tasks they wake.
 */
const HISTORY_EVENT_BOUND = (b: number) => 2 * 3 * (b + b + (b * (b + 1)) / 2 + 1) + 3 * b + 6;

// Deadlines far away: nothing is reminded or escalated while the test runs.
const policy = parsePolicy({
  assets: { answer: 'PT6H', confirm: 'PT6H' },
  reminderBefore: 'PT1H',
  escalation: [{ after: 'PT0S', notify: 'department-supervisor' }],
});
const directory = generateInstitutionDirectory(INSTITUTIONS);

let stack: TestStack;
beforeAll(async () => {
  // The production pool (DATABASE_POOL_SIZE defaults to 20): the API and the worker share it in this process.
  stack = await startTestStack({ policy, institutions: directory, poolSize: 20 });
});
afterAll(async () => stack?.stop());

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const percentile = (samples: number[], p: number) => [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.floor(p * samples.length))]!;

/** Runs `work` over `items`, at most `concurrency` at a time. */
async function inPool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

it(`delivers ${INSTITUTIONS.toLocaleString('en')} requests once each, takes every signed answer, and keeps the history to its batches`, { timeout: 600_000 }, async () => {
  const timings: string[] = [];
  const started = performance.now();
  let phase = started;
  const lap = (what: string) => {
    const at = performance.now();
    timings.push(`${what}: ${seconds(at - phase)}`);
    phase = at;
  };
  const clerk = await stack.key('clerk', { courtCode: COURT });

  // 1. The search: one request per institution, recorded with its batch.
  const created = await stack.request('POST', '/api/asset-searches', {
    key: clerk,
    body: { caseNumber: CASE_NUMBER, debtor: { kind: 'entity', name: '厦门某某贸易有限公司', idNumber: VALID_CREDIT_CODE }, institutions: 'all' },
  });
  expect(created.status).toBe(201);
  lap('POST /api/asset-searches (3,595 signed notices recorded)');
  const searchId = created.body.id as string;
  const requests = created.body.requests as { id: string; institutionCode: string }[];
  expect(requests).toHaveLength(INSTITUTIONS);
  expect(new Set(requests.map((r) => r.institutionCode))).toEqual(new Set(directory.institutions.map((i) => i.code)));
  const batches = await stack.prisma.assetSearchBatch.findMany({ where: { searchId }, orderBy: { batch: 'asc' } });
  expect(batches.map((b) => b.open)).toEqual(Array.from({ length: BATCHES }, (_, b) => Math.min(ASSET_BATCH_SIZE, INSTITUTIONS - b * ASSET_BATCH_SIZE)));

  // 2. Delivery: every request by email (no institution subscribed a webhook), each exactly once.
  await waitUntil(async () => (await stack.prisma.assetRequest.count({ where: { searchId, deliveredAt: { not: null } } })) === INSTITUTIONS, 'every request delivered', 300_000);
  lap('every request delivered (deliveredAt set)');
  const queries = () => stack.mail.messages.filter((m) => m.headers['x-notice-type'] === 'asset-query');
  await waitUntil(async () => queries().length >= INSTITUTIONS, 'every query email caught', 30_000);
  // A late duplicate would show up here.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const caught = queries();
  expect(caught).toHaveLength(INSTITUTIONS);
  const byRequest = new Map<string, number>();
  for (const message of caught) byRequest.set(message.headers['x-asset-request-id']!, (byRequest.get(message.headers['x-asset-request-id']!) ?? 0) + 1);
  expect(byRequest.size).toBe(INSTITUTIONS);
  expect([...byRequest.values()].every((count) => count === 1)).toBe(true);
  const institutionOf = new Map(directory.institutions.map((i) => [i.code, i]));
  const messageOf = new Map(caught.map((m) => [m.headers['x-asset-request-id']!, m]));
  for (const request of requests) expect(messageOf.get(request.id)?.envelopeTo).toEqual([institutionOf.get(request.institutionCode)!.contactEmail]);
  const delivered = await stack.prisma.assetRequest.findMany({ where: { searchId }, select: { id: true, batch: true, deliveredAt: true, deliveredVia: true } });
  expect(delivered.every((r) => r.deliveredAt !== null && r.deliveredVia === 'email')).toBe(true);

  // Each AssetNotice row: sent, claimed once per attempt of its batch's delivery activity.
  const notices = await stack.prisma.assetNotice.findMany({ where: { searchId, type: 'asset-query' }, select: { requestId: true, sentAt: true, attempts: true, lastError: true } });
  expect(notices).toHaveLength(INSTITUTIONS);
  expect(notices.every((n) => n.sentAt !== null && n.lastError === null)).toBe(true);
  // A delivery activity records its last attempt when it returns, a moment after its requests were marked delivered.
  const deliveryAttempts = await waitUntil(async () => {
    const attempts = await deliveryAttemptsByBatch(searchId);
    return attempts.size === BATCHES && attempts;
  }, 'every delivery activity recorded', 30_000);
  const batchOf = new Map(delivered.map((r) => [r.id, r.batch]));
  for (const notice of notices) {
    expect(notice.attempts).toBeGreaterThanOrEqual(1);
    expect(notice.attempts).toBeLessThanOrEqual(deliveryAttempts.get(batchOf.get(notice.requestId!)!)!);
  }
  const attemptsSeen = notices.reduce<Record<number, number>>((tally, n) => ({ ...tally, [n.attempts]: (tally[n.attempts] ?? 0) + 1 }), {});
  timings.push(`AssetNotice attempts (attempts: rows): ${JSON.stringify(attemptsSeen)}; delivery activity attempts by batch: ${JSON.stringify(Object.fromEntries(deliveryAttempts))}`);

  // 3. Every institution answers through the API with its own key and seal; one in ten reports a deposit.
  const signers = new Map<string, { apiKey: string; sign: DocumentSigner }>();
  const seals = directory.institutions.map((institution) => ({ institution, keyId: `${institution.code.toLowerCase()}-seal-1`, key: generateSigningKey('Ed25519') }));
  await stack.prisma.institutionKey.createMany({
    data: seals.map(({ institution, keyId, key }) => ({ institutionCode: institution.code, keyId, alg: key.alg, publicKey: key.publicKey, createdBy: 'test:scale' })),
  });
  await inPool(seals, 16, async ({ institution, keyId, key }) => {
    const { key: apiKey } = await stack.useCases.apiKeys.create({ name: `scale ${institution.code}`, role: 'institution', institutionCode: institution.code });
    signers.set(institution.code, { apiKey, sign: documentSigner({ keyId, alg: key.alg, privateKey: key.privateKey }) });
  });
  lap('3,595 keys registered, 3,595 API keys created');

  // In order of request id: random with respect to the batches, as independent institutions answer.
  const answering = [...requests].sort((a, b) => a.id.localeCompare(b.id));
  const withDeposit = new Set(answering.filter((_, index) => index % 10 === 0).map((r) => r.id));
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  const answersStarted = performance.now();
  await inPool(answering, ANSWER_CONCURRENCY, async (request) => {
    const { apiKey, sign } = signers.get(request.institutionCode)!;
    const findings = withDeposit.has(request.id) ? [{ kind: 'deposit', account: `6222 ${request.institutionCode}`, currency: 'CNY', amountYuan: 1_000, description: '活期存款' }] : [];
    const { requestId: _, ...body } = sign({ requestId: request.id, findings });
    const sent = performance.now();
    const answered = await stack.request('POST', `/api/asset-requests/${request.id}/answer`, { key: apiKey, body });
    latencies.push(performance.now() - sent);
    statuses[answered.status] = (statuses[answered.status] ?? 0) + 1;
  });
  const answersMs = performance.now() - answersStarted;
  lap(`3,595 answers at ${ANSWER_CONCURRENCY} concurrent clients`);
  timings.push(`answers: ${(INSTITUTIONS / (answersMs / 1000)).toFixed(0)}/s, p50 ${percentile(latencies, 0.5).toFixed(0)} ms, p99 ${percentile(latencies, 0.99).toFixed(0)} ms, statuses ${JSON.stringify(statuses)}`);
  expect(statuses).toEqual({ 201: INSTITUTIONS });

  // 4. The last answer of each batch signals the workflow; the last batch completes the search.
  const handle = stack.temporal.workflow.getHandle(`asset-search-${searchId}`);
  expect(await handle.result()).toEqual({ searchId, status: 'completed' });
  lap('the workflow completed after the last answer');
  const done = (await stack.request('GET', `/api/asset-searches/${searchId}`, { key: clerk })).body;
  expect(done.status).toBe('completed');
  expect(done.summary).toEqual({ requests: INSTITUTIONS, answered: INSTITUTIONS, overdue: 0, findings: withDeposit.size });
  expect(done.requests.every((r: { status: string; answeredVia: string }) => r.status === 'answered' && r.answeredVia === 'api')).toBe(true);
  expect(await stack.prisma.assetSearchBatch.findMany({ where: { searchId, open: { not: 0 } } })).toEqual([]);
  // Nothing was reminded or escalated, and nothing was mailed twice.
  expect(stack.mail.messages.filter((m) => m.headers['x-notice-type'] !== 'asset-query')).toEqual([]);
  expect(stack.mail.messages).toHaveLength(INSTITUTIONS);

  // 5. The history: batches, not institutions.
  const history = await handle.fetchHistory();
  const events = history.events ?? [];
  const bytes = proto.temporal.api.history.v1.History.encode(history).finish().length;
  const { EventType } = proto.temporal.api.enums.v1;
  const count = (type: proto.temporal.api.enums.v1.EventType) => events.filter((event) => event.eventType === type).length;
  const signals = count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
  const activities = count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
  const largestPayload = Math.max(...events.map((event) => proto.temporal.api.history.v1.HistoryEvent.encode(event).finish().length));
  timings.push(`history: ${events.length} events (${activities} activities, ${signals} signals), ${bytes.toLocaleString('en')} bytes, largest event ${largestPayload.toLocaleString('en')} bytes; bound ${HISTORY_EVENT_BOUND(BATCHES)} events`);
  // At most one signal per batch (a signal racing the workflow's end is dropped): answers reach the workflow by batch.
  expect(signals).toBeGreaterThanOrEqual(1);
  expect(signals).toBeLessThanOrEqual(BATCHES);
  expect(events.length).toBeLessThan(HISTORY_EVENT_BOUND(BATCHES));
  expect(events.length).toBeLessThan(INSTITUTIONS / 10);
  // Far below the 50 MB history and 2 MB event limits: a few bytes per batch, nothing per institution.
  expect(bytes).toBeLessThan(100 * 1024);

  timings.push(`total: ${seconds(performance.now() - started)}`);
  process.stdout.write(`asset search of ${INSTITUTIONS} institutions in ${BATCHES} batches:\n  ${timings.join('\n  ')}\n`);
});

/** How many attempts each batch's delivery activity took, once it completed: read from the workflow's history (its input decoded). */
async function deliveryAttemptsByBatch(searchId: string): Promise<Map<number, number>> {
  const codec = createEncryptionCodec({ current: TEST_PAYLOAD_KEY });
  const history = await stack.temporal.workflow.getHandle(`asset-search-${searchId}`).fetchHistory();
  const batchOfScheduled = new Map<string, number>();
  const attempts = new Map<number, number>();
  const completedScheduled = new Set<string>();
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'deliverAssetRequests') {
      const [payload] = await codec.decode(scheduled.input?.payloads ?? []);
      batchOfScheduled.set(String(event.eventId), defaultPayloadConverter.fromPayload<{ batch: number }>(payload!).batch);
    }
    const started = event.activityTaskStartedEventAttributes;
    const batch = started ? batchOfScheduled.get(String(started.scheduledEventId)) : undefined;
    if (started && batch !== undefined) attempts.set(batch, started.attempt ?? 1);
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed && batchOfScheduled.has(String(completed.scheduledEventId))) completedScheduled.add(String(completed.scheduledEventId));
  }
  return new Map([...attempts].filter(([batch]) => [...completedScheduled].some((id) => batchOfScheduled.get(id) === batch)));
}
