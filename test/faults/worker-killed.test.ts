// The worker process is killed outright (SIGKILL) while it dispatches the
// tasks and notices of 100 listings, then started again. Nothing may be lost
// or doubled in the database; a notice whose send was cut may reach the SMTP
// server twice, but always with the same Message-ID.
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
import { testDataConverter, testSettings } from '../support/settings.js';
import { MailCatcher } from '../../dev/mail-catcher.js';
import { createApiKeyService } from '../../app/api-keys.js';
import { stateQuery } from '../../workflows/messages.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { creditCode, entityListing, residentId } from '../support/fixtures.js';
import { call, inBatches, startService, stopService, tempDir, until, workflowTaskTrouble, type ServiceProcess } from './harness.js';

const LISTINGS = 100;
const catalog = twoDepartmentCatalog();
const plan = dispatchPlan(catalog, { debtorKind: 'entity', hasLegalRepresentative: true });
const expectedTasks = LISTINGS * plan.length;

let database: TestDatabase;
let db: DatabaseClient;
let mail: MailCatcher;
let system: RunningSystem;
let connection: Connection;
let temporal: Client;
let logDir: string;
const workers: ServiceProcess[] = [];
let smtpConnectionsCut = 0;
const taskQueue = `faults-worker-${randomUUID()}`;
const temporalAddress = inject('temporalAddress');

beforeAll(async () => {
  database = await createTestDatabase();
  db = createPrismaClient({ url: database.url, poolSize: 5 });
  await loadCatalog(db.prisma, catalog);
  mail = await new MailCatcher().start();
  // The kill cuts SMTP connections in the middle of a message. MailCatcher keeps no 'error' listener on
  // its server after start, so from the second such cut on the error would be thrown in this process;
  // they are counted here instead.
  (mail as unknown as { server: { on(event: 'error', listener: (error: Error) => void): void } }).server.on('error', () => {
    smtpConnectionsCut++;
  });
  logDir = await tempDir('worker-killed');
  system = await startSystem(
    { database: db, temporalAddress, smtpUrl: mail.url },
    {
      settings: testSettings({ TEMPORAL_TASK_QUEUE: taskQueue, MAIL_FROM: '联合惩戒协同平台 <no-reply@sanctions.example>', ACK_TOKEN_SECRET: 'fault-test-secret' }),
      policy: defaultPolicy,
      // Its reconciler may note listings whose dispatch waits for the restarted worker (harmless).
      log: createLogger('error'),
      roles: { worker: false, http: true, inboundMail: false },
    },
  );
  connection = await Connection.connect({ address: temporalAddress });
  temporal = new Client({ connection, namespace: 'default', dataConverter: testDataConverter() });
});

afterAll(async () => {
  for (const worker of workers) await stopService(worker);
  await system?.stop();
  await connection?.close();
  await mail?.stop();
  await db?.close();
  await database?.drop();
  if (logDir) await rm(logDir, { recursive: true, force: true });
});

function startWorker(): Promise<ServiceProcess> {
  return startService(
    'main/worker.ts',
    {
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      SMTP_URL: mail.url,
      ACK_TOKEN_SECRET: 'fault-test-secret',
      LOG_LEVEL: 'warn',
    },
    logDir,
    'worker',
  ).then((worker) => {
    workers.push(worker);
    return worker;
  });
}

