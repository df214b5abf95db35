// Replays recorded histories against the current workflow code. A change that
// would break listings in flight fails here: guard it with patched().
// Record new histories with: RECORD_HISTORIES=<label> npx vitest run test/integration/history-size.test.ts
// (keep the old ones: they are the listings still in flight under earlier code).
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect, inject, it } from 'vitest';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { tracingOff } from '../../platform/tracing.js';
import { testDataConverter } from '../support/settings.js';

const { History } = proto.temporal.api.history.v1;
const dir = fileURLToPath(new URL('./histories/', import.meta.url));

// With and without tracing's workflow interceptors: they must add no commands.
it.each(['workflowBundleCode', 'tracedWorkflowBundleCode'] as const)('replays every recorded history without nondeterminism (%s)', async (bundle) => {
  // Binary protobuf: the SDK's JSON history reader trips over two protobufjs copies in one install.
  const files = (await readdir(dir)).filter((file) => file.endsWith('.binpb')).sort();
  expect(files.length).toBeGreaterThan(0);
  const histories = await Promise.all(files.map(async (file) => ({ workflowId: file, history: History.decode(await readFile(`${dir}/${file}`)) })));
  const failures: string[] = [];
  let replayed = 0;
  // Histories recorded since payloads are encrypted need the test key; earlier ones pass through the codec unchanged.
  for await (const result of Worker.runReplayHistories({ workflowBundle: { code: inject(bundle) }, sinks: tracingOff.workflowSinks, dataConverter: testDataConverter() }, histories)) {
    replayed++;
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
  expect(replayed).toBe(files.length);
}, 180_000);
