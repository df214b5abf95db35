// npm run bench -- [--listings 200] [--task-rows 1000000] [--overdue-share 0.02] [--idle-listings 10] [--import-rows 1000]
//                  [--ack-seconds 20] [--ack-interval-ms 1000] [--saturation-seconds 5]
//                  [--subjects 10000000] [--check-seconds 15] [--lifts 20]
//                  [--workers 1] [--ceiling-workers 1] [--ceiling-shape 1,1]
//                  [--asset-institutions 3595] [--asset-clients 100]
//
// The benchmark of README and BENCHMARKS.md, on the local stack: a Temporal
// dev server of its own, the local PostgreSQL (a throwaway database), an SMTP
// sink in this process, and the worker(s) and API as separate processes.
// A 0 skips a part: --subjects (the check on many subjects), --import-rows,
// --task-rows (supervision), --lifts, --ack-seconds, --asset-institutions. The targets end up in
// bench-results.json in the working directory and in the table printed last.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { createEncryptionCodec, encryptingDataConverter } from '../platform/payload-codec.js';
import { defaultCatalog } from '../domain/catalog.js';
import { createPrismaClient } from '../db/client.js';
import { loadCatalog } from '../db/seed-catalog.js';
import { createTestDatabase } from '../db/test-database.js';
import { ensureTemporalCli } from '../dev/temporal-cli.js';
import { startTemporalDevServer } from '../dev/temporal-dev-server.js';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';
import { creditCode, residentId } from '../test/support/fixtures.js';
import { listingRows, toCsv } from '../test/support/spreadsheets.js';
import { firstVersusRest, inPool, parseShape, percentile, perSecond } from './stats.js';
import { pacedLoad, type PacedLoadResult } from './paced-load.js';
import { largestRssMiB, sampleRss } from './process-memory.js';
import { measure, summaryTable, supervisionFigures, type Results, type SupervisionFigures } from './results.js';
import { load, seedRestrictedSubjects, seededIdNumber, startBareServer, startReceiver, summarize } from './restrictions.js';
import { benchSupervisionQueries } from './supervision-queries.js';
import { startSmtpSink } from './smtp-sink.js';
import { assetSearchResults, benchAssetSearch } from './asset-search.js';


/**
 * The product's workflow, as the ceiling reproduces it with no-op activities:
 * the dispatch activity, then one activity sending all of the round's notices.
 * (Before notices were batched it was [1, 42], one activity per department:
 * `--ceiling-shape 1,42` gives that comparison again.)
 */
const PRODUCT_SHAPE = [1, 1];

const { values: args } = parseArgs({
  options: {
    listings: { type: 'string', default: '200' },
    'task-rows': { type: 'string', default: '1000000' },
    'ack-seconds': { type: 'string', default: '20' },
    'ack-interval-ms': { type: 'string', default: '1000' },
    'saturation-seconds': { type: 'string', default: '5' },
    'idle-listings': { type: 'string', default: '10' },
    'overdue-share': { type: 'string', default: '0.02' },
    'import-rows': { type: 'string', default: '1000' },
    subjects: { type: 'string', default: '10000000' },
    'check-seconds': { type: 'string', default: '15' },
    lifts: { type: 'string', default: '20' },
    workers: { type: 'string', default: '1' },
    'ceiling-workers': { type: 'string', default: '1' },
    'ceiling-shape': { type: 'string', default: PRODUCT_SHAPE.join(',') },
    'asset-institutions': { type: 'string', default: '3595' },
    'asset-clients': { type: 'string', default: '100' },
  },
});
const listings = Number(args.listings);
const taskRows = Number(args['task-rows']);
const ackSeconds = Number(args['ack-seconds']);
const ackIntervalMs = Number(args['ack-interval-ms']);
const saturationSeconds = Number(args['saturation-seconds']);
const idleListings = Number(args['idle-listings']);
const overdueShare = Number(args['overdue-share']);
const importRows = Number(args['import-rows']);
const subjects = Number(args.subjects);
const checkSeconds = Number(args['check-seconds']);
const lifts = Number(args.lifts);
const workerCount = Number(args.workers);
const ceilingWorkerCount = Number(args['ceiling-workers']);
const ceilingShape = parseShape(args['ceiling-shape']);
const assetInstitutions = Number(args['asset-institutions']);
const assetClients = Number(args['asset-clients']);
for (const [name, value] of Object.entries({ listings, 'task-rows': taskRows, 'ack-seconds': ackSeconds, 'ack-interval-ms': ackIntervalMs, 'saturation-seconds': saturationSeconds, 'idle-listings': idleListings, 'import-rows': importRows, subjects, 'check-seconds': checkSeconds, lifts, 'asset-institutions': assetInstitutions, 'asset-clients': assetClients })) {
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number ≥ 0`);
}
for (const [name, value] of Object.entries({ listings, workers: workerCount, 'ceiling-workers': ceilingWorkerCount })) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be an integer ≥ 1`);
}
const DEPARTMENTS = 42; // an entity with its legal representative, default catalog
const ACK_CLIENTS = 100;
const ADMIN_KEY = 'jsc_bench_admin_key_0123456789abcdefghijklmnopqrstu';
const root = new URL('..', import.meta.url);
const say = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const table: string[] = [];
const row = (...cells: (string | number)[]) => table.push(`| ${cells.join(' | ')} |`);
const restrictionRows: [string, string, string][] = [];
const fixed = (value: number | null, digits: number) => (value === null || !Number.isFinite(value) ? '—' : value.toFixed(digits));

