// /metrics reflects a listing's progress and carries the worker's SDK metrics;
// /readyz turns away traffic while draining.
import { createServer, type AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMetrics } from '../../http/metrics.js';
import { dependencyProbes, healthRoutes } from '../../http/health.js';
import { createDependencyStatus } from '../../platform/dependency-status.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { entityListing } from '../support/fixtures.js';
import { list, tasksOf } from '../support/listing-client.js';
import { calmPolicy } from '../support/policies.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';

const metricsToken = 'scraper-secret-0123456789';
let stack: TestStack;
beforeAll(async () => {
  // Figures read afresh at every scrape: this file watches them change.
  stack = await startTestStack({ policy: calmPolicy, catalog: twoDepartmentCatalog(), workerMetrics: true, env: { METRICS_TOKEN: metricsToken, METRICS_CACHE_SECONDS: '0' } });
});
afterAll(async () => stack?.stop());

const scrape = async () => {
  const response = await fetch(`${stack.apiUrl}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
};
const value = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

it('/metrics follows a listing from dispatch to acknowledgment', async () => {
  const clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  const listingId = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执990号' }));
  const [d05] = await tasksOf(stack, listingId, 'impose', 2);
  await stack.mail.waitFor((m) => m.headers['x-notice-type'] === 'notice', 2);
  const before = await waitUntil(async () => {
    const text = await scrape();
    return value(text, 'sanctions_mail{state="sent"}') === 2 ? text : undefined;
  }, 'two sent notices in the metrics');
  expect(value(before, 'sanctions_listings{status="active"}')).toBe(1);
  expect(value(before, 'sanctions_open_tasks{department="D05",phase="impose"}')).toBe(1);
  expect(value(before, 'sanctions_open_tasks{department="D06",phase="impose"}')).toBe(1);
  expect(before).toMatch(/sanctions_http_request_duration_seconds_count\{method="POST",route="\/api\/listings\/",status="2xx"\} 1/);
  expect(before).toContain('sanctions_process_resident_memory_bytes');

  const department = await stack.key('department', { departmentCode: 'D05' });
  expect((await stack.request('POST', `/api/tasks/${d05!.id}/complete`, { key: department, body: { by: '王五' } })).status).toBe(200);
  const after = await scrape();
  expect(value(after, 'sanctions_open_tasks{department="D05",phase="impose"}')).toBeNaN();
  expect(value(after, 'sanctions_open_tasks{department="D06",phase="impose"}')).toBe(1);
});

it('/metrics appends the worker\'s own Temporal SDK metrics', async () => {
  const text = await waitUntil(async () => {
    const scraped = await scrape();
    return /^temporal_worker_task_slots_available\{/m.test(scraped) ? scraped : undefined;
  }, 'the worker\'s task slots in the metrics');
  expect(value(text, 'sanctions_worker_metrics_up')).toBe(1);
  expect(text).toMatch(new RegExp(`^temporal_num_pollers\\{.*task_queue="${stack.taskQueue}"`, 'm'));
  // The API's own figures are still there, once.
  expect(text.match(/^# TYPE sanctions_listings gauge$/gm)).toHaveLength(1);
});

it('a worker whose metrics do not answer turns sanctions_worker_metrics_up to 0 within a second, and /metrics still answers', async () => {
  // Accepts connections and never answers, like a hung worker.
  const silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const app = express().get('/metrics', createMetrics(stack.prisma, { workerMetricsUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/metrics` }).serve);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const started = Date.now();
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(value(text, 'sanctions_worker_metrics_up')).toBe(0);
    expect(text).toContain('sanctions_listings');
  } finally {
    server.close();
    silent.close();
  }
});

it('/metrics answers only the metrics token or an admin key: 401 problem+json without, 403 for other roles', async () => {
  const anonymous = await fetch(`${stack.apiUrl}/metrics`);
  expect(anonymous.status).toBe(401);
  expect(anonymous.headers.get('content-type')).toMatch(/problem\+json/);
  expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
  expect(await anonymous.text()).not.toContain('sanctions_listings');
  expect((await fetch(`${stack.apiUrl}/metrics`, { headers: { authorization: 'Bearer scraper-secret-wrong' } })).status).toBe(401);
  const clerk = await stack.key('clerk');
  expect((await fetch(`${stack.apiUrl}/metrics`, { headers: { authorization: `Bearer ${clerk}` } })).status).toBe(403);
  const byAdmin = await fetch(`${stack.apiUrl}/metrics`, { headers: { authorization: `Bearer ${stack.adminKey}` } });
  expect(byAdmin.status).toBe(200);
  expect(await byAdmin.text()).toContain('sanctions_listings');
});

