import { proxyActivities } from '@temporalio/workflow';
import type * as activities from './activities.js';

const { noop } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

/**
 * The engine's ceiling for our shape of work: one activity (the dispatch),
 * then one per department side by side (the notices), and nothing else — no
 * database, no mail.
 */
export async function ceilingWorkflow(departments: number): Promise<void> {
  await noop();
  await Promise.all(Array.from({ length: departments }, () => noop()));
}
