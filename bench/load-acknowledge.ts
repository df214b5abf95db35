// Load on the department side of the API: many department clients at once
// acknowledging their open tasks and reading their task lists and listings.
//
//   npm run bench:load -- [--seconds 60] [--connections 100] [--listings 300] [--catalog two|full]
//
// Starts everything it needs on this machine and stops by itself: a throwaway
// database on DATABASE_URL's server (default the local PostgreSQL), a Temporal
// dev server in memory (unless TEMPORAL_ADDRESS is set), a mail catcher, and
// the worker and API in this process. The load generator (autocannon) runs in
// a worker thread of its own so that it does not share the API's event loop.
// Every target is 127.0.0.1.
import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { defaultCatalog, dispatchPlan, type Catalog } from '../domain/catalog.js';
import { defaultPolicy } from '../domain/policy.js';
import { createPrismaClient } from '../db/client.js';
import { loadCatalog } from '../db/seed-catalog.js';
import { createTestDatabase } from '../db/test-database.js';
import { createLogger } from '../platform/logger.js';
import { startSystem } from '../main/compose.js';
import { loadSettings } from '../platform/settings.js';
import { ensureTemporalCli } from '../dev/temporal-cli.js';
import { startTemporalDevServer, type TemporalDevServer } from '../dev/temporal-dev-server.js';
import { MailCatcher } from '../dev/mail-catcher.js';
import { createApiKeyService } from '../app/api-keys.js';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';
import { twoDepartmentCatalog } from '../test/support/catalogs.js';
import { creditCode, entityListing, residentId } from '../test/support/fixtures.js';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? process.argv[index + 1] : undefined;
  return value ?? fallback;
}
const seconds = Number(option('seconds', '60'));
const connections = Number(option('connections', '100'));
const listingCount = Number(option('listings', '300'));
const catalogName = option('catalog', 'two');
for (const [name, value, max] of [['seconds', seconds, 600], ['connections', connections, 1000], ['listings', listingCount, 5000]] as const) {
  if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`--${name} must be an integer from 1 to ${max}`);
}
if (catalogName !== 'two' && catalogName !== 'full') throw new Error('--catalog must be two or full');
const catalog: Catalog = catalogName === 'full' ? defaultCatalog : twoDepartmentCatalog();

// Bounded: whatever happens, the process ends.
const hardStop = setTimeout(() => {
  process.stderr.write('load-acknowledge: did not finish in time, exiting\n');
  process.exit(2);
}, (seconds + 600) * 1000);
hardStop.unref();

const say = (message: string) => process.stdout.write(`${message}\n`);
Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } } });
const log = createLogger(process.env.LOG_LEVEL ?? 'error');

let devServer: TemporalDevServer | undefined;
let temporalAddress = process.env.TEMPORAL_ADDRESS;
if (!temporalAddress) {
  devServer = await startTemporalDevServer({
    cliPath: await ensureTemporalCli({ log: say }),
    headless: true,
    namespace: 'default',
    searchAttributes: SEARCH_ATTRIBUTES,
    log: () => {},
  });
  temporalAddress = devServer.address;
}
const database = await createTestDatabase();
const client = createPrismaClient({ url: database.url });
const { prisma, close } = client;
const mail = await new MailCatcher().start();
const benchSettings = loadSettings({ TEMPORAL_TASK_QUEUE: `bench-${randomUUID()}`, MAIL_FROM: 'Sanctions Bench <no-reply@sanctions.example>', PUBLIC_BASE_URL: 'http://localhost:3000', ACK_TOKEN_SECRET: 'bench-secret', TEMPORAL_PAYLOAD_KEY: randomBytes(32).toString('base64') });
const system = await startSystem(
  { database: client, temporalAddress, smtpUrl: mail.url },
  { settings: { ...benchSettings, http: { ...benchSettings.http, port: 0, host: '127.0.0.1' } }, policy: defaultPolicy, log, roles: { worker: true, http: true, inboundMail: false } },
);

