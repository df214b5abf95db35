// The gateway sends an update again when the server refused it unaccepted; fakes stand in for Temporal.
import { expect, it } from 'vitest';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { CONTINUING_RETRY_MS, createWorkflowGateway, refusalError, type WorkflowRefusal } from '../../app/workflow-gateway.js';
import { problemHandler } from '../../http/problem.js';
import { REJECTIONS } from '../../workflows/messages.js';
import { unavailableDependency } from '../../platform/unavailable-dependency.js';

function busyError(): Error {
  const cause = Object.assign(new Error('8 RESOURCE_EXHAUSTED: limit on number of concurrent in-flight updates has been reached (10)'), { code: 8 });
  return Object.assign(new Error('Workflow Update failed', { cause }), { name: 'ServiceError' });
}

function clientFailing(times: number, error: () => Error) {
  let calls = 0;
  const client = {
    workflow: {
      getHandle: () => ({
        executeUpdate: async () => {
          calls += 1;
          if (calls <= times) throw error();
          return { taskId: 't', status: 'completed', changed: true };
        },
      }),
    },
  } as unknown as Client;
  return { client, calls: () => calls };
}

const action = { taskId: 't', departmentCode: 'D05', by: 'x' } as never;

it('sends an update again while the workflow has too many updates in flight', async () => {
  const { client, calls } = clientFailing(3, busyError);
  await expect(createWorkflowGateway(client, 'q').complete('listing', action)).resolves.toMatchObject({ changed: true });
  expect(calls()).toBe(4);
});

it('gives up after its attempts with an error the API answers 503 (retry later, nothing was accepted)', async () => {
  const { client, calls } = clientFailing(100, busyError);
  const failure = await createWorkflowGateway(client, 'q').complete('listing', action).catch((error: unknown) => error);
  expect(calls()).toBe(12);
  expect(unavailableDependency(failure)).toBe('temporal');
}, 60_000);

it('does not repeat an update that failed for another reason', async () => {
  const { client, calls } = clientFailing(1, () => new Error('boom'));
  await expect(createWorkflowGateway(client, 'q').complete('listing', action)).rejects.toThrow('boom');
  expect(calls()).toBe(1);
});

/** What a run handing over to its continuation answers: the update never ran. */
function continuingError(): Error {
  return new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ type: REJECTIONS.continuing, message: 'the run is continuing as new' }));
}

/** The HTTP answer a use case gives when it throws the gateway's refusal, through the API's own error handler. */
async function httpAnswerOf(refusal: WorkflowRefusal): Promise<{ status: number; retryAfter: string | null; type: string | null; body: Record<string, unknown> }> {
  const app = express();
  app.post('/x', () => {
    throw refusalError(refusal);
  });
  app.use(problemHandler(pino({ level: 'silent' })));
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`, { method: 'POST' });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), type: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
  } finally {
    server.close();
  }
}

it('keeps sending an update while the run continues as new, then says "retry later" (503 with Retry-After), not that the listing is closed', async () => {
  const { client, calls } = clientFailing(Number.POSITIVE_INFINITY, continuingError);
  const startedAt = Date.now();
  const outcome = await createWorkflowGateway(client, 'q', { continuingRetryMs: 1_500 }).complete('listing', action);
  const waited = Date.now() - startedAt;
  expect(outcome).toMatchObject({ refused: 'retryLater' });
  expect(waited).toBeGreaterThanOrEqual(1_500);
  expect(waited).toBeLessThan(3_000);
  // Backing off: a handful of attempts over the bound, not one every few milliseconds.
  expect(calls()).toBeGreaterThan(5);
  expect(calls()).toBeLessThan(20);
  const answer = await httpAnswerOf(outcome as WorkflowRefusal);
  expect(answer.status).toBe(503);
  expect(answer.retryAfter).toMatch(/^\d+$/);
  expect(answer.type).toContain('application/problem+json');
  expect(answer.body).toMatchObject({ status: 503, refused: 'retryLater' });
}, 10_000);

it('by default waits about 10 s for a continuation before giving up', async () => {
  expect(CONTINUING_RETRY_MS).toBe(10_000);
  const { client, calls } = clientFailing(Number.POSITIVE_INFINITY, continuingError);
  const startedAt = Date.now();
  await expect(createWorkflowGateway(client, 'q').complete('listing', action)).resolves.toMatchObject({ refused: 'retryLater' });
  expect(Date.now() - startedAt).toBeGreaterThanOrEqual(10_000);
  expect(Date.now() - startedAt).toBeLessThan(12_000);
  expect(calls()).toBeLessThan(30);
}, 20_000);

it('an update refused by a continuing run succeeds when the new run takes it within the bound', async () => {
  // Twelve refusals take about 7 s with the backoff: longer than the half second the gateway used to wait.
  const { client, calls } = clientFailing(12, continuingError);
  await expect(createWorkflowGateway(client, 'q').complete('listing', action)).resolves.toMatchObject({ changed: true });
  expect(calls()).toBe(13);
}, 20_000);
