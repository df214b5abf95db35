// One trace follows a listing: the clerk's request, the workflow start, the
// workflow run and the activities it schedules, exported over OTLP/HTTP.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { entityListing } from '../support/fixtures.js';
import { acknowledgeAndComplete, departmentKeys, list, listingStatus, tasksOf } from '../support/listing-client.js';
import { startOtlpCollector, type OtlpCollector, type ReceivedSpan } from '../support/otlp-collector.js';
import { calmPolicy } from '../support/policies.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';

let collector: OtlpCollector;
let stack: TestStack;

beforeAll(async () => {
  // Export every 100 ms instead of every 5 s. The tracer provider is global to
  // this process (vitest runs each test file in its own) and ends with the stack.
  process.env.OTEL_BSP_SCHEDULE_DELAY = '100';
  collector = await startOtlpCollector();
  stack = await startTestStack({ policy: calmPolicy, catalog: twoDepartmentCatalog(), tracing: { tracesUrl: collector.tracesUrl, serviceName: 'sanctions-test' } });
});
afterAll(async () => {
  await stack?.stop();
  await collector?.stop();
});

it('one trace links the listing request, the workflow start, the workflow run and its activities', async () => {
  const clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  const listingId = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执880号' }));
  await stack.mail.waitFor((m) => m.headers['x-notice-type'] === 'notice', 2);

  // A workflow's run span ends with the run: revoke the listing and lift it to the end.
  expect((await stack.request('POST', `/api/listings/${listingId}/revocation`, { key: clerk, body: { reason: '错误纳入' } })).status).toBe(202);
  await acknowledgeAndComplete(stack, departmentKeys(stack), await tasksOf(stack, listingId, 'lift', 2));
  await listingStatus(stack, listingId, 'revoked');

  const spansOfListing = await waitUntil(async () => {
    const request = collector.spans.find((span) => span.name === 'POST /api/listings/');
    const inTrace = collector.spans.filter((span) => span.traceId === request?.traceId);
    return inTrace.some((span) => span.name === 'RunWorkflow:sanctionWorkflow') ? inTrace : undefined;
  }, 'the listing request and its workflow run in one trace');

  const one = (name: string): ReceivedSpan => {
    const matching = spansOfListing.filter((span) => span.name === name);
    expect(matching, `${name} in ${spansOfListing.map((span) => span.name).join(', ')}`).toHaveLength(1);
    return matching[0]!;
  };
  const request = one('POST /api/listings/');
  const start = one('StartWorkflow:sanctionWorkflow');
  const run = one('RunWorkflow:sanctionWorkflow');
  const scheduleDispatch = spansOfListing.find((span) => span.name === 'StartActivity:dispatchTasks' && span.parentSpanId === run.spanId);
  const runDispatch = spansOfListing.find((span) => span.name === 'RunActivity:dispatchTasks' && span.parentSpanId === scheduleDispatch?.spanId);

  expect(start.parentSpanId).toBe(request.spanId);
  expect(run.parentSpanId).toBe(start.spanId);
  expect(scheduleDispatch).toBeDefined();
  expect(runDispatch).toBeDefined();
  // Both dispatches (impose, lift), each round's mails from one activity, and the closing mails.
  expect(spansOfListing.filter((span) => span.name === 'RunActivity:dispatchTasks')).toHaveLength(2);
  expect(spansOfListing.filter((span) => span.name === 'RunActivity:sendRoundMails').length).toBeGreaterThanOrEqual(2);
  expect(new Set(spansOfListing.map((span) => span.service))).toEqual(new Set(['sanctions-test']));
});

it('an acknowledgment is a trace of its own: the request, the signal sent and the signal handled', async () => {
  const clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  const listingId = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执881号' }));
  const [task] = await tasksOf(stack, listingId, 'impose', 2);
  const acknowledged = await stack.request('POST', `/api/tasks/${task!.id}/acknowledge`, { key: await stack.key('department', { departmentCode: task!.departmentCode }), body: { by: '王五' } });
  expect(acknowledged.status).toBe(200);

  const names = await waitUntil(async () => {
    const request = collector.spans.find((span) => span.name === 'POST /api/tasks/:id/acknowledge');
    const inTrace = collector.spans.filter((span) => span.traceId === request?.traceId).map((span) => span.name);
    return inTrace.includes('HandleSignal:taskAcknowledged') ? inTrace : undefined;
  }, 'the acknowledgment trace');
  expect(names).toEqual(expect.arrayContaining(['POST /api/tasks/:id/acknowledge', 'SignalWorkflow:taskAcknowledged', 'HandleSignal:taskAcknowledged']));
});

it('a request span continues the caller\'s trace and is named after its route', async () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const response = await stack.request('GET', '/api/catalog/versions', { key: await stack.key('supervisor'), headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
  expect(response.status).toBe(200);
  const span = await waitUntil(async () => collector.spans.find((s) => s.traceId === traceId), 'the span of the traced request');
  expect(span).toMatchObject({ name: 'GET /api/catalog/versions', parentSpanId: '00f067aa0ba902b7', service: 'sanctions-test' });
});
