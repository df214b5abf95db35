import { proxyActivities } from '@temporalio/workflow';
import type * as activities from './activities.js';

const { noop } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

/**
 * The engine's ceiling for a shape of work and nothing else — no database, no
 * mail: `shape` lists the steps one after another, each the number of no-op
 * activities run side by side (the product's dispatch and notices: [1, 1]).
 */
export async function ceilingWorkflow(shape: number[]): Promise<void> {
  for (const activitiesInStep of shape) {
    await Promise.all(Array.from({ length: activitiesInStep }, () => noop()));
  }
}