describe('the worker process killed mid-dispatch', () => {
  it('loses no task and no notice, doubles no task, and leaves no workflow stuck', { timeout: 170_000 }, async () => {
    onTestFailed(async () => {
      for (const service of workers) console.log(`--- output of process ${service.pid} ---\n${(await service.output()).slice(-4_000)}`);
    });
    const apiUrl = system.url!;
    const { key: clerk } = await createApiKeyService(db.prisma).create({ name: 'clerk', role: 'clerk', courtCode: 'NX-YC-01' });

    // The worker starts (it bundles the workflow code) while the listings come in.
    const first = await startWorker();
    const bodies = Array.from({ length: LISTINGS }, (_, n) =>
      entityListing({
        caseNumber: `（2026）宁01执${3000 + n}号`,
        debtor: { kind: 'entity', name: `宁夏某某${n}号有限公司`, idNumber: creditCode(n + 1), legalRepresentative: { name: '张三', idNumber: residentId('19700101', n) } },
      }),
    );
    const posted = await inBatches(bodies, 10, (body) => call(apiUrl, 'POST', '/api/listings', { key: clerk, body }));
    expect(posted.map((answer) => answer.status)).toEqual(bodies.map(() => 201));
    const listingIds = posted.map((answer) => answer.body.id as string);

    // Kill it when some but not all notices are out.
    const killAt = Math.round(expectedTasks * 0.3);
    await mail.waitFor(() => true, killAt, 90_000);
    first.kill('SIGKILL');
    const killedAt = Date.now();
    await first.exited;
    const atKill = {
      messages: mail.messages.length,
      tasks: await db.prisma.task.count(),
      sent: await db.prisma.notification.count({ where: { sentAt: { not: null } } }),
      unsent: await db.prisma.notification.count({ where: { sentAt: null } }),
    };
    expect(atKill.messages).toBeLessThan(expectedTasks);

    await startWorker();
    await until(
      async () => (await db.prisma.task.count()) === expectedTasks && (await db.prisma.notification.count({ where: { sentAt: { not: null } } })) === expectedTasks,
      'every task dispatched and every notice sent after the restart',
      150_000,
      250,
    );
    const recoveredMs = Date.now() - killedAt;
    // Late retries of sends cut by the kill would show up here.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    // Every task exactly once, per listing and department.
    const tasks = await db.prisma.task.findMany({ select: { id: true, listingId: true, departmentCode: true, kind: true } });
    expect(tasks).toHaveLength(expectedTasks);
    const perListing = new Map<string, string[]>();
    for (const task of tasks) perListing.set(task.listingId, [...(perListing.get(task.listingId) ?? []), task.departmentCode]);
    for (const listingId of listingIds) expect(perListing.get(listingId)?.sort()).toEqual(plan.map((entry) => entry.departmentCode).sort());
    expect(await db.prisma.event.count({ where: { type: 'task-dispatched' } })).toBe(expectedTasks);

    // Every notice arrived, under the Message-ID its Notification row fixed.
    const notifications = await db.prisma.notification.findMany();
    expect(notifications).toHaveLength(expectedTasks);
    expect(notifications.every((n) => n.sentAt !== null && n.type === 'notice')).toBe(true);
    const received = new Set(mail.messages.map((m) => m.messageId));
    expect(received.size).toBe(expectedTasks);
    for (const notification of notifications) expect(received.has(notification.messageId)).toBe(true);
    const taskIdsMailed = new Set(mail.messages.map((m) => m.headers['x-task-id']));
    expect(tasks.every((task) => taskIdsMailed.has(task.id))).toBe(true);
    const rawDuplicates = mail.messages.length - received.size;
    expect(await db.prisma.event.count({ where: { type: 'notice-sent' } })).toBe(expectedTasks);

    // No workflow stuck: running, waiting on deadlines (no activity pending), no failed workflow task.
    let timedOutWorkflowTasks = 0;
    await inBatches(listingIds, 10, async (listingId) => {
      const handle = temporal.workflow.getHandle(`sanction-${listingId}`);
      const description = await handle.describe();
      expect(description.status.name).toBe('RUNNING');
      expect(description.raw.pendingActivities ?? []).toHaveLength(0);
      const state = await handle.query(stateQuery);
      expect(state.tasks).toHaveLength(plan.length);
      expect(state.tasks.every((task) => task.status === 'pending')).toBe(true);
      const trouble = await workflowTaskTrouble(handle);
      expect(trouble.failed).toBe(0);
      timedOutWorkflowTasks += trouble.timedOut;
    });

    const attempts = notifications.reduce((sum, n) => sum + n.attempts, 0);
    console.log(
      `[worker-killed] listings=${LISTINGS} tasks=${expectedTasks} killed after ${atKill.messages} messages ` +
        `(tasks in DB ${atKill.tasks}, notices marked sent ${atKill.sent}, begun but unsent ${atKill.unsent}); ` +
        `recovered in ${recoveredMs} ms; messages received ${mail.messages.length}, distinct Message-IDs ${received.size}, ` +
        `raw duplicates ${rawDuplicates}; send attempts ${attempts}; SMTP connections cut mid-message ${smtpConnectionsCut}; ` +
        `workflow tasks timed out ${timedOutWorkflowTasks}, failed 0`,
    );
  });
});
