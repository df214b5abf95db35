// The gateway sends an update again when the server refused it unaccepted; fakes stand in for Temporal.
import { expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { createWorkflowGateway } from '../../app/workflow-gateway.js';
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
          return { taskId: 't', status: 'acknowledged', changed: true };
        },
      }),
    },
  } as unknown as Client;
  return { client, calls: () => calls };
}

const action = { taskId: 't', departmentCode: 'D05', by: 'x' } as never;

it('sends an update again while the workflow has too many updates in flight', async () => {
  const { client, calls } = clientFailing(3, busyError);
  await expect(createWorkflowGateway(client, 'q').acknowledge('listing', action)).resolves.toMatchObject({ changed: true });
  expect(calls()).toBe(4);
});

it('gives up after its attempts with an error the API answers 503 (retry later, nothing was accepted)', async () => {
  const { client, calls } = clientFailing(100, busyError);
  const failure = await createWorkflowGateway(client, 'q').acknowledge('listing', action).catch((error: unknown) => error);
  expect(calls()).toBe(12);
  expect(unavailableDependency(failure)).toBe('temporal');
}, 60_000);

it('does not repeat an update that failed for another reason', async () => {
  const { client, calls } = clientFailing(1, () => new Error('boom'));
  await expect(createWorkflowGateway(client, 'q').acknowledge('listing', action)).rejects.toThrow('boom');
  expect(calls()).toBe(1);
});
