// The API process is killed outright (SIGKILL) between recording listings and
// starting their workflows: its connection to Temporal is held (no byte
// passes) while concurrent listings are posted, so each POST has written its
// listing and waits on the workflow start when the process dies. No
// half-written listing is left (each row has its 'listed' event), and the
// workflows of exactly those listings are started by the relay the worker's
// schedule runs, once they are old enough, and by nothing else: not the
// restarted API, not a repeated POST. Posting the same bodies again then
// answers 200 with the same ids and creates nothing.
import './quiet-sdk.js';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { dispatchPlan } from '../../domain/catalog.js';
import { defaultPolicy } from '../../domain/policy.js';
import { createPrismaClient, type DatabaseClient } from '../../db/client.js';
import { loadCatalog } from '../../db/seed-catalog.js';
import { createTestDatabase, type TestDatabase } from '../../db/test-database.js';
import { createLogger } from '../../platform/logger.js';
import { startSystem, type RunningSystem } from '../../main/compose.js';
import { testSettings } from '../support/settings.js';
import { relayScheduleIdOf } from '../../workflows/workflow-id.js';
import { MailCatcher } from '../../dev/mail-catcher.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { creditCode, entityListing, residentId } from '../support/fixtures.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
import { call, freePort, inBatches, sleep, startService, stopService, tempDir, until, workflowTaskTrouble, type ServiceProcess } from './harness.js';

/** Listed while Temporal is reachable: their workflows are started by the API. */
const STARTED = 8;
/** Listed while the API's Temporal connection is held, then the API is killed. */
const HELD = 16;
const LISTINGS = STARTED + HELD;
/** The relay starts workflows of listings older than this (ListingService.startUnstartedWorkflows). */
const RELAY_MIN_AGE_MS = 30_000;
/** How often the worker's schedule runs the relay here (a minute by default). */
const RELAY_INTERVAL_SECONDS = 5;
const catalog = twoDepartmentCatalog();
const planSize = dispatchPlan(catalog, { debtorKind: 'entity', hasLegalRepresentative: true }).length;
const adminKey = `jsc_admin_${randomUUID().replaceAll('-', '')}`;
const taskQueue = `faults-api-${randomUUID()}`;
const temporalAddress = inject('temporalAddress');

let database: TestDatabase;
let db: DatabaseClient;
let mail: MailCatcher;
let worker: RunningSystem;
let connection: Connection;
let temporal: Client;
let logDir: string;
let port: number;
let proxy: TcpProxy;
const apis: ServiceProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  db = createPrismaClient({ url: database.url, poolSize: 5 });
  await loadCatalog(db.prisma, catalog);
  mail = await new MailCatcher().start();
  logDir = await tempDir('api-killed');
  port = await freePort();
  worker = await startSystem(
    { database: db, temporalAddress, smtpUrl: mail.url },
    {
      settings: testSettings({ TEMPORAL_TASK_QUEUE: taskQueue, MAIL_FROM: '联合惩戒协同平台 <no-reply@sanctions.example>', ACK_TOKEN_SECRET: 'fault-test-secret', LISTING_RELAY_INTERVAL_SECONDS: String(RELAY_INTERVAL_SECONDS) }),
      policy: defaultPolicy,
      log: createLogger('fatal'),
      workflowBundle: { code: inject('workflowBundleCode') },
      roles: { worker: true, http: false, inboundMail: false },
    },
  );
  connection = await Connection.connect({ address: temporalAddress });
  temporal = new Client({ connection, namespace: 'default' });
  proxy = await startTcpProxy(temporalAddress);
});

afterAll(async () => {
  for (const api of apis) await stopService(api);
  await temporal?.schedule.getHandle(relayScheduleIdOf(taskQueue)).delete().catch(() => undefined);
  await proxy?.close();
  await worker?.stop();
  await connection?.close();
  await mail?.stop();
  await db?.close();
  await database?.drop();
  if (logDir) await rm(logDir, { recursive: true, force: true });
});

async function startApi(temporalVia: string): Promise<{ api: ServiceProcess; url: string }> {
  const api = await startService(
    'main/api.ts',
    {
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: temporalVia,
      TEMPORAL_TASK_QUEUE: taskQueue,
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_API_KEY: adminKey,
      ACK_TOKEN_SECRET: 'fault-test-secret',
      LOG_LEVEL: 'warn',
    },
    logDir,
    'api',
  );
  apis.push(api);
  const url = `http://127.0.0.1:${port}`;
  await until(async () => {
    if (!api.running()) throw new Error(`the API exited:\n${await api.output()}`);
    return (await call(url, 'GET', '/healthz', { timeoutMs: 2_000 })).status === 200;
  }, 'the API to answer /healthz', 150_000, 200);
  return { api, url };
}

