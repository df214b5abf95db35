// A department's webhook receiver is down (connection refused), then answers
// 500, then 200; and the worker process is killed outright (SIGKILL) while
// deliveries are pending, then started again. Every change of the
// department's feed since the subscription must reach the receiver with a
// 2xx answer, the first such receipt of each in feed order, each attempt of a
// change under the same X-Delivery-Id and signed with the subscription's
// secret; the deliveries endpoint shows them failing, then delivered.
import './quiet-sdk.js';
import { createHmac, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { defaultPolicy } from '../../domain/policy.js';
import { createPrismaClient, type DatabaseClient } from '../../db/client.js';
import { loadCatalog } from '../../db/seed-catalog.js';
import { createTestDatabase, type TestDatabase } from '../../db/test-database.js';
import { createLogger } from '../../platform/logger.js';
import { startSystem, type RunningSystem } from '../../main/compose.js';
import { testSettings } from '../support/settings.js';
import { relayScheduleIdOf, webhookWorkflowIdOf } from '../../workflows/workflow-id.js';
import { MailCatcher } from '../../dev/mail-catcher.js';
import { createApiKeyService } from '../../app/api-keys.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { creditCode, entityListing, individualListing, residentId } from '../support/fixtures.js';
import { call, freePort, inBatches, sleep, startService, stopService, tempDir, until, type ServiceProcess } from './harness.js';

const DEPARTMENT = 'D05';
/** How long the receiver holds each 200 answer: deliveries queue up, and the kill can cut one in flight. */
const ANSWER_DELAY_MS = 200;
/** Refused attempts, then 500 answers, seen before the receiver recovers (the backoff doubles from 1 s). */
const REFUSED_ATTEMPTS = 2;
const ERROR_ANSWERS = 2;
/** Changes accepted before the kill. */
const DELIVERED_BEFORE_KILL = 8;

const catalog = twoDepartmentCatalog();
const taskQueue = `faults-webhook-${randomUUID()}`;
const temporalAddress = inject('temporalAddress');

interface FeedItem {
  seq: number;
  type: string;
  idNumber: string;
  name: string;
  measures: string[];
  listingId: string;
  at: string;
}

interface DeliveryRow {
  deliveryId: string;
  seq: number;
  status: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: string | null;
}

/** One request the receiver got. */
interface Receipt {
  arrivedAt: number;
  deliveryId: string;
  timestamp: string;
  signature: string;
  body: string;
  seq: number;
  /** What the receiver answered: 500, or 200 (0 while it holds the answer). */
  status: number;
  /** Whether the answer went out on a connection still open (false: the sender was gone). */
  answered: boolean;
}

type Mode = 'error' | 'ok';

/** The department system's receiver, on a fixed port; nothing listens there until it starts. */
class Receiver {
  readonly receipts: Receipt[] = [];
  readonly held = new Set<Receipt>();
  mode: Mode = 'error';
  private server: Server | undefined;

  constructor(readonly port: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/sanctions`;
  }

  async start(mode: Mode): Promise<void> {
    this.mode = mode;
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      let closed = false;
      res.once('close', () => {
        closed = true;
      });
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let seq = Number.NaN;
        try {
          seq = Number(JSON.parse(body).seq);
        } catch {
          // recorded as it came; the assertions catch it
        }
        const receipt: Receipt = {
          arrivedAt: Date.now(),
          deliveryId: String(req.headers['x-delivery-id'] ?? ''),
          timestamp: String(req.headers['x-timestamp'] ?? ''),
          signature: String(req.headers['x-signature'] ?? ''),
          body,
          seq,
          status: 0,
          answered: false,
        };
        this.receipts.push(receipt);
        if (this.mode === 'error') {
          receipt.status = 500;
          receipt.answered = true;
          res.writeHead(500, { 'content-type': 'text/plain' }).end('try again later');
          return;
        }
        this.held.add(receipt);
        setTimeout(() => {
          this.held.delete(receipt);
          receipt.status = 200;
          receipt.answered = !closed && !res.destroyed && !req.socket.destroyed;
          if (receipt.answered) res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        }, ANSWER_DELAY_MS);
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  /** Receipts answered 2xx on an open connection: what the sender may have counted as accepted. */
  accepted(): Receipt[] {
    return this.receipts.filter((receipt) => receipt.status >= 200 && receipt.status < 300 && receipt.answered);
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

let database: TestDatabase;
let db: DatabaseClient;
let mail: MailCatcher;
let system: RunningSystem;
let connection: Connection;
let temporal: Client;
let logDir: string;
let receiver: Receiver;
let departmentKey: string | undefined;
let webhookId: string | undefined;
const workers: ServiceProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  db = createPrismaClient({ url: database.url, poolSize: 5 });
  await loadCatalog(db.prisma, catalog);
  mail = await new MailCatcher().start();
  // The kill may cut an SMTP connection in the middle of a notice: counted by the worker-killed test, ignored here.
  (mail as unknown as { server: { on(event: 'error', listener: (error: Error) => void): void } }).server.on('error', () => undefined);
  logDir = await tempDir('webhook-delivery');
  receiver = new Receiver(await freePort());
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
  temporal = new Client({ connection, namespace: 'default' });
});

afterAll(async () => {
  // Deleting the subscription ends its workflow at its next look; one left running without a worker is ended here.
  if (webhookId && departmentKey && system?.url) await call(system.url, 'DELETE', `/api/webhooks/${webhookId}`, { key: departmentKey }).catch(() => undefined);
  for (const worker of workers) await stopService(worker);
  if (webhookId && temporal) {
    const handle = temporal.workflow.getHandle(webhookWorkflowIdOf(webhookId));
    const running = await handle
      .describe()
      .then((description) => description.status.name === 'RUNNING')
      .catch(() => false);
    if (running) await handle.terminate('test over').catch(() => undefined);
  }
  await temporal?.schedule.getHandle(relayScheduleIdOf(taskQueue)).delete().catch(() => undefined);
  await system?.stop();
  await connection?.close();
  await receiver?.stop();
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

/** Listing bodies with distinct debtors, entities (with a legal representative) and individuals alternately. */
function listingBodies(from: number, count: number) {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    const caseNumber = `（2026）宁01执${7000 + n}号`;
    return n % 2 === 0
      ? entityListing({ caseNumber, debtor: { kind: 'entity', name: `宁夏某某${n}号有限公司`, idNumber: creditCode(n + 1), legalRepresentative: { name: '张三', idNumber: residentId('19700101', n) } } })
      : individualListing({ caseNumber, debtor: { kind: 'individual', name: `李四${n}`, idNumber: residentId('19850101', n) } });
  });
}

describe('webhook deliveries through a receiver outage, 500s and a killed worker', () => {
  it('delivers every change at least once, first in feed order, under stable delivery ids, signed', { timeout: 240_000 }, async () => {
    onTestFailed(async () => {
      for (const service of workers) console.log(`--- output of process ${service.pid} ---\n${(await service.output()).slice(-4_000)}`);
      console.log(`--- receipts ---\n${receiver.receipts.map((r) => `${new Date(r.arrivedAt).toISOString()} ${r.deliveryId} seq=${r.seq} status=${r.status} answered=${r.answered}`).join('\n')}`);
    });
    const started = Date.now();
    const apiUrl = system.url!;
    const keys = createApiKeyService(db.prisma);
    const { key: clerk } = await keys.create({ name: 'clerk', role: 'clerk', courtCode: 'NX-YC-01' });
    departmentKey = (await keys.create({ name: 'd05-system', role: 'department', departmentCode: DEPARTMENT })).key;
    const dept = departmentKey;

    let nextListing = 0;
    const listingIds: string[] = [];
    async function postListings(count: number): Promise<string[]> {
      const bodies = listingBodies(nextListing, count);
      nextListing += count;
      const answers = await inBatches(bodies, 4, (body) => call(apiUrl, 'POST', '/api/listings', { key: clerk, body }));
      expect(answers.map((answer) => answer.status)).toEqual(bodies.map(() => 201));
      const ids = answers.map((answer) => answer.body.id as string);
      listingIds.push(...ids);
      return ids;
    }
    let lifts = 0;
    async function lift(listingId: string, how: 'performance' | 'revocation'): Promise<void> {
      const body = how === 'performance' ? { note: '已全部履行' } : { reason: '申请执行人撤回申请' };
      const answer = await call(apiUrl, 'POST', `/api/listings/${listingId}/${how}`, { key: clerk, body });
      expect(answer.status, JSON.stringify(answer.body)).toBe(202);
      lifts++;
    }
    async function feed(): Promise<FeedItem[]> {
      const answer = await call(apiUrl, 'GET', '/api/restrictions/changes?after=0&limit=1000', { key: dept });
      expect(answer.status).toBe(200);
      return answer.body.items as FeedItem[];
    }
    async function deliveries(): Promise<DeliveryRow[]> {
      const answer = await call(apiUrl, 'GET', `/api/webhooks/${webhookId}/deliveries`, { key: dept });
      expect(answer.status).toBe(200);
      return answer.body as DeliveryRow[];
    }

    // A change before the subscription: not the subscriber's.
    await postListings(1);
    const before = await feed();
    expect(before.length).toBeGreaterThan(0);
    const startedAfter = Math.max(...before.map((item) => item.seq));

    // The worker starts (it bundles the workflow code) while the subscription is made.
    let worker = await startWorker();
    const created = await call(apiUrl, 'POST', '/api/webhooks', { key: dept, body: { url: receiver.url, description: 'fault test receiver' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(String), secret: expect.any(String), url: receiver.url, departmentCode: DEPARTMENT });
    webhookId = created.body.id as string;
    const secret = created.body.secret as string;

    // Phase 1: nothing listens on the receiver's port.
    await postListings(4);
    const refused = await until(
      async () => {
        if (!worker.running()) throw new Error(`the worker exited:\n${await worker.output()}`);
        const row = (await deliveries()).find((d) => d.status === 'failing' && d.attempts >= REFUSED_ATTEMPTS);
        return row ?? null;
      },
      `${REFUSED_ATTEMPTS} refused attempts shown failing`,
      120_000,
      200,
    );
    expect(refused).toMatchObject({ seq: startedAfter + 1, deliveryId: `${webhookId}.${startedAfter + 1}`, lastStatus: null, deliveredAt: null });
    expect(refused.lastError).toMatch(/ECONNREFUSED/);
    expect(receiver.receipts).toHaveLength(0);
    const refusedAttempts = refused.attempts;

    // Phase 2: the receiver answers 500.
    await receiver.start('error');
    const failing500 = await until(
      async () => {
        const row = (await deliveries()).find((d) => d.status === 'failing' && d.lastStatus === 500);
        return receiver.receipts.length >= ERROR_ANSWERS && row ? row : null;
      },
      `${ERROR_ANSWERS} answers of 500 shown failing`,
      60_000,
      200,
    );
    expect(failing500).toMatchObject({ seq: startedAfter + 1, deliveryId: `${webhookId}.${startedAfter + 1}`, deliveredAt: null });
    expect(failing500.lastError).toMatch(/500/);
    const errorReceipts = [...receiver.receipts];
    expect(new Set(errorReceipts.map((r) => r.deliveryId))).toEqual(new Set([`${webhookId}.${startedAfter + 1}`]));

    // Phase 3: it answers 200 (each after a short while); more listings and some lifts come in.
    receiver.mode = 'ok';
    const okFrom = Date.now();
    await postListings(16);
    await lift(listingIds[1]!, 'performance');
    await lift(listingIds[2]!, 'revocation');
    await lift(listingIds[3]!, 'performance');

    // The worker is killed while it waits for the receiver's answer to a delivery, with more pending.
    let acceptedAtKill = 0;
    const cut = await until(
      () => {
        if (receiver.accepted().length < DELIVERED_BEFORE_KILL || receiver.held.size === 0) return null;
        worker.kill('SIGKILL');
        acceptedAtKill = receiver.accepted().length;
        return [...receiver.held][0]!;
      },
      `${DELIVERED_BEFORE_KILL} deliveries accepted and one in flight`,
      90_000,
      5,
    );
    const killedAt = Date.now();
    await worker.exited;
    const feedAtKill = await feed();
    const pendingAtKill = feedAtKill.filter((item) => item.seq > cut.seq).length;
    expect(pendingAtKill, 'changes still to deliver when the worker was killed').toBeGreaterThan(0);

    // Changes keep coming while no worker runs.
    await postListings(4);
    await sleep(2_000);
    const restartedAt = Date.now();
    worker = await startWorker();
    const firstAfterRestart = await until(() => receiver.receipts.find((r) => r.arrivedAt > killedAt), 'a delivery after the restart', 120_000, 50);
    const firstAfterRestartAt = firstAfterRestart.arrivedAt;
    // The change cut by the kill comes again first, under the same delivery id.
    expect(firstAfterRestart.deliveryId).toBe(cut.deliveryId);

    // And after the restart, more changes, lifts among them.
    await lift(listingIds[6]!, 'revocation');
    await lift(listingIds[9]!, 'performance');
    await postListings(2);

    const expected = await until(
      async () => {
        if (!worker.running()) throw new Error(`the restarted worker exited:\n${await worker.output()}`);
        const items = (await feed()).filter((item) => item.seq > startedAfter);
        const accepted = new Set(receiver.accepted().map((r) => r.seq));
        if (!items.every((item) => accepted.has(item.seq))) return null;
        const rows = await deliveries();
        return items.every((item) => rows.some((row) => row.seq === item.seq && row.status === 'delivered')) ? items : null;
      },
      'every change since the subscription accepted by the receiver and shown delivered',
      120_000,
      250,
    );
    const allDeliveredAt = Date.now();
    // Late repeats would show up here.
    await sleep(1_000);

    // What the feed holds since the subscription: every listing imposed, every lift lifted (each involves D05 here).
    expect(expected.filter((item) => item.type === 'imposed')).toHaveLength(listingIds.length - 1);
    expect(expected.filter((item) => item.type === 'lifted')).toHaveLength(lifts);
    const bySeq = new Map(expected.map((item) => [item.seq, item]));
    const expectedSeqs = expected.map((item) => item.seq);
    expect(expectedSeqs).toEqual([...expectedSeqs].sort((a, b) => a - b));

    // Every request: a change since the subscription, under its stable delivery id, signed, timestamped, with the feed's content.
    const receipts = receiver.receipts;
    for (const receipt of receipts) {
      const item = bySeq.get(receipt.seq);
      expect(item, `receipt of seq ${receipt.seq} (${receipt.deliveryId}) is a change since the subscription`).toBeDefined();
      expect(receipt.deliveryId).toBe(`${webhookId}.${receipt.seq}`);
      expect(receipt.signature).toBe(`sha256=${createHmac('sha256', secret).update(receipt.body).digest('hex')}`);
      expect(receipt.timestamp).toMatch(/^\d+$/);
      expect(Number(receipt.timestamp)).toBeGreaterThan(receipt.arrivedAt / 1000 - 120);
      expect(Number(receipt.timestamp)).toBeLessThanOrEqual(Math.ceil(receipt.arrivedAt / 1000) + 1);
      expect(JSON.parse(receipt.body)).toEqual(item);
    }
    // One delivery id per change, however many times it was sent.
    const idsBySeq = new Map<number, Set<string>>();
    for (const receipt of receipts) idsBySeq.set(receipt.seq, (idsBySeq.get(receipt.seq) ?? new Set()).add(receipt.deliveryId));
    for (const ids of idsBySeq.values()) expect(ids.size).toBe(1);

    // Accepted at least once each, the first acceptances in feed order; nothing sent before the change ahead of it was accepted.
    const accepted = receiver.accepted();
    const firstAcceptance: number[] = [];
    const seen = new Set<number>();
    for (const receipt of accepted) {
      if (!seen.has(receipt.seq)) firstAcceptance.push(receipt.seq);
      seen.add(receipt.seq);
    }
    expect(firstAcceptance).toEqual(expectedSeqs);
    const acceptedSoFar = new Set<number>();
    for (const receipt of receipts) {
      const ahead = expectedSeqs.filter((seq) => seq < receipt.seq);
      expect(ahead.filter((seq) => !acceptedSoFar.has(seq)), `changes not yet accepted when ${receipt.deliveryId} was sent`).toEqual([]);
      if (receipt.status >= 200 && receipt.status < 300 && receipt.answered) acceptedSoFar.add(receipt.seq);
    }

    // The deliveries endpoint: each change delivered under its id, its attempts counted (the first one's refusals and 500s too).
    const rows = await deliveries();
    expect(rows.map((row) => row.seq).sort((a, b) => a - b)).toEqual(expectedSeqs);
    for (const row of rows) {
      expect(row).toMatchObject({ deliveryId: `${webhookId}.${row.seq}`, status: 'delivered', lastError: null, deliveredAt: expect.any(String) });
      expect(row.attempts).toBeGreaterThanOrEqual(receipts.filter((r) => r.seq === row.seq).length);
    }
    const firstRow = rows.find((row) => row.seq === startedAfter + 1)!;
    expect(firstRow.attempts).toBeGreaterThanOrEqual(refusedAttempts + errorReceipts.length + 1);

    const duplicates = accepted.length - seen.size;
    const cutAnswers = receipts.filter((r) => r.status === 200 && !r.answered).length;
    console.log(
      `[webhook-delivery] changes=${expected.length} (${expected.length - lifts} imposed, ${lifts} lifted; 1 before the subscription not sent); ` +
        `attempts: refused ${refusedAttempts} (last error "${refused.lastError}"), answered 500 ${errorReceipts.length}, ` +
        `requests received ${receipts.length}, accepted 2xx ${accepted.length}, duplicates ${duplicates}, answers cut by the kill ${cutAnswers}; ` +
        `first 2xx ${(accepted[0]!.arrivedAt - okFrom)} ms after the receiver recovered; ` +
        `worker killed after ${acceptedAtKill} accepted with ${cut.deliveryId} in flight and ${pendingAtKill} more pending; ` +
        `first delivery ${firstAfterRestartAt - killedAt} ms after the kill (${firstAfterRestartAt - restartedAt} ms after the restart), ` +
        `all delivered ${allDeliveredAt - restartedAt} ms after the restart; first change's attempts ${firstRow.attempts}; total ${Date.now() - started} ms`,
    );
  });
});
