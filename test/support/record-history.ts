import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';
import type { TestStack } from './stack.js';

const { History } = proto.temporal.api.history.v1;

/**
 * With RECORD_HISTORIES=<label>, keeps the finished workflow's history for
 * the replay test (test/replay): runs in flight under this code must replay
 * under every later version.
 */
export async function recordHistory(stack: TestStack, workflowId: string, name: string): Promise<void> {
  const label = process.env.RECORD_HISTORIES;
  if (!label) return;
  const handle = stack.temporal.workflow.getHandle(workflowId);
  await handle.result();
  const dir = fileURLToPath(new URL('../replay/histories/', import.meta.url));
  await mkdir(dir, { recursive: true });
  await writeFile(`${dir}/${name}-${label}.binpb`, History.encode(await handle.fetchHistory()).finish());
}
