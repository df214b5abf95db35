// The objection's workflow against the test server, with its one activity
// faked: news that arrives while a turn closes the objection is read again.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { expect, inject, it } from 'vitest';
import { objectionChangedSignal } from '../../workflows/messages.js';
import type { ObjectionTurn } from '../../activities/objections.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

it('an objection the turn closed while news came in is read again, not left unfollowed', async () => {
  const address = inject('temporalAddress');
  const taskQueue = `objection-${randomUUID()}`;
  const started = deferred();
  const release = deferred();
  let turns = 0;
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: { code: inject('workflowBundleCode') },
    activities: {
      // First turn: the window for reconsideration passed, so it closes the objection — while the court
      // records a reconsideration received in time. Second turn: that reconsideration is seen (here, closed).
      async followObjection(): Promise<ObjectionTurn> {
        turns += 1;
        if (turns === 1) {
          started.resolve();
          await release.promise;
        }
        return { open: false, wakeAt: null };
      },
    },
  });
  const client = new Client({ connection: await Connection.connect({ address }) });
  try {
    await worker.runUntil(async () => {
      const handle = await client.workflow.start('objectionWorkflow', { taskQueue, workflowId: `objection-${randomUUID()}`, args: [randomUUID()] });
      await started.promise;
      await handle.signal(objectionChangedSignal);
      release.resolve();
      await handle.result();
    });
    expect(turns).toBe(2);
  } finally {
    await client.connection.close();
    await connection.close();
  }
});