function startProcess(script: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    // Their logs (warnings and errors only) go to stderr with ours; stdout keeps the tables.
    stdio: ['ignore', 2, 'inherit'],
  });
  return child;
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

async function waitForHttp(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} never answered`);
}

/** Until `count` distinct workers poll the task queue for workflow tasks: started, not merely spawned. */
async function waitForPollers(client: Client, taskQueue: string, count: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const { pollers } = await client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW });
    if (new Set((pollers ?? []).map((poller) => poller.identity)).size >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${taskQueue}: fewer than ${count} workers polling after 2 minutes`);
}

// Every target, not measured until its part has run.
const shapeText = `[${ceilingShape.join(', ')}]`;
const results: Results = {
  fanoutVsCeiling: measure(null, '×', '≥ 0.5', null),
  fanoutThroughput: measure(null, 'listings/s', `informational, ${workerCount} worker process(es)`, null, { workers: workerCount }),
  ackP99: measure(null, 'ms', '< 50 ms, no errors', null),
  ackSaturationThroughput: measure(null, '/s', 'informational', null),
  ackSaturationP99: measure(null, 'ms', 'informational', null),
  firstListingVsTenth: measure(null, '×', '≤ 1.5', null),
  idleListingP95: measure(null, 'ms', '< 1000 ms', null),
  workerRss: measure(null, 'MiB', '< 400 MiB', null),
  apiRss: measure(null, 'MiB', '< 400 MiB', null),
  statsP95: measure(null, 'ms', '< 50 ms', null),
  overduePageP95: measure(null, 'ms', '< 50 ms', null),
  ...assetSearchResults(),
};

const cli = await ensureTemporalCli({ log: say });
const temporal = await startTemporalDevServer({ cliPath: cli, headless: true, namespace: 'default', searchAttributes: SEARCH_ATTRIBUTES, log: say });
const database = await createTestDatabase();
const { prisma, close } = createPrismaClient({ url: database.url });
await loadCatalog(prisma, defaultCatalog);
// Notices arrive tagged with their case number in the subject.
const noticesByCase = new Map<string, number>();
const lastNoticeAt = new Map<string, number>();
const mail = await startSmtpSink((subject) => {
  const caseNumber = /BENCH-[\w-]+/.exec(subject)?.[0];
  if (!caseNumber) return;
  noticesByCase.set(caseNumber, (noticesByCase.get(caseNumber) ?? 0) + 1);
  lastNoticeAt.set(caseNumber, performance.now());
});
const port = 39000 + Math.floor(Math.random() * 1000);
// Payloads are sealed as in production, in the product and in the ceiling alike.
const payloadKey = randomBytes(32).toString('base64');
const common = { DATABASE_URL: database.url, TEMPORAL_ADDRESS: temporal.address, SMTP_URL: mail.url, ACK_TOKEN_SECRET: 'bench-secret', ADMIN_API_KEY: ADMIN_KEY, TEMPORAL_PAYLOAD_KEY: payloadKey };
const workers = Array.from({ length: workerCount }, () => startProcess('main/worker.ts', { ...common, TEMPORAL_TASK_QUEUE: 'sanctions' }));
const api = startProcess('main/api.ts', { ...common, TEMPORAL_TASK_QUEUE: 'sanctions', PORT: String(port), HOST: '127.0.0.1' });
const ceilingWorkers = Array.from({ length: ceilingWorkerCount }, () => startProcess('bench/ceiling/worker.ts', { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_TASK_QUEUE: 'ceiling', TEMPORAL_PAYLOAD_KEY: payloadKey }));
const memory = sampleRss({ worker: workers.map((child) => child.pid), api: [api.pid] });
const baseUrl = `http://127.0.0.1:${port}`;
let supervision: SupervisionFigures = supervisionFigures(null);
let failure: unknown = null;
let connection: Connection | null = null;

