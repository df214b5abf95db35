// The Temporal server (a file-backed dev server of this test's own) is killed
// with SIGKILL — no clean shutdown — while reminders and escalations are about
// to fall due, stays away while they do, and starts again on the same file
// and port. The worker and the API are not restarted. The durable timers
// survive: after the restart every escalation is sent, exactly once, and
// every reminder is taken (without a mail, its deadline having passed); no task is dispatched twice; no acknowledgment is lost, and
// an acknowledged task is neither reminded nor escalated. /healthz says 503
// while the server is away and 200 once it is back.
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
import { testDataConverter, testSettings } from '../support/settings.js';
import { ensureTemporalCli } from '../../dev/temporal-cli.js';
import { startTemporalDevServer, type TemporalDevServer } from '../../dev/temporal-dev-server.js';
import { MailCatcher, type CaughtMessage } from '../../dev/mail-catcher.js';
import { createApiKeyService } from '../../app/api-keys.js';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';
import { stateQuery } from '../../workflows/messages.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { creditCode, entityListing } from '../support/fixtures.js';
import { call, freePort, sleep, stepOf, tempDir, until, workflowTaskTrouble, type Answer } from './harness.js';

// Acknowledge within 40 s of dispatch (room for a loaded machine to dispatch and acknowledge first); a reminder 10 s before; the department supervisor at the
// deadline and the coordinating office 4 s later. The server is killed 14 s before the
// deadline and started again 1 s after it: the reminder and the first escalation fall due
// while it is away, the second around its restart.
const ACKNOWLEDGE_S = 40;
const REMINDER_BEFORE_S = 10;
const OFFICE_AFTER_S = 4;
const policy = secondsPolicy({ acknowledge: ACKNOWLEDGE_S, complete: 3600, lift: { acknowledge: 3600, complete: 7200 }, officeAfter: OFFICE_AFTER_S, reminderBefore: REMINDER_BEFORE_S });
const KILL_BEFORE_DUE_MS = 14_000;
const RESTART_AFTER_DUE_MS = 1_000;
/** How late a step that fell due during the outage may come after the server is ready again (the worker's polls back off while it is away). */
const CATCH_UP_MS = 20_000;
/** How long after the checks begin an acknowledgment taken during the outage may still be on its way to the workflow. */
const SIGNAL_AFTER_RESTART_MS = 15_000;

let dir: string;
let port: number;
let server: TemporalDevServer | undefined;
let database: TestDatabase;
let db: DatabaseClient;
let mail: MailCatcher;
let system: RunningSystem | undefined;
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

/** SIGKILL to the server: the CLI is one process (no children, checked), so this is all of it. */
async function killServer(running: TemporalDevServer): Promise<void> {
  process.kill(running.pid, 'SIGKILL');
  await until(() => !alive(running.pid), 'the Temporal server to die', 5_000, 10);
  await running.stop(); // only forgets the process now
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  dir = await tempDir('temporal');
  port = await freePort();
  server = await startServer();
  database = await createTestDatabase();
  db = createPrismaClient({ url: database.url, poolSize: 5 });
  await loadCatalog(db.prisma, twoDepartmentCatalog());
  mail = await new MailCatcher().start();
  system = await startSystem(
    { database: db, temporalAddress: server.address, smtpUrl: mail.url },
    {
      settings: testSettings({ TEMPORAL_TASK_QUEUE: taskQueue, ACK_TOKEN_SECRET: 'fault-test-secret' }),
      policy,
      log: createLogger(process.env.TEST_LOG_LEVEL ?? 'fatal'),
      workflowBundle: { code: inject('workflowBundleCode') },
      roles: { worker: true, http: true, inboundMail: false },
    },
  );
});

afterAll(async () => {
  await system?.stop();
  await server?.stop();
  await mail?.stop();
  await db?.close();
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});


