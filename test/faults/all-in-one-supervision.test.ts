// The one-command start (`npm start`, run as a user runs it, with PostgreSQL
// through DATABASE_URL and its own Temporal dev server) supervises the dev
// server: SIGKILLed just before a deadline it is started again on the same
// file within seconds, with nobody doing anything; the worker and the API
// reconnect; every escalation step still arrives once; an acknowledgment
// asked during the outage is refused with 503 and Retry-After or taken once.
// /readyz and the dashboard say what is down and since when while it is.
// A dev server that will not start again ends the start with a non-zero exit
// and a message.
import { randomUUID } from 'node:crypto';
import { chmod, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyService } from '../../app/api-keys.js';
import { createPrismaClient, type DatabaseClient } from '../../db/client.js';
import { loadCatalog } from '../../db/seed-catalog.js';
import { createTestDatabase, type TestDatabase } from '../../db/test-database.js';
import { MailCatcher, type CaughtMessage } from '../../dev/mail-catcher.js';
import { ensureTemporalCli } from '../../dev/temporal-cli.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { creditCode, entityListing } from '../support/fixtures.js';
import { call, freePort, sleep, startService, stepOf, stopService, tempDir, until, type Answer, type ServiceProcess } from './harness.js';

// Acknowledge within 45 s of dispatch (room for a loaded machine to start, list and dispatch); the reminder 10 s
// before; the department supervisor at the deadline and the coordinating office 6 s later.
const ACKNOWLEDGE_S = 45;
const REMINDER_BEFORE_S = 10;
const OFFICE_AFTER_S = 6;
/** The dev server is killed this long before the acknowledgment deadline: the first escalation falls due while it is away. */
const KILL_BEFORE_DUE_MS = 1_500;
/** "Within a few seconds": the first restart waits 1 s, the dev server then takes one to three to be ready. */
const BACK_WITHIN_MS = 15_000;

const policy = {
  impose: { acknowledge: `PT${ACKNOWLEDGE_S}S`, complete: 'PT1H' },
  lift: { acknowledge: 'PT1H', complete: 'PT2H' },
  escalation: [
    { after: 'PT0S', notify: 'department-supervisor' },
    { after: `PT${OFFICE_AFTER_S}S`, notify: 'coordinating-office' },
  ],
  reminderBefore: `PT${REMINDER_BEFORE_S}S`,
};

const adminKey = `jsc_admin_${randomUUID().replaceAll('-', '')}`;
const metricsToken = `metrics-${randomUUID()}`;
const log = (message: string) => process.stderr.write(`[all-in-one-supervision] ${message}\n`);

let database: TestDatabase;
let db: DatabaseClient;
let mail: MailCatcher;
let dir: string;
let realCli: string;
const started: ServiceProcess[] = [];

beforeAll(async () => {
  realCli = await ensureTemporalCli({ log });
  database = await createTestDatabase();
  db = createPrismaClient({ url: database.url, poolSize: 3 });
  await loadCatalog(db.prisma, twoDepartmentCatalog());
  mail = await new MailCatcher().start();
  dir = await tempDir('all-in-one');
  await writeFile(path.join(dir, 'policy.json'), JSON.stringify(policy));
}, 600_000);