it('rapid scrapes read the database once per caching interval', async () => {
  // Every call the metrics make on the read model, by model and method.
  const calls: string[] = [];
  const counted = (model: string) =>
    new Proxy((stack.prisma as any)[model], {
      get: (target, method: string) => (...args: unknown[]) => {
        calls.push(`${model}.${method}`);
        return target[method](...args);
      },
    });
  const countingPrisma = new Proxy(stack.prisma, { get: (target, name: string) => (['listing', 'listingImport', 'task', 'notification'].includes(name) ? counted(name) : (target as any)[name]) });
  const app = express().get('/metrics', createMetrics(countingPrisma, { cacheMs: 1_500 }).serve);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  try {
    // Ten at once, then ten more one after another.
    const concurrent = await Promise.all(Array.from({ length: 10 }, () => fetch(url).then((response) => response.text())));
    for (let i = 0; i < 10; i++) expect(await (await fetch(url)).text()).toContain('sanctions_open_tasks');
    expect(concurrent.every((text) => text.includes('sanctions_mail{state="sent"}'))).toBe(true);
    const once = [...calls].sort();
    expect(once).toEqual(['listing.groupBy', 'listingImport.aggregate', 'notification.count', 'notification.count', 'task.groupBy', 'task.groupBy']);
    // Once the interval is over, the next scrape reads again.
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    await fetch(url).then((response) => response.text());
    expect(calls).toHaveLength(once.length * 2);
  } finally {
    server.close();
  }
});

it('/readyz answers 200 when serving and 503 problem+json while draining; /healthz stays about dependencies', async () => {
  expect((await fetch(`${stack.apiUrl}/readyz`)).status).toBe(200);
  const draining = express().use(healthRoutes(dependencyProbes(stack.prisma, stack.temporal.connection as never), createDependencyStatus(), { draining: true }));
  const server = draining.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  } finally {
    server.close();
  }
});

it('/healthz and /readyz name the part that is down, since when and why, with Retry-After', async () => {
  const status = createDependencyStatus();
  let temporalAnswers = true;
  const probes = {
    ...dependencyProbes(stack.prisma, stack.temporal.connection as never),
    temporal: async () => {
      if (!temporalAnswers) throw new Error('14 UNAVAILABLE: No connection established\nmore detail');
    },
  };
  const app = express().use(healthRoutes(probes, status));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    temporalAnswers = false;
    const before = Date.now();
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(503);
    expect(health.headers.get('retry-after')).toBe('5');
    const body = (await health.json()) as { detail: string; database: string; temporal: string; down: { part: string; since: string; cause: string }[] };
    expect(body).toMatchObject({ database: 'ok', temporal: 'unreachable' });
    expect(body.down).toEqual([{ part: 'temporal', since: expect.any(String), seconds: 0, cause: 'unreachable: 14 UNAVAILABLE: No connection established' }]);
    const since = Date.parse(body.down[0]!.since);
    expect(since).toBeGreaterThanOrEqual(before - 5);
    expect(body.detail).toMatch(/^temporal down since \S+ \(0 s\): unreachable: 14 UNAVAILABLE/);
    // The time it went down is kept while it stays down.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const ready = (await (await fetch(`${base}/readyz`)).json()) as { down: { since: string; seconds: number }[]; parts: Record<string, { status: string; since: string }> };
    expect(ready.down[0]).toMatchObject({ since: body.down[0]!.since, seconds: 1 });
    expect(ready.parts).toMatchObject({ database: { status: 'up' }, temporal: { status: 'down', since: body.down[0]!.since } });
    temporalAnswers = true;
    const back = await fetch(`${base}/readyz`);
    expect(back.status).toBe(200);
    expect(((await back.json()) as { parts: Record<string, { status: string }> }).parts.temporal).toMatchObject({ status: 'up' });
  } finally {
    server.close();
  }
});
