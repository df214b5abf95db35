// npm run bench -- [--listings 200] [--task-rows 1000000] [--overdue-share 0.001] [--ack-seconds 20] [--idle-listings 10] [--import-rows 1000]
//                  [--subjects 10000000] [--check-seconds 15] [--lifts 20]
//
// The benchmark of README and BENCHMARKS.md, on the local stack: a Temporal
// dev server of its own, the local PostgreSQL (a throwaway database), an SMTP
// catcher in this process, and the worker and API as separate processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { createEncryptionCodec, encryptingDataConverter } from '../platform/payload-codec.js';
import { defaultCatalog } from '../domain/catalog.js';
import { createPrismaClient } from '../db/client.js';
import { loadCatalog } from '../db/seed-catalog.js';
import { createTestDatabase } from '../db/test-database.js';
import { ensureTemporalCli } from '../dev/temporal-cli.js';
import { startTemporalDevServer } from '../dev/temporal-dev-server.js';
import { MailCatcher } from '../dev/mail-catcher.js';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';
import { creditCode, residentId } from '../test/support/fixtures.js';
import { listingRows, toCsv } from '../test/support/spreadsheets.js';
import { inPool, percentile, perSecond } from './stats.js';
import { load, seedRestrictedSubjects, seededIdNumber, startBareServer, startReceiver, summarize } from './restrictions.js';
import { benchSupervisionQueries } from './supervision-queries.js';

const { values: args } = parseArgs({
  options: {
    listings: { type: 'string', default: '200' },
    'task-rows': { type: 'string', default: '1000000' },
    'ack-seconds': { type: 'string', default: '20' },
    'idle-listings': { type: 'string', default: '10' },
    'overdue-share': { type: 'string', default: '0.001' },
    'import-rows': { type: 'string', default: '1000' },
    subjects: { type: 'string', default: '10000000' },
    'check-seconds': { type: 'string', default: '15' },
    lifts: { type: 'string', default: '20' },
  },
});
const listings = Number(args.listings);
const taskRows = Number(args['task-rows']);
const ackSeconds = Number(args['ack-seconds']);
const idleListings = Number(args['idle-listings']);
const overdueShare = Number(args['overdue-share']);
const importRows = Number(args['import-rows']);
const subjects = Number(args.subjects);
const checkSeconds = Number(args['check-seconds']);
const lifts = Number(args.lifts);
const DEPARTMENTS = 42; // an entity with its legal representative, default catalog
const ADMIN_KEY = 'jsc_bench_admin_key_0123456789abcdefghijklmnopqrstu';
const root = new URL('..', import.meta.url);
const say = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const table: string[] = [];
const row = (...cells: (string | number)[]) => table.push(`| ${cells.join(' | ')} |`);
const restrictionRows: [string, string, string][] = [];