try {
  await loadCatalog(prisma, catalog);
  const apiUrl = system.url!;
  const keys = createApiKeyService(prisma);
  const clerk = (await keys.create({ name: 'bench-clerk', role: 'clerk', courtCode: 'NX-YC-01' })).key;
  const plan = dispatchPlan(catalog, { debtorKind: 'entity', hasLegalRepresentative: true });

  // The open tasks: listings posted through the API, dispatched by the worker.
  const seedStarted = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (next < listingCount) {
        const n = next++;
        const body = entityListing({
          caseNumber: `（2026）宁01执${90000 + n}号`,
          debtor: { kind: 'entity', name: `宁夏压测${n}号有限公司`, idNumber: creditCode(50000 + n), legalRepresentative: { name: '张三', idNumber: residentId('19700101', n) } },
        });
        const response = await fetch(`${apiUrl}/api/listings`, { method: 'POST', headers: { authorization: `Bearer ${clerk}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        if (response.status !== 201) throw new Error(`listing ${n}: ${response.status} ${await response.text()}`);
      }
    }),
  );
  const expectedTasks = listingCount * plan.length;
  for (let waited = 0; (await prisma.notification.count({ where: { sentAt: { not: null } } })) < expectedTasks; waited += 500) {
    if (waited > 600_000) throw new Error('the tasks were not all dispatched within 10 minutes');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  say(`seeded ${listingCount} listings, ${expectedTasks} open tasks over ${plan.length} departments in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

  const tasks = await prisma.task.findMany({ select: { id: true, listingId: true, departmentCode: true }, orderBy: { createdAt: 'asc' } });
  const departments = [...new Set(tasks.map((task) => task.departmentCode))].sort();
  const clients: Record<string, { key: string; tasks: string[]; listings: string[] }> = {};
  for (const code of departments) {
    const own = tasks.filter((task) => task.departmentCode === code);
    clients[code] = {
      key: (await keys.create({ name: `bench-${code}`, role: 'department', departmentCode: code })).key,
      tasks: own.map((task) => task.id),
      listings: own.map((task) => task.listingId),
    };
  }

  say(`load: ${connections} connections for ${seconds} s against ${apiUrl} (half acknowledgments, a quarter GET /api/tasks?status=pending, a quarter GET /api/listings/:id)`);
  const result = await runLoad({ url: apiUrl, connections, seconds, departments, clients, autocannonPath: createRequire(import.meta.url).resolve('autocannon') });

  // Requests the load generator gave up on at its end may still be running: let them finish.
  for (let last = -1, waited = 0; waited < 30_000; waited += 1_000) {
    const events = await prisma.event.count();
    if (events === last) break;
    last = events;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }

  // What the acknowledgments left behind: each acknowledged task once, never twice.
  const acknowledged = await prisma.task.count({ where: { status: 'acknowledged' } });
  const ackEvents = await prisma.event.groupBy({ by: ['taskId'], where: { type: 'acknowledged' }, _count: { _all: true } });
  const doubled = ackEvents.filter((row) => row._count._all > 1).length;

  const { summary, byKind } = result;
  say('');
  say(`requests        ${summary.total} in ${summary.duration.toFixed(1)} s (${summary.average.toFixed(1)} req/s; ${(summary.bytesPerSecond / 1024).toFixed(0)} KiB/s)`);
  say(`errors          ${summary.errors} (timeouts ${summary.timeouts})`);
  say(`non-2xx         ${summary.non2xx}`);
  say(`latency         p50 ${summary.p50} ms, p90 ${summary.p90} ms, p99 ${summary.p99} ms, max ${summary.max} ms (autocannon); p50 ${summary.all.p50} ms, p99 ${summary.all.p99} ms (every answer, measured per request)`);
  for (const [kind, stats] of Object.entries(byKind)) {
    say(`  ${kind.padEnd(14)} ${String(stats.count).padStart(6)} answers, statuses ${JSON.stringify(stats.statuses)}, p50 ${stats.p50} ms, p99 ${stats.p99} ms`);
  }
  say(`tasks acknowledged ${acknowledged} of ${expectedTasks}; acknowledged events per task: at most ${doubled === 0 ? 1 : 'MORE THAN 1'} (${doubled} doubled)`);
  if (doubled > 0) process.exitCode = 1;
} finally {
  await system.stop();
  await mail.stop();
  await close();
  await database.drop();
  await devServer?.stop();
}
// The Temporal runtime keeps native handles; the run is over.
process.exit(process.exitCode ?? 0);

interface LoadSummary {
  total: number;
  duration: number;
  average: number;
  bytesPerSecond: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  all: { p50: number; p99: number };
}
interface KindStats {
  count: number;
  statuses: Record<string, number>;
  p50: number;
  p99: number;
}

/** autocannon in a worker thread; plain JavaScript there, so no loader is needed. */
function runLoad(workerData: {
  url: string;
  connections: number;
  seconds: number;
  departments: string[];
  clients: Record<string, { key: string; tasks: string[]; listings: string[] }>;
  autocannonPath: string;
}): Promise<{ summary: LoadSummary; byKind: Record<string, KindStats> }> {
  const code = `
const { workerData, parentPort } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const autocannon = require(workerData.autocannonPath);
const { url, connections, seconds, departments, clients } = workerData;
const keyToDepartment = new Map(departments.map((code) => [clients[code].key, code]));
const cursor = Object.fromEntries(departments.map((code) => [code, { task: 0, listing: 0 }]));
const byKind = {};
const allLatencies = [];
let clientNumber = 0;
let requestNumber = 0;
const percentile = (values, p) => {
  if (values.length === 0) return 0;
  const sorted = values.sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);
};
const instance = autocannon({
  url,
  connections,
  duration: seconds,
  timeout: 30,
  // Each connection is one department's client, with that department's key.
  setupClient(client) {
    const code = departments[clientNumber++ % departments.length];
    client.setHeaders({ authorization: 'Bearer ' + clients[code].key, 'content-type': 'application/json' });
  },
  requests: [{
    setupRequest(request, context) {
      const code = keyToDepartment.get(String(request.headers.authorization).slice(7));
      // autocannon builds a first request before setupClient has set the key; it is rebuilt then.
      if (!code) return request;
      const own = clients[code];
      const roll = Math.random();
      context.startedAt = performance.now();
      if (roll < 0.5) {
        // The department's tasks in turn: open ones first, then harmless repeats.
        const taskId = own.tasks[cursor[code].task++ % own.tasks.length];
        context.kind = 'acknowledge';
        return { ...request, method: 'POST', path: '/api/tasks/' + taskId + '/acknowledge',
          headers: { ...request.headers, 'idempotency-key': 'bench:' + process.pid + ':' + (++requestNumber) },
          body: JSON.stringify({ by: 'bench ' + code }) };
      }
      if (roll < 0.75) {
        context.kind = 'tasks-pending';
        return { ...request, method: 'GET', path: '/api/tasks?status=pending', body: undefined };
      }
      const listingId = own.listings[cursor[code].listing++ % own.listings.length];
      context.kind = 'listing';
      return { ...request, method: 'GET', path: '/api/listings/' + listingId, body: undefined };
    },
    onResponse(status, _body, context) {
      const stats = (byKind[context.kind] ??= { count: 0, statuses: {}, latencies: [] });
      stats.count++;
      stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
      stats.latencies.push(performance.now() - context.startedAt);
      allLatencies.push(performance.now() - context.startedAt);
    },
  }],
}, (error, raw) => {
  if (error) {
    parentPort.postMessage({ error: String(error && error.stack || error) });
    return;
  }
  // In a worker thread autocannon leaves aggregation to the caller.
  const result = raw.latency ? raw : autocannon.aggregateResult([raw], { url, connections, duration: seconds });
  const kinds = {};
  for (const [kind, stats] of Object.entries(byKind)) {
    kinds[kind] = { count: stats.count, statuses: stats.statuses, p50: percentile(stats.latencies, 50), p99: percentile(stats.latencies, 99) };
  }
  parentPort.postMessage({
    summary: {
      total: raw.totalCompletedRequests ?? result.requests.total,
      duration: result.duration,
      average: (raw.totalCompletedRequests ?? result.requests.total) / result.duration,
      bytesPerSecond: (raw.totalBytes ?? result.throughput.total) / result.duration,
      all: { p50: percentile(allLatencies, 50), p99: percentile(allLatencies, 99) },
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    byKind: kinds,
  });
});
autocannon.track(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData });
    worker.once('message', (message: { error?: string; summary?: LoadSummary; byKind?: Record<string, KindStats> }) => {
      if (message.error) reject(new Error(message.error));
      else resolve({ summary: message.summary!, byKind: message.byKind! });
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0 && code !== 1) reject(new Error(`load worker exited with ${code}`));
    });
  });
}
