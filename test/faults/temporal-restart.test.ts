// The Temporal server (a file-backed dev server of this test's own) stops a
// few seconds before escalations fall due, starts again on the same file and
// port, and the worker is restarted. The durable timers survive: every
// escalation is still sent, once, within seconds of being due.
import './quiet-sdk.js';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { secondsPolicy } from '../support/policies.js';
import { createPrismaClient, type DatabaseClient } from '../../db/client.js';
import { loadCatalog } from '../../db/seed-catalog.js';
import { createTestDatabase, type TestDatabase } from '../../db/test-database.js';
import { createLogger } from '../../platform/logger.js';
import { startSystem, type RunningSystem } from '../../main/compose.js';
import { testSettings } from '../support/settings.js';
import { ensureTemporalCli } from '../../dev/temporal-cli.js';
import { startTemporalDevServer, type TemporalDevServer } from '../../dev/temporal-dev-server.js';
import { MailCatcher } from '../../dev/mail-catcher.js';
import { createApiKeyService } from '../../app/api-keys.js';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { entityListing } from '../support/fixtures.js';
import { call, freePort, sleep, tempDir, until, workflowTaskTrouble } from './harness.js';

// The acknowledgment deadline 12 s after dispatch, a reminder 5 s before it, the
// department supervisor at the deadline and the coordinating office 3 s later.
const policy = secondsPolicy({ acknowledge: 12, complete: 3600, lift: { acknowledge: 3600, complete: 7200 }, officeAfter: 3, reminderBefore: 5 });
// A workflow task first waits on the stopped worker's sticky queue (up to 5 s) before any worker takes it.
const LATE_TOLERANCE_MS = 10_000;

let dir: string;
let port: number;
let server: TemporalDevServer | undefined;
let database: TestDatabase;
let db: DatabaseClient;
let mail: MailCatcher;
let worker: RunningSystem | undefined;
let api: RunningSystem | undefined;
const taskQueue = `faults-temporal-${randomUUID()}`;
const log = (message: string) => process.stderr.write(`[temporal-restart] ${message}\n`);

async function startServer(): Promise<TemporalDevServer> {
  const cliPath = await ensureTemporalCli({ log });
  return startTemporalDevServer({
    cliPath,
    dbFilename: path.join(dir, 'temporal.db'),
    logFile: path.join(dir, 'server.log'),
    port,
    headless: true,
    namespace: 'default',
    searchAttributes: SEARCH_ATTRIBUTES,
    log: () => {},
  });
}

function startPart(address: string, part: 'worker' | 'api'): Promise<RunningSystem> {
  return startSystem(
    { database: db, temporalAddress: address, smtpUrl: mail.url },
    {
      settings: testSettings({ TEMPORAL_TASK_QUEUE: taskQueue, ACK_TOKEN_SECRET: 'fault-test-secret' }),
      policy,
      log: createLogger(process.env.TEST_LOG_LEVEL ?? 'fatal'),
      workflowBundle: { code: inject('workflowBundleCode') },
      roles: { worker: part === 'worker', http: part === 'api', inboundMail: false },
    },
  );
}

beforeAll(async () => {
  dir = await tempDir('temporal');
  port = await freePort();
  server = await startServer();
  database = await createTestDatabase();
  db = createPrismaClient({ url: database.url, poolSize: 5 });
  await loadCatalog(db.prisma, twoDepartmentCatalog());
  mail = await new MailCatcher().start();
  worker = await startPart(server.address, 'worker');
  api = await startPart(server.address, 'api');
});