function startProcess(script: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout!.resume();
  return child;
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function waitForHttp(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} never answered`);
}

const cli = await ensureTemporalCli({ log: say });
const temporal = await startTemporalDevServer({ cliPath: cli, headless: true, namespace: 'default', searchAttributes: SEARCH_ATTRIBUTES, log: say });
const database = await createTestDatabase();
const { prisma, close } = createPrismaClient({ url: database.url });
await loadCatalog(prisma, defaultCatalog);
const mail = await new MailCatcher().start();
const port = 39000 + Math.floor(Math.random() * 1000);
// Payloads are sealed as in production, in the product and in the ceiling alike.
const payloadKey = randomBytes(32).toString('base64');
const common = { DATABASE_URL: database.url, TEMPORAL_ADDRESS: temporal.address, SMTP_URL: mail.url, ACK_TOKEN_SECRET: 'bench-secret', ADMIN_API_KEY: ADMIN_KEY, TEMPORAL_PAYLOAD_KEY: payloadKey };
const worker = startProcess('main/worker.ts', { ...common, TEMPORAL_TASK_QUEUE: 'sanctions' });
const api = startProcess('main/api.ts', { ...common, TEMPORAL_TASK_QUEUE: 'sanctions', PORT: String(port), HOST: '127.0.0.1' });
const ceilingWorker = startProcess('bench/ceiling/worker.ts', { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_TASK_QUEUE: 'ceiling', TEMPORAL_PAYLOAD_KEY: payloadKey });
const baseUrl = `http://127.0.0.1:${port}`;

try {
  await waitForHttp(`${baseUrl}/healthz`);
  const post = async (path: string, key: string, body: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<{ id: string; key: string }>;
  };
  const { key: clerk } = await post('/api/api-keys', ADMIN_KEY, { name: 'bench clerk', role: 'clerk', courtCode: 'BENCH' });

  // Notices arrive tagged with their case number in the subject.
  const noticesByCase = new Map<string, number>();
  const lastNoticeAt = new Map<string, number>();
  mail.subscribe((message) => {
    const caseNumber = /BENCH-[\w-]+/.exec(message.subject)?.[0];
    if (!caseNumber) return;
    noticesByCase.set(caseNumber, (noticesByCase.get(caseNumber) ?? 0) + 1);
    lastNoticeAt.set(caseNumber, performance.now());
  });
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
      if (performance.now() > deadline) throw new Error('notices missing after the timeout');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  // 1a. One listing at a time on an otherwise idle system.
  say(`idle: ${idleListings} listings one after another`);
  const idle: number[] = [];
  for (let i = 0; i < idleListings; i++) {
    const caseNumber = `BENCH-IDLE-${i}`;
    const started = performance.now();
    await post('/api/listings', clerk, listing(caseNumber, 900_000 + i));
    await untilAllNotices([caseNumber], 60_000);
    idle.push(lastNoticeAt.get(caseNumber)! - started);
  }

  // 1b. Fan-out: all listings at once.
  say(`fan-out: ${listings} listings × ${DEPARTMENTS} departments`);
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
  const memory = { worker: await rssMiB(worker.pid!), api: await rssMiB(api.pid!) };

  // 2. The engine's ceiling: the same number of workflows, the same activities, no database or mail.
  say(`ceiling: ${listings} workflows × ${DEPARTMENTS + 1} no-op activities`);
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, dataConverter: encryptingDataConverter(createEncryptionCodec({ current: payloadKey })) });
  const ceilingStarted = performance.now();
  const handles: { result(): Promise<unknown> }[] = [];
  await inPool(caseNumbers, 50, async (_caseNumber, i) => {
    handles.push(await client.workflow.start('ceilingWorkflow', { taskQueue: 'ceiling', workflowId: `ceiling-${i}-${Date.now()}`, args: [DEPARTMENTS] }));
  });
  await Promise.all(handles.map((handle) => handle.result()));
  const ceilingMs = performance.now() - ceilingStarted;

  // 3. Acknowledgments: 100 concurrent department clients.
  say(`acknowledgments: 100 clients for up to ${ackSeconds} s`);
  const departmentKeys = new Map<string, string>();
  for (const department of await prisma.department.findMany()) {
    departmentKeys.set(department.code, (await post('/api/api-keys', ADMIN_KEY, { name: `bench ${department.code}`, role: 'department', departmentCode: department.code })).key);
  }
  // Departments answer independently: shuffled, the acknowledgments spread over listings as they would,
  // instead of forty at once on one listing's workflow.
  const open = shuffle(await prisma.task.findMany({ where: { status: 'pending', listing: { caseNumber: { startsWith: 'BENCH-FAN-' } } }, select: { id: true, departmentCode: true } }));
  const ackLatencies: number[] = [];
  let ackErrors = 0;
  const ackStarted = performance.now();
  const ackDeadline = ackStarted + ackSeconds * 1000;
  await inPool(open, 100, async (task) => {
    if (performance.now() > ackDeadline) return;
    const started = performance.now();
    const response = await fetch(`${baseUrl}/api/tasks/${task.id}/acknowledge`, {
      method: 'POST',
      headers: { authorization: `Bearer ${departmentKeys.get(task.departmentCode)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ by: 'bench' }),
    }).catch(() => null);
    ackLatencies.push(performance.now() - started);
    if (!response || response.status !== 200) ackErrors++;
    await response?.arrayBuffer();
  });
  const ackMs = performance.now() - ackStarted;
  memory.worker = Math.max(memory.worker, await rssMiB(worker.pid!));
  memory.api = Math.max(memory.api, await rssMiB(api.pid!));
  await connection.close();

  // 4. A court's spreadsheet: the whole file checked, then recorded in the background; then the same file again.
  if (importRows > 0) say(`import: ${importRows} rows, then the same file again`);
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
  const firstImport = importRows > 0 ? await importOnce() : null;
  const repeatImport = importRows > 0 ? await importOnce() : null;

  // 5. Supervision queries on a large read model.
  say(`supervision queries on ${taskRows.toLocaleString('en')} task rows`);
  const supervision = await benchSupervisionQueries(taskRows, overdueShare);

  // 6. Departments' systems: lifts on an idle system, then the check on a read model of many subjects.
  say('restrictions: waiting for the system to be idle');
  for (let waited = 0; (await prisma.notification.count({ where: { sentAt: null } })) > 0 && waited < 600_000; waited += 1000) await new Promise((resolve) => setTimeout(resolve, 1000));
  say(`restrictions: ${lifts} lifts, each to every check and a webhook`);
  const d19 = departmentKeys.get('D19')!;
  const receiver = await startReceiver();
  await post('/api/webhooks', d19, { url: receiver.url });
  const liftToWebhook: number[] = [];
  const liftToCheck: number[] = [];
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
  receiver.close();

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
    restrictionRows.push(
      [`${subjects.toLocaleString('en')} restricted subjects seeded (bulk SQL, index built after)`, `${(seedMs / 1000).toFixed(0)} s`, ''],
      [`check, 200 concurrent clients: API (${apiCheck.errors} errors), p50 / p99, throughput`, `${apiCheck.p50} ms / ${apiCheck.p99} ms, ${apiCheck.perSecond.toFixed(0)} /s`, 'p99 < 5 ms'],
      [`the same lookup from a bare node:http server (${bareCheck.errors} errors), p50 / p99, throughput`, `${bareCheck.p50} ms / ${bareCheck.p99} ms, ${bareCheck.perSecond.toFixed(0)} /s`, ''],
      ['check throughput, API / bare server', `${(apiCheck.perSecond / bareCheck.perSecond).toFixed(2)}×`, '≥ 0.8×'],
      [`batch of 1,000 identifiers, 10 concurrent clients (${batch.errors} errors), p50 / p99, throughput`, `${batch.p50} ms / ${batch.p99} ms, ${batch.perSecond.toFixed(0)} batches/s`, 'p99 < 50 ms'],
      [`lift (202) → every check answers false, idle, ${lifts} lifts, p50 / p95`, `${summarize(liftToCheck).p50.toFixed(1)} ms / ${summarize(liftToCheck).p95.toFixed(1)} ms`, 'p95 < 2 s'],
      [`lift (202) → the webhook has the lifted change, idle, p50 / p95`, `${summarize(liftToWebhook).p50.toFixed(0)} ms / ${summarize(liftToWebhook).p95.toFixed(0)} ms`, 'p95 < 2 s'],
    );
    memory.api = Math.max(memory.api, await rssMiB(api.pid!));
  } finally {
    bare.kill('SIGTERM');
  }

  const ours = perSecond(listings, fanMs);
  const ceiling = perSecond(listings, ceilingMs);
  table.push(`Benchmark, ${new Date().toISOString()} — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`, '');
  table.push('| measure | value | target |', '|---|---|---|');
  row(`fan-out: ${listings} listings × ${DEPARTMENTS} departments, until every notice was received`, `${(fanMs / 1000).toFixed(1)} s`, '');
  row('fan-out throughput', `${ours.toFixed(2)} listings/s, ${(ours * DEPARTMENTS).toFixed(0)} tasks (and notices)/s`, '');
  row(`engine ceiling: ${listings} workflows × ${DEPARTMENTS + 1} no-op activities`, `${ceiling.toFixed(2)} workflows/s (${(ceilingMs / 1000).toFixed(1)} s)`, '');
  row('fan-out / ceiling', `${(ours / ceiling).toFixed(2)}×`, '≥ 0.5×');
  row('listing → last notice under the fan-out, p50 / p95', `${(percentile(perListing, 0.5) / 1000).toFixed(2)} s / ${(percentile(perListing, 0.95) / 1000).toFixed(2)} s`, '');
  row(`listing → last notice, idle system (${idleListings} listings), p50 / p95`, `${(percentile(idle, 0.5) / 1000).toFixed(2)} s / ${(percentile(idle, 0.95) / 1000).toFixed(2)} s`, 'p95 < 3 s');
  row(`acknowledgments, 100 concurrent clients (${ackLatencies.length} in ${(ackMs / 1000).toFixed(1)} s, ${ackErrors} errors), p50 / p99`, `${percentile(ackLatencies, 0.5).toFixed(1)} ms / ${percentile(ackLatencies, 0.99).toFixed(1)} ms`, 'p99 < 50 ms');
  row('acknowledgment throughput', `${perSecond(ackLatencies.length, ackMs).toFixed(0)} /s`, '');
  if (firstImport && repeatImport) {
    row(`import of ${importRows} rows: checked (upload → 202) / all recorded (${firstImport.created} created)`, `${(firstImport.checkedMs / 1000).toFixed(2)} s / ${(firstImport.totalMs / 1000).toFixed(1)} s, ${perSecond(importRows, firstImport.totalMs).toFixed(0)} rows/s`, '');
    row(`the same file again (${repeatImport.existing} found, ${repeatImport.created} created)`, `${(repeatImport.totalMs / 1000).toFixed(1)} s`, 'nothing created');
  }
  for (const cells of restrictionRows) row(...cells);
  row('resident memory after the fan-out and acknowledgments: worker / API', `${memory.worker.toFixed(0)} MiB / ${memory.api.toFixed(0)} MiB`, '');
  process.stdout.write(`${table.join('\n')}\n\n${supervision}\n`);
} finally {
  for (const child of [worker, api, ceilingWorker]) child.kill('SIGTERM');
  await mail.stop();
  await close();
  await database.drop();
  await temporal.stop();
}
process.exit(0);
