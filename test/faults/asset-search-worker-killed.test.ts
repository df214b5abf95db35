// The worker process is killed outright (SIGKILL) while it delivers an asset
// search of 1,500 institutions, then started again. Every request must reach
// its institution, each notice under the one Message-ID its row fixed; no
// request may be recorded delivered twice, and the search must go on to wait
// for its answers.
import './quiet-sdk.js';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { defaultCatalog } from '../../domain/catalog.js';
import { defaultPolicy } from '../../domain/policy.js';
import { generateInstitutionDirectory } from '../../domain/institutions.js';
import { createPrismaClient, type DatabaseClient } from '../../db/client.js';
import { loadCatalog } from '../../db/seed-catalog.js';
import { loadInstitutionDirectory } from '../../db/institution-directory.js';
import { createTestDatabase, type TestDatabase } from '../../db/test-database.js';
import { createLogger } from '../../platform/logger.js';
import { startSystem, type RunningSystem } from '../../main/compose.js';
import { testDataConverter, testSettings } from '../support/settings.js';
import { MailCatcher } from '../../dev/mail-catcher.js';
import { createApiKeyService } from '../../app/api-keys.js';
import { VALID_CREDIT_CODE } from '../support/fixtures.js';
import { call, startService, stopService, tempDir, until, workflowTaskTrouble, type ServiceProcess } from './harness.js';

const INSTITUTIONS = 1_500;

let database: TestDatabase;
let db: DatabaseClient;
let mail: MailCatcher;
let system: RunningSystem;
let connection: Connection;
let temporal: Client;
let logDir: string;
const workers: ServiceProcess[] = [];
const taskQueue = `faults-assets-${randomUUID()}`;
const temporalAddress = inject('temporalAddress');

beforeAll(async () => {
  database = await createTestDatabase();
  db = createPrismaClient({ url: database.url, poolSize: 5 });
  await loadCatalog(db.prisma, defaultCatalog);
  await loadInstitutionDirectory(db.prisma, generateInstitutionDirectory(INSTITUTIONS));
  mail = await new MailCatcher().start();
  // The kill cuts SMTP connections in the middle of a message; the catcher would throw on the second such cut.
  (mail as unknown as { server: { on(event: 'error', listener: (error: Error) => void): void } }).server.on('error', () => undefined);
  logDir = await tempDir('asset-search-worker-killed');
  system = await startSystem(
    { database: db, temporalAddress, smtpUrl: mail.url },
    {
      settings: testSettings({ TEMPORAL_TASK_QUEUE: taskQueue, MAIL_FROM: '联合惩戒协同平台 <no-reply@sanctions.example>', ACK_TOKEN_SECRET: 'fault-test-secret' }),
      policy: defaultPolicy,
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

async function startWorker(): Promise<ServiceProcess> {
  const worker = await startService(
    'main/worker.ts',
    { DATABASE_URL: database.url, TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_TASK_QUEUE: taskQueue, SMTP_URL: mail.url, ACK_TOKEN_SECRET: 'fault-test-secret', LOG_LEVEL: 'warn' },
    logDir,
    'worker',
  );
  workers.push(worker);
  return worker;
}

describe('the worker process killed mid-delivery of an asset search', () => {
  it('delivers every request once, each notice under one Message-ID, and the search waits on', { timeout: 170_000 }, async () => {
    onTestFailed(async () => {
      for (const service of workers) console.log(`--- output of process ${service.pid} ---\n${(await service.output()).slice(-4_000)}`);
    });
    const { key: clerk } = await createApiKeyService(db.prisma).create({ name: 'clerk', role: 'clerk', courtCode: 'FJ-XM-0203' });
    const first = await startWorker();
    const created = await call(system.url!, 'POST', '/api/asset-searches', {
      key: clerk,
      body: { caseNumber: '（2026）闽0203执999号', debtor: { kind: 'entity', name: '厦门某某有限公司', idNumber: VALID_CREDIT_CODE }, institutions: 'all' },
    });
    expect(created.status).toBe(201);
    const searchId = created.body.id as string;

    // Kill it when some but not all notices are out.
    await mail.waitFor(() => true, Math.round(INSTITUTIONS * 0.3), 90_000);
    first.kill('SIGKILL');
    const killedAt = Date.now();
    await first.exited;
    const atKill = { messages: mail.messages.length, delivered: await db.prisma.assetRequest.count({ where: { deliveredAt: { not: null } } }) };
    expect(atKill.messages).toBeLessThan(INSTITUTIONS);

    await startWorker();
    await until(async () => (await db.prisma.assetRequest.count({ where: { deliveredAt: { not: null } } })) === INSTITUTIONS, 'every request delivered after the restart', 150_000, 250);
    const recoveredMs = Date.now() - killedAt;
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    // Every request's notice: one row, sent, its Message-ID received; one audit event each.
    const notices = await db.prisma.assetNotice.findMany({ where: { type: 'asset-query' } });
    expect(notices).toHaveLength(INSTITUTIONS);
    expect(notices.every((notice) => notice.sentAt !== null)).toBe(true);
    const received = new Set(mail.messages.map((m) => m.messageId));
    expect(received.size).toBe(INSTITUTIONS);
    // Sent again by the retry: at most the chunk each batch had sent but not yet recorded (50 each, 4 batches at a time).
    expect(mail.messages.length - received.size).toBeLessThanOrEqual(4 * 50);
    for (const notice of notices) expect(received.has(notice.messageId)).toBe(true);
    const requestIds = new Set(mail.messages.map((m) => m.headers['x-asset-request-id']));
    expect(requestIds.size).toBe(INSTITUTIONS);
    expect(await db.prisma.assetEvent.count({ where: { type: 'asset-query-sent' } })).toBe(INSTITUTIONS);
    expect(await db.prisma.assetRequest.count({ where: { deliveredVia: 'email' } })).toBe(INSTITUTIONS);

    // The search waits for its answers: running, no activity pending, no failed workflow task.
    const handle = temporal.workflow.getHandle(`asset-search-${searchId}`);
    await until(async () => ((await handle.describe()).raw.pendingActivities ?? []).length === 0, 'the search to wait for its answers', 30_000, 250);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    const trouble = await workflowTaskTrouble(handle);
    expect(trouble.failed).toBe(0);
    console.log(
      `[asset-search-worker-killed] institutions=${INSTITUTIONS} killed after ${atKill.messages} messages (${atKill.delivered} recorded delivered); ` +
        `recovered in ${recoveredMs} ms; messages received ${mail.messages.length}, distinct Message-IDs ${received.size}, raw duplicates ${mail.messages.length - received.size}; ` +
        `send attempts ${notices.reduce((sum, notice) => sum + notice.attempts, 0)}; history events ${trouble.events}`,
    );
  });
});