afterAll(async () => {
  await worker?.stop();
  await api?.stop();
  await server?.stop();
  await mail?.stop();
  await db?.close();
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Temporal restarted before escalations fall due', () => {
  it('loses no timer: every escalation arrives once, within seconds of being due', { timeout: 120_000 }, async () => {
    const { key: clerk } = await createApiKeyService(db.prisma).create({ name: 'clerk', role: 'clerk', courtCode: 'NX-YC-01' });
    const listed = await call(api!.url!, 'POST', '/api/listings', { key: clerk, body: entityListing({ caseNumber: '（2026）宁01执6001号' }) });
    expect(listed.status).toBe(201);
    const listingId = listed.body.id as string;
    const tasks = await until(async () => {
      const rows = await db.prisma.task.findMany({ where: { listingId } });
      return rows.length === 2 ? rows : undefined;
    }, 'two tasks');
    const due = Math.max(...tasks.map((task) => task.acknowledgeDueAt.getTime()));
    const dueOf = (level: number) => due + (level === 1 ? 0 : 3_000);
    await mail.waitFor((m) => m.headers['x-notice-type'] === 'reminder', 2, 15_000);
    const connection = await Connection.connect({ address: server!.address });
    const handle = new Client({ connection, namespace: 'default' }).workflow.getHandle(`sanction-${listingId}`);
    const { runId } = await handle.describe();
    await connection.close();

    // Temporal goes away a few seconds before the first escalation is due.
    await sleep(Math.max(0, due - 5_000 - Date.now()));
    const stoppedAt = Date.now();
    await server!.stop();
    server = undefined;
    const serverDownAt = Date.now();
    // The API stays up throughout; what its health check says while Temporal is away.
    const healthWhileDown = call(api!.url!, 'GET', '/healthz', { timeoutMs: 60_000 });

    // The server comes back on the same file and port, and the worker is restarted.
    await sleep(300);
    server = await startServer();
    const serverUpAt = Date.now();
    await worker!.stop();
    worker = await startPart(server.address, 'worker');
    const workerUpAt = Date.now();

    const isEscalation = (m: { headers: Record<string, string> }) => m.headers['x-notice-type'] === 'escalation' && tasks.some((t) => t.id === m.headers['x-task-id']);
    await mail.waitFor(isEscalation, 4, 30_000);
    await sleep(4_000); // nothing more may come
    const escalations = mail.messages.filter(isEscalation);
    expect(escalations).toHaveLength(4);
    expect(new Set(escalations.map((m) => m.messageId)).size).toBe(4);
    const lateness = escalations.map((m) => {
      const level = Number(/第(\d)级/.exec(m.subject)?.[1]);
      return { task: m.headers['x-task-id'], level, lateMs: m.receivedAt.getTime() - dueOf(level) };
    });
    for (const task of tasks) expect(lateness.filter((l) => l.task === task.id).map((l) => l.level).sort()).toEqual([1, 2]);
    expect(lateness.filter((l) => !(l.lateMs > -500 && l.lateMs < LATE_TOLERANCE_MS))).toEqual([]);

    // The same run carried on: no timer lost, each step recorded once, no failed workflow task.
    const events = await db.prisma.event.findMany({ where: { listingId, type: 'escalated' } });
    expect(events).toHaveLength(4);
    const rows = await db.prisma.task.findMany({ where: { listingId } });
    expect(rows.every((row) => row.escalationLevel === 2)).toBe(true);
    const check = await Connection.connect({ address: server.address });
    try {
      const sameHandle = new Client({ connection: check, namespace: 'default' }).workflow.getHandle(`sanction-${listingId}`);
      const description = await sameHandle.describe();
      expect(description.runId).toBe(runId);
      expect(description.status.name).toBe('RUNNING');
      expect((await workflowTaskTrouble(sameHandle)).failed).toBe(0);
    } finally {
      await check.close();
    }
    // The API reconnected by itself: an acknowledgment goes through the workflow again.
    const { key: d05 } = await createApiKeyService(db.prisma).create({ name: 'd05', role: 'department', departmentCode: 'D05' });
    const d05Task = tasks.find((task) => task.departmentCode === 'D05')!;
    const acknowledged = await call(api!.url!, 'POST', `/api/tasks/${d05Task.id}/acknowledge`, { key: d05, body: { by: '王五' } });
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.body.status).toBe('acknowledged');
    const health = await healthWhileDown;
    expect([200, 503]).toContain(health.status);

    console.log(
      `[temporal-restart] due at +${due - stoppedAt} ms from the stop; server stop took ${serverDownAt - stoppedAt} ms, ` +
        `server back ${serverUpAt - stoppedAt} ms and worker back ${workerUpAt - stoppedAt} ms after the stop; ` +
        `/healthz asked while away answered ${health.status} after ${health.ms.toFixed(0)} ms (${(serverDownAt + health.ms - serverUpAt).toFixed(0)} ms after the server was back); escalations ${escalations.length} (distinct ${new Set(escalations.map((m) => m.messageId)).size}), ` +
        `lateness ${lateness.map((l) => `L${l.level} ${l.lateMs} ms`).join(', ')}`,
    );
  });
});
