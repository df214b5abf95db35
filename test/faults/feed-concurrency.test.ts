// The restriction change feed under concurrent writers: two API processes
// (same database, same task queue) record listings and lifts at the same
// time while readers page the feed with a small limit, alternating between
// the two processes. Each reader that follows nextCursor must see every
// change exactly once, in increasing seq order, with no gap (seq = 1..N), and
// what it saw must be exactly the RestrictionChange table.
import './quiet-sdk.js';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { defaultCatalog, parseCatalog } from '../../domain/catalog.js';
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
import { call, freePort, inBatches, sleep, startService, stopService, tempDir, until, type Answer, type ServiceProcess } from './harness.js';

const LISTINGS = 60;
/** Listings lifted right after their 201 (every other pair: both APIs lift, through the other process). */
const lifted = (n: number) => Math.floor(n / 2) % 2 === 0;
const LIFTS = Array.from({ length: LISTINGS }, (_, n) => n).filter(lifted).length;
/** Writes in flight per API process. */
const WRITERS_PER_API = 8;
const PAGE = 7;
/** The key db/restrictions.ts takes its advisory lock on, as pg_locks shows it (classid 0, objid, objsubid 1). */
const FEED_LOCK_OBJID = 0x6a73_6366;

// The two-department catalog gives a legal representative no measure; one is
// added (for D06 only) so that each entity listing restricts two subjects,
// and D05's feed holds the debtors' changes only.
const legalRepMeasure = defaultCatalog.measures.find((measure) => measure.code === 'M09')!;
const base = twoDepartmentCatalog();
const catalog = parseCatalog({ ...base, measures: [...base.measures, { ...legalRepMeasure, departments: ['D06'] }] });
const d05Measures = catalog.measures.filter((measure) => measure.departments.includes('D05')).map((measure) => measure.code);

const adminKey = `jsc_admin_${randomUUID().replaceAll('-', '')}`;
const taskQueue = `faults-feed-${randomUUID()}`;
const temporalAddress = inject('temporalAddress');