/** Whether the listing's workflow exists (was started). */
async function workflowStarted(listingId: string): Promise<boolean> {
  return (await workflowStart(listingId)) !== undefined;
}

/** When and by which client process (`pid@host`) the listing's workflow was started, if it was. */
async function workflowStart(listingId: string): Promise<{ at: number; identity: string } | undefined> {
  try {
    const history = await temporal.workflow.getHandle(`sanction-${listingId}`).fetchHistory();
    const started = history.events![0]!;
    return { at: Number(started.eventTime!.seconds) * 1000 + Math.floor((started.eventTime!.nanos ?? 0) / 1e6), identity: started.workflowExecutionStartedEventAttributes!.identity! };
  } catch (error) {
    // fetchHistory passes the server's NOT_FOUND through as a gRPC error (code 5).
    if ((error as Error).name === 'WorkflowNotFoundError' || (error as { code?: number }).code === 5) return undefined;
    throw error;
  }
}

async function assertNoHalfWrittenListing(): Promise<number> {
  const listings = await db.prisma.listing.findMany({ select: { id: true } });
  const listed = await db.prisma.event.findMany({ where: { type: 'listed' }, select: { listingId: true } });
  expect(listed.map((event) => event.listingId).sort()).toEqual(listings.map((listing) => listing.id).sort());
  return listings.length;
}