describe('Temporal killed (SIGKILL) while reminders and escalations fall due', () => {
  it('loses no timer and no acknowledgment: after the restart every step is sent once, nothing is dispatched twice', { timeout: 150_000 }, async () => {
    const apiUrl = system!.url!;
    const keys = createApiKeyService(db.prisma);
    const clerk = (await keys.create({ name: 'clerk', role: 'clerk', courtCode: 'NX-YC-01' })).key;
    const d05 = (await keys.create({ name: 'd05', role: 'department', departmentCode: 'D05' })).key;
    const listingIds: string[] = [];
    for (const n of [0, 1]) {
      const listed = await call(apiUrl, 'POST', '/api/listings', {
        key: clerk,
        body: entityListing({ caseNumber: `（2026）宁01执${6001 + n}号`, debtor: { kind: 'entity', name: `宁夏某某${n}号公司`, idNumber: creditCode(6001 + n) } }),
      });
      expect(listed.status).toBe(201);
      listingIds.push(listed.body.id as string);
    }
    const tasks = await until(async () => {
      const rows = await db.prisma.task.findMany({ where: { listingId: { in: listingIds } } });
      return rows.length === 4 ? rows : undefined;
    }, 'four tasks', 60_000);
    await mail.waitFor((m) => m.headers['x-notice-type'] === 'notice', 4, 30_000);
    const taskOf = (listingId: string, departmentCode: string) => tasks.find((t) => t.listingId === listingId && t.departmentCode === departmentCode)!;
    // A: D05 acknowledges before the kill. B: D05 acknowledges while the server is away. The D06 tasks are never acknowledged.
    const ackedBefore = taskOf(listingIds[0]!, 'D05');
    const ackedDuring = taskOf(listingIds[1]!, 'D05');
    const unacked = [taskOf(listingIds[0]!, 'D06'), taskOf(listingIds[1]!, 'D06')];
    const before = await call(apiUrl, 'POST', `/api/tasks/${ackedBefore.id}/acknowledge`, { key: d05, body: { by: '王五' } });
    expect(before.status).toBe(200);
    const due = Math.max(...tasks.map((task) => task.acknowledgeDueAt.getTime()));
    const firstDue = Math.min(...tasks.map((task) => task.acknowledgeDueAt.getTime()));
    const runIds = new Map<string, string>();
    {
      const connection = await Connection.connect({ address: server!.address });
      const client = new Client({ connection, namespace: 'default' });
      for (const id of listingIds) runIds.set(id, (await client.workflow.getHandle(`sanction-${id}`).describe()).runId);
      await connection.close();
    }
    expect(Date.now(), 'dispatch and the first acknowledgment took too long for the timings of this test').toBeLessThan(firstDue - REMINDER_BEFORE_S * 1000 - 1_000);
    expect(mail.messages.filter((m) => m.headers['x-notice-type'] !== 'notice')).toEqual([]);

    // Killed outright a while before the reminders fall due.
    await sleep(Math.max(0, due - KILL_BEFORE_DUE_MS - Date.now()));
    const killedAt = Date.now();
    await killServer(server!);
    server = undefined;
    const mailsAtKill = mail.messages.length;

    // While it is away: the health check says so, and a department acknowledges.
    const duringIdempotencyKey = `ack-${ackedDuring.id}`;
    const during: Promise<Answer> = call(apiUrl, 'POST', `/api/tasks/${ackedDuring.id}/acknowledge`, { key: d05, body: { by: '赵六' }, headers: { 'Idempotency-Key': duringIdempotencyKey }, timeoutMs: 60_000 });
    await sleep(500);
    const healthDown = await call(apiUrl, 'GET', '/healthz', { timeoutMs: 10_000 });
    const healthDownAnsweredAt = Date.now();

    // Back on the same file and port after the reminder and the first escalation fell due.
    await sleep(Math.max(0, due + RESTART_AFTER_DUE_MS - Date.now()));
    const mailsWhileAway = mail.messages.length - mailsAtKill;
    const restartAt = Date.now();
    server = await startServer();
    const readyAt = Date.now();
    expect(healthDownAnsweredAt).toBeLessThan(restartAt);
    expect(healthDown.status, JSON.stringify(healthDown.body)).toBe(503);
    expect(mailsWhileAway, 'nothing can be sent while the server is away').toBe(0);
    const healthUp = await until(async () => {
      const answer = await call(apiUrl, 'GET', '/healthz', { timeoutMs: 10_000 });
      return answer.status === 503 ? undefined : answer;
    }, '/healthz to recover', 20_000, 200);
    expect(healthUp.status).toBe(200);
    const healthyAt = Date.now();

    // The acknowledgment asked while the server was away: taken (200) at once, PostgreSQL deciding it, its signal
    // sent to the workflow once the server is back; or refused (503) and then taken when asked again with its key.
    // Either way it is recorded once, and the workflow holds it (checked below).
    const duringAnswer = await during;
    expect([200, 503], JSON.stringify(duringAnswer.body)).toContain(duringAnswer.status);
    const duringRetry =
      duringAnswer.status === 503
        ? await call(apiUrl, 'POST', `/api/tasks/${ackedDuring.id}/acknowledge`, { key: d05, body: { by: '赵六' }, headers: { 'Idempotency-Key': duringIdempotencyKey } })
        : undefined;
    if (duringRetry) expect(duringRetry.status).toBe(200);
    const ackedDuringAt = (await db.prisma.task.findUniqueOrThrow({ where: { id: ackedDuring.id } })).acknowledgedAt!;
    expect(ackedDuringAt).not.toBeNull();

    // Every escalation step of the unacknowledged tasks arrives once: the supervisor, the coordinating office. Their
    // reminders fell due during the outage too; back after the deadline, the workflow takes them without a mail
    // (a reminder that comes too late would only confuse): checked in its state below.
    const isStep = (m: CaughtMessage) => ['reminder', 'escalation'].includes(m.headers['x-notice-type'] ?? '') && tasks.some((t) => t.id === m.headers['x-task-id']);
    // (A step that does not come fails below, naming it.)
    await mail.waitFor((m) => isStep(m) && unacked.some((t) => t.id === m.headers['x-task-id']), 4, CATCH_UP_MS + 10_000).catch(() => undefined);
    await sleep(4_000); // nothing more may come
    const steps = mail.messages.filter(isStep);
    const count = new Map<string, number>();
    for (const message of steps) count.set(stepOf(message), (count.get(stepOf(message)) ?? 0) + 1);
    const sentSteps = () => `steps sent: ${[...count].map(([k, n]) => `${k}×${n}`).join(', ')}; ready ${readyAt - restartAt} ms after the restart began, due ${due - restartAt} ms after it`;
    for (const task of unacked) {
      for (const step of ['escalation.L1', 'escalation.L2']) expect(count.get(`${task.id}.${step}`), `${step} of ${task.id}; ${sentSteps()}`).toBe(1);
      expect(count.get(`${task.id}.reminder`), `reminder of ${task.id} after its deadline; ${sentSteps()}`).toBeUndefined();
    }
    expect(new Set(steps.map((m) => m.messageId)).size).toBe(steps.length);
    // The task acknowledged before the kill is neither reminded nor escalated; the one acknowledged during the outage
    // at most for steps that fell due before its acknowledgment reached the workflow, and each once.
    expect(steps.filter((m) => m.headers['x-task-id'] === ackedBefore.id).map(stepOf)).toEqual([]);
    expect([...count].filter(([step, n]) => step.startsWith(ackedDuring.id) && n !== 1)).toEqual([]);
    const lateness = steps
      .filter((m) => m.headers['x-task-id'] === unacked[0]!.id)
      .map((m) => {
        const step = stepOf(m).slice(unacked[0]!.id.length + 1);
        const dueAt = unacked[0]!.acknowledgeDueAt.getTime() + (step === 'reminder' ? -REMINDER_BEFORE_S * 1000 : step === 'escalation.L2' ? OFFICE_AFTER_S * 1000 : 0);
        return { step, dueAt, receivedAt: m.receivedAt.getTime() };
      });
    // The first escalation fell due during the outage and came after the restart, within CATCH_UP_MS of it.
    for (const step of lateness) {
      if (step.step === 'escalation.L1') expect(step.dueAt).toBeLessThan(restartAt);
      // After the restart began: the server answers the worker before the start helper returns (it still registers search attributes then).
      expect(step.receivedAt).toBeGreaterThan(restartAt);
      expect(step.receivedAt - Math.max(step.dueAt, readyAt)).toBeLessThan(CATCH_UP_MS);
    }

    // Nothing dispatched twice: four tasks, one notice and one 'task-dispatched' event each.
    expect(await db.prisma.task.count()).toBe(4);
    const notices = mail.messages.filter((m) => m.headers['x-notice-type'] === 'notice');
    expect(notices.map((m) => m.headers['x-task-id']).sort()).toEqual(tasks.map((t) => t.id).sort());
    expect(await db.prisma.event.count({ where: { type: 'task-dispatched' } })).toBe(4);
    // No acknowledgment lost: both recorded, once, in the database and in the workflows; the others still pending.
    const rows = await db.prisma.task.findMany({ where: { id: { in: tasks.map((t) => t.id) } } });
    const statusOf = new Map(rows.map((row) => [row.id, row.status]));
    expect([ackedBefore, ackedDuring].map((t) => statusOf.get(t.id))).toEqual(['acknowledged', 'acknowledged']);
    expect(unacked.map((t) => statusOf.get(t.id))).toEqual(['pending', 'pending']);
    const ackEvents = await db.prisma.$queryRaw<{ taskId: string; n: number }[]>`
      SELECT "taskId", count(*)::int AS n FROM "Event" WHERE type = 'acknowledged' GROUP BY "taskId", type ORDER BY "taskId"`;
    expect(ackEvents).toEqual([ackedBefore.id, ackedDuring.id].sort().map((taskId) => ({ taskId, n: 1 })));
    expect(rows.filter((row) => unacked.some((t) => t.id === row.id)).map((row) => row.escalationLevel)).toEqual([2, 2]);
    expect(rows.find((row) => row.id === ackedBefore.id)!.escalationLevel).toBe(0);

    // The same runs carried on, with no failed workflow task, and hold what the database holds.
    const check = await Connection.connect({ address: server.address });
    try {
      const client = new Client({ connection: check, namespace: 'default', dataConverter: testDataConverter() });
      for (const id of listingIds) {
        const handle = client.workflow.getHandle(`sanction-${id}`);
        const description = await handle.describe();
        expect(description.runId).toBe(runIds.get(id));
        expect(description.status.name).toBe('RUNNING');
        expect((await workflowTaskTrouble(handle)).failed).toBe(0);
        // An acknowledgment taken during the outage reaches the workflow as a signal once the server is back.
        const agrees = async () => {
          const state = await handle.query(stateQuery);
          return state.tasks.every((task) => task.status === statusOf.get(task.taskId)) ? state : undefined;
        };
        const state = (await until(agrees, 'the workflow to hold what the database holds', SIGNAL_AFTER_RESTART_MS, 250).catch(() => undefined)) ?? (await handle.query(stateQuery));
        for (const task of state.tasks) {
          expect(task.status, `task ${task.taskId} in its workflow`).toBe(statusOf.get(task.taskId));
          // The reminders' timers fired after the restart too: taken, once (no mail: past the deadline).
          if (unacked.some((t) => t.id === task.taskId)) expect(task.alarmsTaken.filter((key) => key === 'reminder:acknowledge')).toEqual(['reminder:acknowledge']);
        }
      }
    } finally {
      await check.close();
    }

    console.log(
      `[temporal-restart] killed ${due - killedAt} ms before the deadline; down ${restartAt - killedAt} ms, ready ${readyAt - killedAt} ms after the kill ` +
        `(server start ${readyAt - restartAt} ms); /healthz while away ${healthDown.status} in ${healthDown.ms.toFixed(0)} ms, ` +
        `${healthUp.status} again ${healthyAt - readyAt} ms after the server was ready; acknowledgment asked while away: ${duringAnswer.status} after ${duringAnswer.ms.toFixed(0)} ms` +
        `${duringRetry ? `, retried ${duringRetry.status}` : ''}; steps ${steps.length} (distinct ${new Set(steps.map((m) => m.messageId)).size}): ` +
        `${[...count].map(([step, n]) => `${step.slice(0, 8)}…${step.slice(36)}×${n}`).join(', ')}; ` +
        `lateness after due ${lateness.map((l) => `${l.step} ${l.receivedAt - l.dueAt} ms`).join(', ')}`,
    );
  });
});
