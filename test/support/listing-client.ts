import { expect } from 'vitest';
import type { TestStack } from './stack.js';
import { waitUntil } from './wait.js';

/** Department keys by department code, created on demand. */
export function departmentKeys(stack: TestStack) {
  const keys = new Map<string, Promise<string>>();
  return (departmentCode: string) => {
    if (!keys.has(departmentCode)) keys.set(departmentCode, stack.key('department', { departmentCode }));
    return keys.get(departmentCode)!;
  };
}

export async function list(stack: TestStack, clerk: string, body: unknown): Promise<string> {
  const response = await stack.request('POST', '/api/listings', { key: clerk, body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.id as string;
}

/** Waits until the listing has `count` tasks of `kind` in the read model. */
export function tasksOf(stack: TestStack, listingId: string, kind: 'impose' | 'lift', count: number) {
  return waitUntil(async () => {
    const tasks = await stack.prisma.task.findMany({ where: { listingId, kind }, orderBy: { departmentCode: 'asc' } });
    return tasks.length >= count ? tasks : undefined;
  }, `${count} ${kind} tasks of ${listingId}`);
}

/**
 * Acknowledges and then completes each task through the API, as its
 * department: all at once, or `concurrency` departments at a time.
 */
export async function acknowledgeAndComplete(stack: TestStack, keyOf: (code: string) => Promise<string>, tasks: { id: string; departmentCode: string }[], { concurrency = Infinity }: { concurrency?: number } = {}) {
  const queue = [...tasks];
  const worker = async () => {
    for (let task = queue.shift(); task; task = queue.shift()) await answer(task);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));

  async function answer(task: { id: string; departmentCode: string }) {
    const key = await keyOf(task.departmentCode);
    const acknowledged = await stack.request('POST', `/api/tasks/${task.id}/acknowledge`, { key, body: { by: `staff of ${task.departmentCode}` } });
    expect(acknowledged.status, JSON.stringify(acknowledged.body)).toBe(200);
    expect(acknowledged.body.status).toBe('acknowledged');
    const completed = await stack.request('POST', `/api/tasks/${task.id}/complete`, { key, body: { by: `staff of ${task.departmentCode}`, reference: `REF-${task.departmentCode}` } });
    expect(completed.status, JSON.stringify(completed.body)).toBe(200);
    expect(completed.body.status).toBe('completed');
  }
}

export function listingStatus(stack: TestStack, listingId: string, status: string, timeoutMs = 30_000) {
  return waitUntil(async () => {
    const listing = await stack.prisma.listing.findUnique({ where: { id: listingId } });
    return listing?.status === status ? listing : undefined;
  }, `listing ${listingId} to be ${status}`, timeoutMs);
}