describe('the API process killed between recording listings and starting their workflows', () => {
  it('leaves listings without a workflow that the relay, and only the relay, starts; repeated POSTs create nothing', { timeout: 300_000 }, async () => {
    onTestFailed(async () => {
      for (const service of apis) console.log(`--- output of process ${service.pid} ---\n${(await service.output()).slice(-4_000)}`);
    });
    const first = await startApi(proxy.address);
    const clerkKey = await call(first.url, 'POST', '/api/api-keys', { key: adminKey, body: { name: 'clerk', role: 'clerk', courtCode: 'NX-YC-01' } });
    expect(clerkKey.status).toBe(201);
    const clerk = clerkKey.body.key as string;

    const bodies = Array.from({ length: LISTINGS }, (_, n) =>
      entityListing({
        caseNumber: `（2026）宁01执${7000 + n}号`,
        debtor: { kind: 'entity', name: `宁夏某某${n}号有限公司`, idNumber: creditCode(2000 + n), legalRepresentative: { name: '张三', idNumber: residentId('19650101', n) } },
      }),
    );

    // While Temporal is reachable the API starts each workflow itself.
    const before = await inBatches(bodies.slice(0, STARTED), 4, (body) => call(first.url, 'POST', '/api/listings', { key: clerk, body }));
    expect(before.map((answer) => answer.status)).toEqual(bodies.slice(0, STARTED).map(() => 201));
    const startedIds = before.map((answer) => answer.body.id as string);
    for (const id of startedIds) expect(await workflowStarted(id)).toBe(true);

    // Then its connection to Temporal stalls: every POST records its listing and waits on the start.
    proxy.hold();
    const inFlight = bodies.slice(STARTED).map((body) => call(first.url, 'POST', '/api/listings', { key: clerk, body, timeoutMs: 30_000 }));
    await until(async () => (await db.prisma.listing.count()) === LISTINGS, 'every held listing to be recorded', 30_000, 10);
    first.api.kill('SIGKILL');
    const killedAt = Date.now();
    await first.api.exited;
    proxy.cutAll();
    const answers = await Promise.all(inFlight);
    const answered = answers.filter((answer) => answer.status === 201 || answer.status === 503);
    const cut = answers.filter((answer) => answer.status === 0);
    // Nothing but a cut connection, or — when the start gave up first (after 5 s) — a 201 or 503: the listing is recorded, the relay starts it.
    expect(answers.filter((answer) => ![0, 201, 503].includes(answer.status)).map((answer) => answer.status)).toEqual([]);

    // Right after the kill: every recorded listing has its 'listed' event, and the held ones have no workflow.
    expect(await assertNoHalfWrittenListing()).toBe(LISTINGS);
    const listingsAtKill = await db.prisma.listing.findMany({ select: { id: true, createdAt: true } });
    const orphans = listingsAtKill.filter((listing) => !startedIds.includes(listing.id));
    expect(orphans).toHaveLength(HELD);
    for (const listing of orphans) expect(await workflowStarted(listing.id), `workflow of held listing ${listing.id}`).toBe(false);
    const createdAt = new Map(listingsAtKill.map((listing) => [listing.id, listing.createdAt.getTime()]));

    // The API comes back (straight to Temporal). Starting it starts nothing.
    const second = await startApi(temporalAddress);
    const restartedMs = Date.now() - killedAt;
    const youngest = Math.max(...orphans.map((listing) => createdAt.get(listing.id)!));
    const stillOrphans = Date.now() < youngest + RELAY_MIN_AGE_MS ? await Promise.all(orphans.map((listing) => workflowStarted(listing.id))) : [];
    expect(stillOrphans.filter(Boolean)).toEqual([]);

    // The relay (the worker's schedule, every RELAY_INTERVAL_SECONDS) starts them once they are RELAY_MIN_AGE_MS old.
    const starts = await until(async () => {
      const found = await Promise.all(orphans.map((listing) => workflowStart(listing.id)));
      return found.every(Boolean) ? found.map((start) => start!) : undefined;
    }, 'the relay to start the workflows of the held listings', RELAY_MIN_AGE_MS + 30_000, 250);
    const relayedAfterMs = Math.max(...starts.map((start) => start.at)) - killedAt;
    const workerIdentity = `${process.pid}@`;
    orphans.forEach((listing, n) => {
      // Started by the worker's client (this process), not by either API process, and only once old enough for the relay.
      expect(starts[n]!.identity.startsWith(workerIdentity), `workflow of ${listing.id} started by ${starts[n]!.identity}`).toBe(true);
      expect(starts[n]!.at).toBeGreaterThanOrEqual(createdAt.get(listing.id)! + RELAY_MIN_AGE_MS - 1_000);
    });
    // The API started the others, and the relay did not start them again.
    for (const id of startedIds) expect((await workflowStart(id))!.identity.startsWith(workerIdentity)).toBe(false);

    // Every listing: a running workflow with its tasks and notices.
    await until(async () => (await db.prisma.task.count()) === LISTINGS * planSize && (await db.prisma.notification.count({ where: { sentAt: { not: null } } })) === LISTINGS * planSize, 'every task and notice', 60_000, 250);
    const ids = listingsAtKill.map((listing) => listing.id);
    await inBatches(ids, 10, async (id) => {
      const handle = temporal.workflow.getHandle(`sanction-${id}`);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      expect((await workflowTaskTrouble(handle)).failed).toBe(0);
    });

    // The same bodies again: 200 with the recorded ids, nothing new anywhere.
    const counts = async () => ({
      listings: await db.prisma.listing.count(),
      tasks: await db.prisma.task.count(),
      events: await db.prisma.event.count(),
      notifications: await db.prisma.notification.count(),
      messages: mail.messages.length,
    });
    const settled = await counts();
    const repeat = await inBatches(bodies, 8, (body) => call(second.url, 'POST', '/api/listings', { key: clerk, body }));
    expect(repeat.map((answer) => answer.status)).toEqual(bodies.map(() => 200));
    const idOf = new Map(repeat.map((answer, n) => [n, answer.body.id as string]));
    startedIds.forEach((id, n) => expect(idOf.get(n)).toBe(id));
    expect(new Set(idOf.values())).toEqual(new Set(ids));
    await sleep(1_000);
    expect(await counts()).toEqual(settled);
    expect(settled).toMatchObject({ listings: LISTINGS, tasks: LISTINGS * planSize, notifications: LISTINGS * planSize, messages: LISTINGS * planSize });

    console.log(
      `[api-killed] ${STARTED} listings started by the API; ${HELD} posted with its Temporal connection held, killed with all ${LISTINGS} recorded: ` +
        `${answered.length} answered 201/503 (the start gave up), ${cut.length} cut (${[...new Set(cut.map((answer) => answer.error))].join('/')}); ` +
        `recorded without a workflow: ${orphans.length}, all started by the relay ${relayedAfterMs} ms after the kill; ` +
        `API back ${restartedMs} ms after the kill; repeat: ${repeat.length} × 200, same ids, nothing new ` +
        `(listings ${settled.listings}, tasks ${settled.tasks}, events ${settled.events}, mails ${settled.messages})`,
    );
  });
});