try {
  connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, dataConverter: encryptingDataConverter(createEncryptionCodec({ current: payloadKey })) });
  await waitForHttp(`${baseUrl}/healthz`);
  await waitForPollers(client, 'sanctions', workerCount);
  const post = async (path: string, key: string, body: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<{ id: string; key: string }>;
  };
  const { key: clerk } = await post('/api/api-keys', ADMIN_KEY, { name: 'bench clerk', role: 'clerk', courtCode: 'BENCH' });

  const listing = (caseNumber: string, n: number) => ({
    caseNumber,
    debtor: { kind: 'entity', name: `Bench Co ${n}`, idNumber: creditCode(n), legalRepresentative: { name: 'Rep', idNumber: residentId('19700101', n % 1000) } },
    circumstance: 'refuses-despite-ability',
    securityProvided: false,
    seizedAssetsSufficient: false,
    obligation: { description: 'bench' },
  });
  const untilAllNotices = async (caseNumbers: string[], timeoutMs: number) => {
    const deadline = performance.now() + timeoutMs;
    while (caseNumbers.some((c) => (noticesByCase.get(c) ?? 0) < DEPARTMENTS)) {
      if (performance.now() > deadline) {
        const missing = caseNumbers.reduce((sum, c) => sum + Math.max(0, DEPARTMENTS - (noticesByCase.get(c) ?? 0)), 0);
        throw new Error(`${missing} notices missing after ${timeoutMs / 1000} s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  // 1a. Right after start, one listing at a time on an otherwise idle system: the first against the others.
  say(`idle: ${idleListings} listings one after another`);
  const idle: number[] = [];
  for (let i = 0; i < idleListings; i++) {
    const caseNumber = `BENCH-IDLE-${i}`;
    const started = performance.now();
    await post('/api/listings', clerk, listing(caseNumber, 900_000 + i));
    await untilAllNotices([caseNumber], 60_000);
    idle.push(lastNoticeAt.get(caseNumber)! - started);
  }
  const firstIdle = firstVersusRest(idle);
  results.firstListingVsTenth = measure(firstIdle?.ratio, '×', '≤ 1.5', (ratio) => ratio <= 1.5, { baseline: { value: firstIdle?.restMedian ?? null, unit: 'ms', what: `median POST → last notice of the other ${Math.max(0, idleListings - 1)} idle listings` } });
  results.idleListingP95 = measure(idle.length > 0 ? percentile(idle, 0.95) : null, 'ms', '< 1000 ms', (p95) => p95 < 1000);

  // 1b. Fan-out: all listings at once, from the first POST to the last notice received.
  say(`fan-out: ${listings} listings × ${DEPARTMENTS} departments, ${workerCount} worker process(es)`);
  const postedAt = new Map<string, number>();
  const caseNumbers = Array.from({ length: listings }, (_, i) => `BENCH-FAN-${i}`);
  const fanStarted = performance.now();
  await inPool(caseNumbers, 50, async (caseNumber, i) => {
    postedAt.set(caseNumber, performance.now());
    await post('/api/listings', clerk, listing(caseNumber, i));
  });
  await untilAllNotices(caseNumbers, 30 * 60_000);
  const fanMs = performance.now() - fanStarted;
  const perListing = caseNumbers.map((c) => lastNoticeAt.get(c)! - postedAt.get(c)!);
  const ours = perSecond(listings, fanMs);
  row(`fan-out: ${listings} listings × ${DEPARTMENTS} departments, ${workerCount} worker process(es), until every notice was received`, `${(fanMs / 1000).toFixed(1)} s`, '');
  row('fan-out throughput', `${ours.toFixed(2)} listings/s, ${(ours * DEPARTMENTS).toFixed(0)} tasks (and notices)/s`, '');
  row('listing → last notice under the fan-out, p50 / p95', `${(percentile(perListing, 0.5) / 1000).toFixed(2)} s / ${(percentile(perListing, 0.95) / 1000).toFixed(2)} s`, '');
  row(`listing → last notice, idle system (${idleListings} listings), first / median of the others / p95`, `${fixed(idle[0] ?? null, 0)} ms / ${fixed(firstIdle?.restMedian ?? null, 0)} ms / ${fixed(idle.length > 0 ? percentile(idle, 0.95) : null, 0)} ms`, 'first ≤ 1.5 × the others, p95 < 1 s');

  // 2. The engine's ceiling: as many workflows of the product's shape, no-op activities, no database or mail.
  say(`ceiling: ${listings} workflows of shape ${shapeText}, ${ceilingWorkerCount} worker process(es)`);
  await waitForPollers(client, 'ceiling', ceilingWorkerCount);
  const ceilingStarted = performance.now();
  const handles: { result(): Promise<unknown> }[] = [];
  await inPool(caseNumbers, 50, async (_caseNumber, i) => {
    handles.push(await client.workflow.start('ceilingWorkflow', { taskQueue: 'ceiling', workflowId: `ceiling-${i}-${Date.now()}`, args: [ceilingShape] }));
  });
  await Promise.all(handles.map((handle) => handle.result()));
  const ceilingMs = performance.now() - ceilingStarted;
  const ceiling = perSecond(listings, ceilingMs);
  const ceilingBaseline = { value: ceiling, unit: 'workflows/s', what: `engine ceiling, same run: ${listings} workflows of shape ${shapeText}, ${ceilingWorkerCount} worker` };
  results.fanoutVsCeiling = measure(ours / ceiling, '×', '≥ 0.5', (ratio) => ratio >= 0.5, { baseline: ceilingBaseline });
  results.fanoutThroughput = measure(ours, 'listings/s', `informational, ${workerCount} worker process(es)`, null, { baseline: ceilingBaseline, workers: workerCount });
  row(`engine ceiling: ${listings} workflows of shape ${shapeText} (steps of no-op activities side by side), ${ceilingWorkerCount} worker`, `${ceiling.toFixed(2)} workflows/s (${(ceilingMs / 1000).toFixed(1)} s)`, '');
  row('fan-out / ceiling', `${(ours / ceiling).toFixed(2)}×`, '≥ 0.5×');

  // 3. Acknowledgments through the HTTP API.
  const departmentKeys = new Map<string, string>();
  for (const department of await prisma.department.findMany()) {
    departmentKeys.set(department.code, (await post('/api/api-keys', ADMIN_KEY, { name: `bench ${department.code}`, role: 'department', departmentCode: department.code })).key);
  }
  if (ackSeconds > 0) {
    // Departments answer independently: shuffled, the acknowledgments spread over listings as they would,
    // instead of forty at once on one listing's workflow.
    const open = shuffle(await prisma.task.findMany({ where: { status: 'pending', listing: { caseNumber: { startsWith: 'BENCH-FAN-' } } }, select: { id: true, departmentCode: true } }));
    const act = (action: 'acknowledge' | 'complete') => async (task: { id: string; departmentCode: string }) => {
      const response = await fetch(`${baseUrl}/api/tasks/${task.id}/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${departmentKeys.get(task.departmentCode)}`, 'content-type': 'application/json' },
        // The default policy does not require per-measure outcomes on completion.
        body: JSON.stringify({ by: 'bench' }),
      });
      await response.arrayBuffer();
      return response.status;
    };
    // Load model: an open, paced load. Each of 100 clients sends one request, waits for the answer, pauses
    // --ack-interval-ms and sends the next, so about 100 / interval requests per second are offered however
    // slow the answers; the clients' starts are staggered over one interval. Any status but 200 is an error.
    const model = `${ACK_CLIENTS} clients, each pausing ${ackIntervalMs} ms after every answer (~${(ACK_CLIENTS / Math.max(ackIntervalMs / 1000, 0.001)).toFixed(0)}/s offered), for ${ackSeconds} s`;
    say(`acknowledgments: ${model}`);
    const half = Math.ceil(open.length / 2);
    const acks = await pacedLoad({ items: open.slice(0, half), clients: ACK_CLIENTS, intervalMs: ackIntervalMs, seconds: ackSeconds, send: act('acknowledge') });
    // The old path's figure, in the same run: completions still go through a synchronous Temporal update.
    // The tasks acknowledged first are completed first, so each acknowledgment has had time to reach its workflow.
    say(`completions of the tasks just acknowledged: ${model}`);
    const completions = await pacedLoad({ items: acks.succeeded, clients: ACK_CLIENTS, intervalMs: ackIntervalMs, seconds: ackSeconds, send: act('complete') });
    say(`acknowledgments, closed loop: ${ACK_CLIENTS} clients without a pause for ${saturationSeconds} s`);
    const saturation: PacedLoadResult<unknown> | null = saturationSeconds > 0 ? await pacedLoad({ items: open.slice(half), clients: ACK_CLIENTS, intervalMs: 0, seconds: saturationSeconds, send: act('acknowledge') }) : null;

    results.ackP99 = measure(acks.latencies.length > 0 ? acks.p99 : null, 'ms', '< 50 ms, no errors', (p99) => p99 < 50 && acks.errors === 0, {
      baseline: { value: completions.latencies.length > 0 ? completions.p99 : null, unit: 'ms', what: 'p99 of completions (synchronous Temporal update), same clients and pacing' },
    });
    if (saturation && saturation.latencies.length > 0) {
      results.ackSaturationThroughput = measure(saturation.perSecond, '/s', `informational, ${ACK_CLIENTS} clients without a pause`, null);
      results.ackSaturationP99 = measure(saturation.p99, 'ms', `informational, ${ACK_CLIENTS} clients without a pause`, null);
    }
    const loadRow = (what: string, load: PacedLoadResult<unknown>, target: string) =>
      row(`${what} (${load.latencies.length} in ${(load.elapsedMs / 1000).toFixed(1)} s, ${load.errors} errors; statuses ${Object.entries(load.statuses).map(([status, count]) => `${status}: ${count}`).join(', ')}), p50 / p99, throughput`, `${fixed(load.p50, 1)} ms / ${fixed(load.p99, 1)} ms, ${fixed(load.perSecond, 0)} /s`, target);
    loadRow(`acknowledgments, ${model}`, acks, 'p99 < 50 ms');
    loadRow('completions of the tasks just acknowledged, the same clients and pacing', completions, '');
    if (saturation) loadRow(`acknowledgments, closed loop: ${ACK_CLIENTS} clients without a pause`, saturation, '');
  }

  // 3b. An asset search of a region's directory: its delivery against the ceiling of its shape, then every answer.
  if (assetInstitutions > 0) {
    Object.assign(results, await benchAssetSearch({ prisma, client, ceilingTaskQueue: 'ceiling', baseUrl, adminKey: ADMIN_KEY, institutions: assetInstitutions, clients: Math.max(1, assetClients), say, row }));
  }

  // 4. A court's spreadsheet: the whole file checked, then recorded in the background; then the same file again.
  if (importRows > 0) {
    say(`import: ${importRows} rows, then the same file again`);
    const importFile = toCsv(listingRows(importRows, { court: 'BENCH', caseOffset: 500_000 }));
    const importOnce = async () => {
      const started = performance.now();
      const response = await fetch(`${baseUrl}/api/listings/import`, { method: 'POST', headers: { authorization: `Bearer ${clerk}`, 'content-type': 'text/csv' }, body: importFile });
      if (response.status !== 202) throw new Error(`import: ${response.status} ${await response.text()}`);
      const checkedMs = performance.now() - started;
      const { id } = (await response.json()) as { id: string };
      for (;;) {
        const progress = (await (await fetch(`${baseUrl}/api/listings/import/${id}`, { headers: { authorization: `Bearer ${clerk}` } })).json()) as { status: string; created: number; existing: number };
        if (progress.status === 'completed') return { checkedMs, totalMs: performance.now() - started, ...progress };
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    const firstImport = await importOnce();
    const repeatImport = await importOnce();
    row(`import of ${importRows} rows: checked (upload → 202) / all recorded (${firstImport.created} created)`, `${(firstImport.checkedMs / 1000).toFixed(2)} s / ${(firstImport.totalMs / 1000).toFixed(1)} s, ${perSecond(importRows, firstImport.totalMs).toFixed(0)} rows/s`, '');
    row(`the same file again (${repeatImport.existing} found, ${repeatImport.created} created)`, `${(repeatImport.totalMs / 1000).toFixed(1)} s`, 'nothing created');
  }

  // 5. Supervision queries on a large read model.
  if (taskRows > 0) {
    say(`supervision queries on ${taskRows.toLocaleString('en')} task rows`);
    const figures: unknown = await benchSupervisionQueries(taskRows, overdueShare);
    supervision = supervisionFigures(figures);
    results.statsP95 = measure(supervision.statsP95Ms, 'ms', '< 50 ms', (p95) => p95 < 50);
    results.overduePageP95 = measure(supervision.overduePageP95Ms, 'ms', '< 50 ms', (p95) => p95 < 50);
  }

  // 6. Departments' systems: lifts on an idle system, then the check on a read model of many subjects.
  if (lifts > 0 || subjects > 0) {
    say('restrictions: waiting for the system to be idle');
    for (let waited = 0; (await prisma.notification.count({ where: { sentAt: null } })) > 0 && waited < 600_000; waited += 1000) await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const d19 = departmentKeys.get('D19')!;
  if (lifts > 0) {
    say(`restrictions: ${lifts} lifts, each to every check and a webhook`);
    const receiver = await startReceiver();
    await post('/api/webhooks', d19, { url: receiver.url });
    const liftToWebhook: number[] = [];
    const liftToCheck: number[] = [];
    try {
      for (let i = 0; i < lifts; i++) {
        const idNumber = residentId('19800101', i, '640199');
        const { id } = await post('/api/listings', clerk, { caseNumber: `BENCH-LIFT-${i}`, debtor: { kind: 'individual', name: 'Lift', idNumber }, circumstance: 'refuses-despite-ability', securityProvided: false, seizedAssetsSufficient: false, obligation: { description: 'bench' } });
        const check = async () => ((await (await fetch(`${baseUrl}/api/restrictions/check?idNumber=${idNumber}`, { headers: { authorization: `Bearer ${d19}` } })).json()) as { restricted: boolean }).restricted;
        if (!(await check())) throw new Error('a listed debtor is not restricted');
        await post(`/api/listings/${id}/performance`, clerk, { note: 'bench' });
        const liftedAt = performance.now();
        while (await check()) await new Promise((resolve) => setTimeout(resolve, 5));
        liftToCheck.push(performance.now() - liftedAt);
        for (let waited = 0; !receiver.liftedAt.has(id); waited += 5) {
          if (waited > 60_000) throw new Error('the lifted change never reached the webhook');
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        liftToWebhook.push(receiver.liftedAt.get(id)! - liftedAt);
      }
    } finally {
      receiver.close();
    }
    restrictionRows.push(
      [`lift (202) → every check answers false, idle, ${lifts} lifts, p50 / p95`, `${summarize(liftToCheck).p50.toFixed(1)} ms / ${summarize(liftToCheck).p95.toFixed(1)} ms`, 'p95 < 2 s'],
      [`lift (202) → the webhook has the lifted change, idle, p50 / p95`, `${summarize(liftToWebhook).p50.toFixed(0)} ms / ${summarize(liftToWebhook).p95.toFixed(0)} ms`, 'p95 < 2 s'],
    );
  }

  if (subjects > 0) {
    say(`restrictions: seeding ${subjects.toLocaleString('en')} restricted subjects`);
    const seedStarted = performance.now();
    const catalogVersion = (await prisma.catalogVersion.findFirstOrThrow({ orderBy: { version: 'desc' } })).version;
    await seedRestrictedSubjects(database.url, subjects, catalogVersion, defaultCatalog.measures.filter((m) => m.applies_to.includes('individual')).map((m) => m.code));
    const seedMs = performance.now() - seedStarted;
    const sample = Array.from({ length: 2000 }, () => seededIdNumber(Math.floor(Math.random() * subjects)));
    const checkPaths = sample.map((idNumber) => `/api/restrictions/check?idNumber=${idNumber}`);
    const barePort = port + 1;
    const bare = await startBareServer(database.url, barePort, 20);
    const bareUrl = `http://127.0.0.1:${barePort}`;
    try {
      say(`restrictions: the check at 200 clients for ${checkSeconds} s, the API and then a bare node:http server`);
      await load(baseUrl, { paths: checkPaths, connections: 20, seconds: 2, headers: { authorization: `Bearer ${d19}` } });
      await load(bareUrl, { paths: checkPaths, connections: 20, seconds: 2 });
      const apiCheck = await load(baseUrl, { paths: checkPaths, connections: 200, seconds: checkSeconds, headers: { authorization: `Bearer ${d19}` } });
      const bareCheck = await load(bareUrl, { paths: checkPaths, connections: 200, seconds: checkSeconds });
      const batches = Array.from({ length: 20 }, () => JSON.stringify({ idNumbers: Array.from({ length: 1000 }, () => seededIdNumber(Math.floor(Math.random() * subjects))) }));
      say(`restrictions: batches of 1,000 at 10 clients for ${checkSeconds} s`);
      const batch = await load(baseUrl, { paths: ['/api/restrictions/check'], method: 'POST', bodies: batches, connections: 10, seconds: checkSeconds, headers: { authorization: `Bearer ${d19}` } });
      restrictionRows.unshift(
        [`${subjects.toLocaleString('en')} restricted subjects seeded (bulk SQL, index built after)`, `${(seedMs / 1000).toFixed(0)} s`, ''],
        [`check, 200 concurrent clients: API (${apiCheck.errors} errors), p50 / p99, throughput`, `${apiCheck.p50} ms / ${apiCheck.p99} ms, ${apiCheck.perSecond.toFixed(0)} /s`, 'p99 < 5 ms'],
        [`the same lookup from a bare node:http server (${bareCheck.errors} errors), p50 / p99, throughput`, `${bareCheck.p50} ms / ${bareCheck.p99} ms, ${bareCheck.perSecond.toFixed(0)} /s`, ''],
        ['check throughput, API / bare server', `${(apiCheck.perSecond / bareCheck.perSecond).toFixed(2)}×`, '≥ 0.8×'],
        [`batch of 1,000 identifiers, 10 concurrent clients (${batch.errors} errors), p50 / p99, throughput`, `${batch.p50} ms / ${batch.p99} ms, ${batch.perSecond.toFixed(0)} batches/s`, 'p99 < 50 ms'],
      );
    } finally {
      bare.kill('SIGTERM');
    }
  }
  for (const cells of restrictionRows) row(...cells);
} catch (error) {
  failure = error;
} finally {
  // Memory at the end of the benchmark, after every part, while the processes still run.
  await memory.stop();
  const workerRss = await largestRssMiB(workers.map((child) => child.pid));
  const apiRss = await largestRssMiB([api.pid]);
  results.workerRss = measure(workerRss, 'MiB', '< 400 MiB', (mib) => mib < 400, workerCount > 1 ? { workers: workerCount } : {});
  results.apiRss = measure(apiRss, 'MiB', '< 400 MiB', (mib) => mib < 400);
  row(`resident memory at the end${workerCount > 1 ? ` (the largest of ${workerCount} workers)` : ''}: worker / API`, `${fixed(workerRss, 0)} MiB / ${fixed(apiRss, 0)} MiB`, '< 400 MiB each');
  row('resident memory, the most seen during the run: worker / API', `${fixed(memory.max.worker ?? null, 0)} MiB / ${fixed(memory.max.api ?? null, 0)} MiB`, '');
  for (const child of [...workers, api, ...ceilingWorkers]) child.kill('SIGTERM');
  await connection?.close().catch(() => {});
  await mail.stop();
  await close();
  await database.drop();
  await temporal.stop();
}

table.unshift(`Benchmark, ${new Date().toISOString()} — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`, '', '| measure | value | target |', '|---|---|---|');
process.stdout.write(`${table.join('\n')}\n\n${supervision.text ?? (taskRows > 0 ? 'Supervision queries: not measured.' : 'Supervision queries: skipped (--task-rows 0).')}\n\n`);
if (failure) process.stderr.write(`[bench] a part failed, the figures after it are not measured: ${failure instanceof Error ? (failure.stack ?? failure.message) : String(failure)}\n`);
await writeFile('bench-results.json', `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`Targets (also in bench-results.json):\n\n${summaryTable(results)}\n`);
process.exit(failure ? 1 : 0);