afterAll(async () => {
  for (const service of started) await stopService(service);
  await mail?.stop();
  await db?.close();
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** `npx tsx main/all-in-one.ts` (what `npm start` runs) on its own data directory, and the URL it serves. */
async function startAllInOne(name: string, env: Record<string, string> = {}): Promise<{ service: ServiceProcess; baseUrl: string }> {
  const port = await freePort();
  const service = await startService(
    'main/all-in-one.ts',
    {
      DATABASE_URL: database.url,
      // Unset whatever the test run uses: the start runs its own dev server.
      TEMPORAL_ADDRESS: '',
      TEMPORAL_TASK_QUEUE: '',
      TEMPORAL_CLI: realCli,
      TEMPORAL_DEV_PORT: String(await freePort()),
      TEMPORAL_DEV_UI_PORT: String(await freePort()),
      SMTP_URL: mail.url,
      DATA_DIR: path.join(dir, name),
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      WORKER_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`,
      ADMIN_API_KEY: adminKey,
      METRICS_TOKEN: metricsToken,
      POLICY_FILE: path.join(dir, 'policy.json'),
      LOG_LEVEL: 'info',
      ...env,
    },
    dir,
    name,
  );
  started.push(service);
  const baseUrl = `http://127.0.0.1:${port}`;
  await until(async () => {
    if (!service.running()) throw new Error(`the all-in-one start exited:\n${await service.output()}`);
    return (await fetch(`${baseUrl}/healthz`).catch(() => undefined))?.status === 200;
  }, 'the all-in-one start to answer /healthz', 240_000, 250);
  return { service, baseUrl };
}

/** The dev server's pid, from the last "ready" line of the start's log. */
async function devServerPid(service: ServiceProcess): Promise<number> {
  const pids = [...(await service.output()).matchAll(/Temporal dev server ready on \S+ in \d+ ms[^\n]*?\(pid (\d+)\)/g)].map((match) => Number(match[1]));
  expect(pids.length, await service.output()).toBeGreaterThan(0);
  return pids.at(-1)!;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function killDevServer(pid: number): Promise<number> {
  process.kill(pid, 'SIGKILL');
  const killedAt = Date.now();
  await until(() => !alive(pid), 'the dev server to die', 5_000, 10);
  return killedAt;
}


describe('the all-in-one start supervises its Temporal dev server', () => {
  it('restarts it within seconds after a SIGKILL just before a deadline: every escalation step once, no acknowledgment lost', { timeout: 420_000 }, async () => {
    const { service, baseUrl } = await startAllInOne('healing');
    const keys = createApiKeyService(db.prisma);
    const clerk = (await keys.create({ name: 'clerk', role: 'clerk', courtCode: 'NX-YC-01' })).key;
    const d05 = (await keys.create({ name: 'd05', role: 'department', departmentCode: 'D05' })).key;
    const supervisor = (await keys.create({ name: 'supervisor', role: 'supervisor' })).key;

    const listed = await call(baseUrl, 'POST', '/api/listings', {
      key: clerk,
      body: entityListing({ caseNumber: '（2026）宁01执7101号', debtor: { kind: 'entity', name: '宁夏某某7101号公司', idNumber: creditCode(7101) } }),
    });
    expect(listed.status, JSON.stringify(listed.body)).toBe(201);
    const listingId = listed.body.id as string;
    const tasks = await until(async () => {
      const rows = await db.prisma.task.findMany({ where: { listingId } });
      return rows.length === 2 ? rows : undefined;
    }, 'two tasks', 60_000);
    await mail.waitFor((m) => m.headers['x-notice-type'] === 'notice' && tasks.some((t) => t.id === m.headers['x-task-id']), 2, 30_000);
    const acked = tasks.find((t) => t.departmentCode === 'D05')!;
    const silent = tasks.find((t) => t.departmentCode === 'D06')!;
    const due = silent.acknowledgeDueAt.getTime();
    expect(Date.now(), 'start and dispatch took too long for the timings of this test').toBeLessThan(due - REMINDER_BEFORE_S * 1000 - 1_000);

    // Killed outright just before the acknowledgment deadline (the reminder has gone by then).
    const pid = await devServerPid(service);
    await sleep(Math.max(0, due - KILL_BEFORE_DUE_MS - Date.now()));
    const killedAt = await killDevServer(pid);

    // While it is away: a department acknowledges; /readyz and the dashboard say what is down and since when.
    const idempotencyKey = `ack-${acked.id}`;
    const during: Promise<Answer> = call(baseUrl, 'POST', `/api/tasks/${acked.id}/acknowledge`, { key: d05, body: { by: '赵六' }, headers: { 'Idempotency-Key': idempotencyKey }, timeoutMs: 60_000 });
    await sleep(200);
    const readyDown = await call(baseUrl, 'GET', '/readyz', { timeoutMs: 10_000 });
    const page = await fetch(`${baseUrl}/login`).then((response) => response.text());

    const healthy = await until(async () => {
      const answer = await call(baseUrl, 'GET', '/healthz', { timeoutMs: 5_000 });
      return answer.status === 200 ? answer : undefined;
    }, '/healthz to answer 200 again', 60_000, 100);
    const healthyAt = Date.now();
    expect(service.running(), 'the start must not exit over one crash').toBe(true);
    const newPid = await devServerPid(service);
    expect(newPid).not.toBe(pid);
    expect(alive(newPid)).toBe(true);
    expect(healthyAt - killedAt, 'the dev server back within a few seconds').toBeLessThan(BACK_WITHIN_MS);

    // Temporal is down from the kill on. The dev server itself may be back already (its first restart comes after 1 s).
    expect(readyDown.status).toBe(503);
    const down = readyDown.body as { down: { part: string; since: string; cause: string | null }[]; parts: Record<string, { status: string; since: string; restarts: number }> };
    const temporalDown = down.down.find((part) => part.part === 'temporal');
    expect(temporalDown, JSON.stringify(down)).toBeDefined();
    expect(Math.abs(Date.parse(temporalDown!.since) - killedAt), JSON.stringify(down)).toBeLessThan(1_000);
    const devServer = down.parts.temporalDevServer!;
    if (devServer.status === 'down') expect(down.down.find((part) => part.part === 'temporalDevServer')?.cause).toMatch(/was killed by SIGKILL/);
    else expect(devServer.restarts).toBe(1);
    expect(page).toMatch(/class="outage" role="alert"/);
    expect(page).toContain('工作流引擎（Temporal）');

    // The acknowledgment asked during the outage: taken at once (PostgreSQL decides it) or refused with 503 and
    // Retry-After, then taken when asked again with its key. Recorded once either way.
    const duringAnswer = await during;
    expect([200, 503], JSON.stringify(duringAnswer.body)).toContain(duringAnswer.status);
    if (duringAnswer.status === 503) {
      const retried = await call(baseUrl, 'POST', `/api/tasks/${acked.id}/acknowledge`, { key: d05, body: { by: '赵六' }, headers: { 'Idempotency-Key': idempotencyKey } });
      expect(retried.status).toBe(200);
    }

    // Every step of the silent task once: the reminder (before the kill), the supervisor (fell due during the
    // outage) and the coordinating office; nothing for the acknowledged one after its acknowledgment.
    const isStep = (m: CaughtMessage) => ['reminder', 'escalation'].includes(m.headers['x-notice-type'] ?? '');
    const [firstEscalation] = await mail.waitFor((m) => isStep(m) && m.headers['x-task-id'] === silent.id && stepOf(m).endsWith('.L1'), 1, 60_000);
    await mail.waitFor((m) => isStep(m) && m.headers['x-task-id'] === silent.id && stepOf(m).endsWith('.L2'), 1, 60_000);
    await sleep(4_000); // nothing more may come
    const steps = mail.messages.filter((m) => isStep(m) && tasks.some((t) => t.id === m.headers['x-task-id'])).map(stepOf);
    expect(steps.filter((step) => step.startsWith(silent.id)).sort()).toEqual([`${silent.id}.escalation.L1`, `${silent.id}.escalation.L2`, `${silent.id}.reminder`]);
    expect(steps.filter((step) => step.startsWith(acked.id) && step.includes('escalation'))).toEqual([]);
    expect(new Set(steps).size).toBe(steps.length);

    // No acknowledgment lost, none applied twice; nothing dispatched twice.
    expect((await db.prisma.task.findUniqueOrThrow({ where: { id: acked.id } })).status).toBe('acknowledged');
    expect(await db.prisma.event.count({ where: { taskId: acked.id, type: 'acknowledged' } })).toBe(1);
    expect(await db.prisma.event.count({ where: { listingId, type: 'task-dispatched' } })).toBe(2);
    expect(mail.messages.filter((m) => m.headers['x-notice-type'] === 'notice' && tasks.some((t) => t.id === m.headers['x-task-id']))).toHaveLength(2);

    // The operator's view afterwards: the restart logged with its cause, counted in /metrics, /readyz up.
    const output = await service.output();
    expect(output).toMatch(/Temporal dev server was killed by SIGKILL: starting it again in 1 s/);
    const metrics = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } }).then((response) => response.text());
    expect(metrics).toMatch(/^sanctions_child_restarts_total\{part="temporalDevServer"\} 1$/m);
    expect(metrics).toMatch(/^sanctions_dependency_up\{part="temporal"\} 1$/m);
    const ready = await call(baseUrl, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.parts.temporalDevServer).toMatchObject({ status: 'up', restarts: 1 });
    expect(await fetch(`${baseUrl}/login`).then((response) => response.text())).not.toMatch(/class="outage"/);

    log(
      `killed ${due - killedAt} ms before the deadline; /healthz 200 again ${healthyAt - killedAt} ms after the kill (${healthy.ms.toFixed(0)} ms call); ` +
        `first escalation delivered ${firstEscalation!.receivedAt.getTime() - killedAt} ms after the kill (${firstEscalation!.receivedAt.getTime() - due} ms after it fell due); ` +
        `acknowledgment during the outage: ${duringAnswer.status} after ${duringAnswer.ms.toFixed(0)} ms`,
    );
    // A clean stop: SIGTERM to the coordinator's own process (the group's leader is npx, which does not wait for it).
    const coordinatorPid = Number(/"pid":(\d+)/.exec(output)![1]);
    process.kill(coordinatorPid, 'SIGTERM');
    await until(() => !alive(coordinatorPid), 'the coordinator to stop', 40_000, 100);
    expect((await service.output()).slice(-4_000)).toMatch(/"exitCode":0,"msg":"stopped \(exit code 0\)"/);
    await stopService(service);
  });

  it('ends the start with a non-zero exit and a message when the dev server fails to start again and again', { timeout: 300_000 }, async () => {
    // The real CLI until a flag file appears; from then on it fails at once, as on a damaged data file.
    const flag = path.join(dir, 'break-temporal');
    const wrapper = path.join(dir, 'temporal-wrapper.sh');
    await writeFile(wrapper, `#!/bin/sh\nif [ -e '${flag}' ]; then echo 'temporal: cannot open the database file (injected failure)' >&2; exit 1; fi\nexec '${realCli}' "$@"\n`);
    await chmod(wrapper, 0o755);
    const { service } = await startAllInOne('failing', { TEMPORAL_CLI: wrapper });
    const pid = await devServerPid(service);

    await writeFile(flag, '');
    const killedAt = await killDevServer(pid);
    const timer = setTimeout(() => service.kill('SIGKILL'), 150_000);
    const { code } = await service.exited;
    clearTimeout(timer);
    const exitedAt = Date.now();
    const output = await service.output();

    expect(code, output).toBe(1);
    expect(output).toMatch(/the Temporal dev server failed 5 times within 5 minutes \(last: restart 4 failed: Temporal dev server did not become ready: the server process exited with code 1\); giving up\. Its log is \S+server\.log\./);
    // Each attempt after a longer wait: 1, 2, 4 and 8 s.
    for (const seconds of [1, 2, 4, 8]) expect(output).toContain(`starting it again in ${seconds} s`);
    expect(output).not.toContain('starting it again in 16 s');
    log(`gave up and exited with ${code} ${exitedAt - killedAt} ms after the kill`);
  });
});
