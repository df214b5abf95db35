// The API process is killed outright (SIGKILL) while concurrent listings are
// being posted, then started again. No half-written listing is left: each
// row has its 'listed' event, and each gets its workflow and tasks (from the
// relay the worker's schedule runs, or from the repeated POST). Posting the
// same bodies again answers 200 with the same ids and creates nothing.
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
import { call, freePort, inBatches, sleep, startService, stopService, tempDir, until, workflowTaskTrouble, type Answer, type ServiceProcess } from './harness.js';

const LISTINGS = 80;
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
});

afterAll(async () => {
  for (const api of apis) await stopService(api);
  await temporal?.schedule.getHandle(relayScheduleIdOf(taskQueue)).delete().catch(() => undefined);
  await worker?.stop();
  await connection?.close();
  await mail?.stop();
  await db?.close();
  await database?.drop();
  if (logDir) await rm(logDir, { recursive: true, force: true });
});

async function startApi(): Promise<{ api: ServiceProcess; url: string }> {
  const api = await startService(
    'main/api.ts',
    {
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: temporalAddress,
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
  }, 'the API to answer /healthz', 60_000, 200);
  return { api, url };
}

/** Whether the listing's workflow exists (was started). */
async function workflowStarted(listingId: string): Promise<boolean> {
  try {
    await temporal.workflow.getHandle(`sanction-${listingId}`).describe();
    return true;
  } catch (error) {
    if ((error as Error).name === 'WorkflowNotFoundError') return false;
    throw error;
  }
}

async function assertNoHalfWrittenListing(): Promise<number> {
  const listings = await db.prisma.listing.findMany({ select: { id: true } });
  const listed = await db.prisma.event.findMany({ where: { type: 'listed' }, select: { listingId: true } });
  expect(listed.map((event) => event.listingId).sort()).toEqual(listings.map((listing) => listing.id).sort());
  return listings.length;
}

describe('the API process killed while listings are posted', () => {
  it('leaves no half-written listing, and repeated POSTs converge on one listing and one workflow each', { timeout: 170_000 }, async () => {
    onTestFailed(async () => {
      for (const service of apis) console.log(`--- output of process ${service.pid} ---\n${(await service.output()).slice(-4_000)}`);
    });
    const first = await startApi();
    const clerkKey = await call(first.url, 'POST', '/api/api-keys', { key: adminKey, body: { name: 'clerk', role: 'clerk', courtCode: 'NX-YC-01' } });
    expect(clerkKey.status).toBe(201);
    const clerk = clerkKey.body.key as string;

    const bodies = Array.from({ length: LISTINGS }, (_, n) =>
      entityListing({
        caseNumber: `（2026）宁01执${7000 + n}号`,
        debtor: { kind: 'entity', name: `宁夏某某${n}号有限公司`, idNumber: creditCode(2000 + n), legalRepresentative: { name: '张三', idNumber: residentId('19650101', n) } },
      }),
    );

    // All at once; the process dies once some listings are recorded.
    const inFlight = bodies.map((body) => call(first.url, 'POST', '/api/listings', { key: clerk, body, timeoutMs: 30_000 }));
    await until(async () => (await db.prisma.listing.count()) >= LISTINGS / 8, 'some listings to be recorded', 30_000, 10);
    first.api.kill('SIGKILL');
    const killedAt = Date.now();
    await first.api.exited;
    const answers = await Promise.all(inFlight);
    const answered = answers.filter((answer) => answer.status === 201);
    const cut = answers.filter((answer) => answer.status === 0);
    expect(answered.length + cut.length).toBe(LISTINGS); // nothing but 201 or a cut connection
    expect(cut.length).toBeGreaterThan(0);

    // Right after the kill: every recorded listing has its 'listed' event.
    const recorded = await assertNoHalfWrittenListing();
    const listingsAtKill = await db.prisma.listing.findMany({ select: { id: true, createdAt: true } });
    const orphans: string[] = [];
    for (const listing of listingsAtKill) if (!(await workflowStarted(listing.id))) orphans.push(listing.id);
    for (const answer of answered) expect(await workflowStarted(answer.body.id)).toBe(true);

    // Restart. Orphans (recorded, no workflow) are started by the relay once they are old enough.
    if (orphans.length > 0) {
      const youngest = Math.max(...listingsAtKill.map((listing) => listing.createdAt.getTime()));
      await sleep(Math.max(0, youngest + RELAY_MIN_AGE_MS + 1_000 - Date.now()));
    }
    const second = await startApi();
    const restartedMs = Date.now() - killedAt;
    await until(async () => {
      for (const id of orphans) if (!(await workflowStarted(id))) return false;
      return true;
    }, 'the relay to start the workflows of recorded listings', 30_000, 250);

    // Round 1: the same bodies again. Recorded listings answer 200 with their id; the rest are created now.
    const round1 = await inBatches(bodies, 10, (body) => call(second.url, 'POST', '/api/listings', { key: clerk, body }));
    const idsAtKill = new Set(listingsAtKill.map((listing) => listing.id));
    round1.forEach((answer: Answer, n) => {
      expect([200, 201]).toContain(answer.status);
      if (answers[n]!.status === 201) {
        expect(answer.status).toBe(200);
        expect(answer.body.id).toBe(answers[n]!.body.id);
      }
      expect(answer.status === 200).toBe(idsAtKill.has(answer.body.id));
    });
    const ids = round1.map((answer) => answer.body.id as string);
    expect(new Set(ids).size).toBe(LISTINGS);

    // Every listing: a running workflow with its tasks and notices.
    await until(async () => (await db.prisma.task.count()) === LISTINGS * planSize && (await db.prisma.notification.count({ where: { sentAt: { not: null } } })) === LISTINGS * planSize, 'every task and notice', 60_000, 250);
    await inBatches(ids, 10, async (id) => {
      const handle = temporal.workflow.getHandle(`sanction-${id}`);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      expect((await workflowTaskTrouble(handle)).failed).toBe(0);
    });
    expect(await assertNoHalfWrittenListing()).toBe(LISTINGS);

    // Round 2: all 200, the same ids, nothing new anywhere.
    const counts = async () => ({
      listings: await db.prisma.listing.count(),
      tasks: await db.prisma.task.count(),
      events: await db.prisma.event.count(),
      notifications: await db.prisma.notification.count(),
      messages: mail.messages.length,
    });
    const before = await counts();
    const round2 = await inBatches(bodies, 10, (body) => call(second.url, 'POST', '/api/listings', { key: clerk, body }));
    expect(round2.map((answer) => answer.status)).toEqual(bodies.map(() => 200));
    expect(round2.map((answer) => answer.body.id)).toEqual(ids);
    await sleep(1_000);
    expect(await counts()).toEqual(before);
    expect(before).toMatchObject({ listings: LISTINGS, tasks: LISTINGS * planSize, notifications: LISTINGS * planSize, messages: LISTINGS * planSize });

    console.log(
      `[api-killed] ${LISTINGS} concurrent POSTs; killed with ${recorded} listings recorded: ${answered.length} answered 201, ` +
        `${cut.length} cut (${[...new Set(cut.map((answer) => answer.error))].join('/')}); recorded without a workflow at the kill: ${orphans.length} ` +
        `(started by the relay); API back ${restartedMs} ms after the kill; repeat round 1: ` +
        `${round1.filter((a) => a.status === 200).length} × 200, ${round1.filter((a) => a.status === 201).length} × 201; ` +
        `round 2: ${round2.length} × 200, same ids, nothing new (listings ${before.listings}, tasks ${before.tasks}, events ${before.events}, mails ${before.messages})`,
    );
  });
});