let database: TestDatabase;
let db: DatabaseClient;
let mail: MailCatcher;
let worker: RunningSystem;
let connection: Connection;
let temporal: Client;
let logDir: string;
const apis: ServiceProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  db = createPrismaClient({ url: database.url, poolSize: 5 });
  await loadCatalog(db.prisma, catalog);
  mail = await new MailCatcher().start();
  logDir = await tempDir('feed-concurrency');
  worker = await startSystem(
    { database: db, temporalAddress, smtpUrl: mail.url },
    {
      settings: testSettings({ TEMPORAL_TASK_QUEUE: taskQueue, MAIL_FROM: '联合惩戒协同平台 <no-reply@sanctions.example>', ACK_TOKEN_SECRET: 'fault-test-secret' }),
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

async function startApi(name: string): Promise<string> {
  const port = await freePort();
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
    name,
  );
  apis.push(api);
  const url = `http://127.0.0.1:${port}`;
  await until(async () => {
    if (!api.running()) throw new Error(`the API exited:\n${await api.output()}`);
    return (await call(url, 'GET', '/healthz', { timeoutMs: 2_000 })).status === 200;
  }, `${name} to answer /healthz`, 60_000, 200);
  return url;
}

interface Change {
  seq: number;
  type: string;
  idNumber: string;
  name: string;
  measures: string[];
  listingId: string;
  at: string;
}

interface Reader {
  seen: Change[];
  pages: number;
  pagesWhileWriting: number;
  failures: string[];
  done: Promise<void>;
}

/**
 * A department system following the feed: pages of PAGE after its cursor,
 * each page from the next API process, polling when it has caught up. It
 * stops at the first empty page asked for after the writers are done.
 */
function follow(key: string, urls: string[], writing: () => boolean): Reader {
  const reader: Reader = { seen: [], pages: 0, pagesWhileWriting: 0, failures: [], done: Promise.resolve() };
  reader.done = (async () => {
    let cursor = '0';
    for (;;) {
      const stillWriting = writing();
      const page: Answer = await call(urls[reader.pages % urls.length]!, 'GET', `/api/restrictions/changes?after=${cursor}&limit=${PAGE}`, { key });
      reader.pages++;
      if (stillWriting) reader.pagesWhileWriting++;
      if (page.status !== 200) {
        reader.failures.push(`after=${cursor}: ${page.status} ${page.error ?? JSON.stringify(page.body)}`);
        return;
      }
      const items = page.body.items as Change[];
      if (items.length > PAGE) reader.failures.push(`after=${cursor}: ${items.length} items for limit ${PAGE}`);
      const expectedCursor = items.length > 0 ? String(items.at(-1)!.seq) : cursor;
      if (page.body.nextCursor !== expectedCursor) reader.failures.push(`after=${cursor}: nextCursor ${page.body.nextCursor}, expected ${expectedCursor}`);
      reader.seen.push(...items);
      cursor = page.body.nextCursor;
      if (items.length === 0 && !stillWriting) return;
      if (items.length < PAGE) await sleep(10);
    }
  })();
  return reader;
}

const sequence = (n: number) => Array.from({ length: n }, (_, index) => index + 1);

describe('the restriction change feed under concurrent writers in two API processes', () => {
  it('gives a reader following nextCursor every change exactly once, in seq order, without a gap', { timeout: 150_000 }, async () => {
    onTestFailed(async () => {
      for (const service of apis) console.log(`--- output of process ${service.pid} ---\n${(await service.output()).slice(-4_000)}`);
    });
    expect(catalog.measures.some((measure) => measure.applies_to.includes('legal_representative'))).toBe(true);
    // One after the other: both would otherwise race to record the same bootstrap admin key.
    const first = await startApi('api-1');
    const second = await startApi('api-2');
    const urls = [first, second];
    const keyFor = async (body: Record<string, string>) => {
      const answer = await call(first, 'POST', '/api/api-keys', { key: adminKey, body });
      expect(answer.status).toBe(201);
      return answer.body.key as string;
    };
    const clerk = await keyFor({ name: 'clerk', role: 'clerk', courtCode: 'NX-YC-01' });
    const supervisor = await keyFor({ name: 'supervisor', role: 'supervisor' });
    const d05 = await keyFor({ name: 'D05 system', role: 'department', departmentCode: 'D05' });

    const bodies = Array.from({ length: LISTINGS }, (_, n) =>
      entityListing({
        caseNumber: `（2026）宁01执${8000 + n}号`,
        debtor: { kind: 'entity', name: `宁夏某某${n}号有限公司`, idNumber: creditCode(3000 + n), legalRepresentative: { name: '张三', idNumber: residentId('19700101', n) } },
      }),
    );

    // Who holds or waits for the feed's lock, sampled while the writers run.
    let writing = true;
    let maxLockQueue = 0;
    const sampler = (async () => {
      while (writing) {
        const [{ count }] = await db.prisma.$queryRaw<[{ count: number }]>`
          SELECT count(*)::int AS count FROM pg_locks
          WHERE locktype = 'advisory' AND classid = 0 AND objid = ${FEED_LOCK_OBJID}::bigint::oid AND objsubid = 1
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
        maxLockQueue = Math.max(maxLockQueue, count);
        await sleep(5);
      }
    })();

    const readers = { supervisor: follow(supervisor, urls, () => writing), d05: follow(d05, urls, () => writing) };

    let inFlight = 0;
    let maxInFlight = 0;
    const write = async (url: string, path: string, body: unknown): Promise<Answer> => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        return await call(url, 'POST', path, { key: clerk, body, timeoutMs: 60_000 });
      } finally {
        inFlight--;
      }
    };
    const listingAnswers: Answer[] = new Array(LISTINGS);
    const liftAnswers = new Map<number, Answer>();
    const started = Date.now();
    try {
      await Promise.all(
        [0, 1].map((side) =>
          inBatches(
            bodies.map((_, n) => n).filter((n) => n % 2 === side),
            WRITERS_PER_API,
            async (n) => {
              const listed = (listingAnswers[n] = await write(urls[side]!, '/api/listings', bodies[n]));
              if (listed.status !== 201 || !lifted(n)) return;
              // Lifted through the other process, right away: the lift waits for the workflow.
              const path = `/api/listings/${listed.body.id}/${n % 4 === 0 ? 'performance' : 'revocation'}`;
              liftAnswers.set(n, await write(urls[1 - side]!, path, n % 4 === 0 ? { note: '已全部履行' } : { reason: '据以执行的依据被撤销' }));
            },
          ),
        ),
      );
    } finally {
      writing = false;
    }
    const writtenMs = Date.now() - started;
    await sampler;
    await Promise.all([readers.supervisor.done, readers.d05.done]);

    // Every write answered as it should: each listing recorded once, each lift accepted.
    expect(listingAnswers.map((answer) => answer.status)).toEqual(bodies.map(() => 201));
    expect([...liftAnswers.values()].map((answer) => `${answer.status} ${answer.body?.accepted}`)).toEqual(Array.from({ length: LIFTS }, () => '202 true'));
    expect(readers.supervisor.failures).toEqual([]);
    expect(readers.d05.failures).toEqual([]);
    expect(maxInFlight).toBeGreaterThanOrEqual(WRITERS_PER_API);

    // The table: two 'imposed' rows per listing, two 'lifted' rows per lift, numbered 1..N.
    const rows = await db.prisma.restrictionChange.findMany({ orderBy: { seq: 'asc' } });
    const expectedChanges = LISTINGS * 2 + LIFTS * 2;
    expect(rows.filter((row) => row.type === 'imposed')).toHaveLength(LISTINGS * 2);
    expect(rows.filter((row) => row.type === 'lifted')).toHaveLength(LIFTS * 2);
    expect(rows).toHaveLength(expectedChanges);
    expect(rows.map((row) => Number(row.seq))).toEqual(sequence(expectedChanges));
    const ids = listingAnswers.map((answer) => answer.body.id as string);
    for (const [n, id] of ids.entries()) {
      const ofListing = rows.filter((row) => row.listingId === id);
      const imposed = ofListing.filter((row) => row.type === 'imposed');
      const liftedRows = ofListing.filter((row) => row.type === 'lifted');
      expect(imposed.map((row) => `${row.role} ${row.idNumber}`).sort()).toEqual([`debtor ${creditCode(3000 + n)}`, `legal-representative ${residentId('19700101', n)}`]);
      expect(liftedRows).toHaveLength(lifted(n) ? 2 : 0);
      for (const lift of liftedRows) for (const imposition of imposed) expect(lift.seq).toBeGreaterThan(imposition.seq);
    }

    // The supervisor's reader saw exactly the table: each change once, in seq order, seq 1..N.
    const asSeen = (row: (typeof rows)[number], measures = row.measures): Change => ({
      seq: Number(row.seq),
      type: row.type,
      idNumber: row.idNumber,
      name: row.name,
      measures,
      listingId: row.listingId,
      at: row.at.toISOString(),
    });
    expect(readers.supervisor.seen.map((change) => change.seq)).toEqual(sequence(expectedChanges));
    expect(readers.supervisor.seen).toEqual(rows.map((row) => asSeen(row)));

    // D05's reader saw exactly the changes of its measures (the debtors'), once each, in seq order, with its measures only.
    const ofD05 = rows.filter((row) => row.departmentCodes.includes('D05'));
    expect(ofD05).toHaveLength(LISTINGS + LIFTS);
    expect(readers.d05.seen).toEqual(ofD05.map((row) => asSeen(row, row.measures.filter((measure) => d05Measures.includes(measure)))));
    expect(new Set(readers.d05.seen.map((change) => change.seq)).size).toBe(readers.d05.seen.length);

    console.log(
      `[feed-concurrency] ${LISTINGS} listings + ${LIFTS} lifts from 2 API processes in ${writtenMs} ms ` +
        `(max ${maxInFlight} writes in flight, max ${maxLockQueue} transactions holding or waiting for the feed lock); ` +
        `${rows.length} changes (seq 1..${rows.length}); supervisor reader: ${readers.supervisor.seen.length} changes in ${readers.supervisor.pages} pages of ≤${PAGE} ` +
        `(${readers.supervisor.pagesWhileWriting} while writing), D05 reader: ${readers.d05.seen.length} changes in ${readers.d05.pages} pages; no gap, no repeat`,
    );
  });
});
