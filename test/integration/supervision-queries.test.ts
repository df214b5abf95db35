// The supervisors' figures and overdue list on a read model written every way
// it is written: GET /api/supervision/stats from the tallies the triggers on
// "Task" keep, against the aggregate over every task it replaced; and the
// overdue list a page at a time.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { departmentStatsSql } from '../../app/supervision.js';
import { Prisma } from '../../prisma/generated/client.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { creditCode, entityListing } from '../support/fixtures.js';
import { acknowledgeAndComplete, departmentKeys, list, tasksOf } from '../support/listing-client.js';
import { calmPolicy } from '../support/policies.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
let clerk: string;
let supervisor: string;
let keyOf: (code: string) => Promise<string>;

beforeAll(async () => {
  stack = await startTestStack({ policy: calmPolicy, catalog: twoDepartmentCatalog() });
  clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  supervisor = await stack.key('supervisor');
  keyOf = departmentKeys(stack);
}, 180_000);
afterAll(async () => stack?.stop());

interface Figures {
  departmentCode: string;
  tasks: number;
  open: number;
  acknowledged: number;
  acknowledgedOnTime: number;
  completed: number;
  overdue: number;
  medianSecondsToAcknowledge: number | null;
}

/** What GET /api/supervision/stats computed before the tallies, over every task: the oracle. */
async function aggregateStats(): Promise<Figures[]> {
  const rows = await stack.prisma.$queryRaw<Figures[]>`
    SELECT d.code AS "departmentCode",
           count(t.id)::int AS tasks,
           count(t.id) FILTER (WHERE t."openDeadlineAt" IS NOT NULL)::int AS open,
           count(t."acknowledgedAt")::int AS acknowledged,
           count(t.id) FILTER (WHERE t."acknowledgedAt" <= t."acknowledgeDueAt")::int AS "acknowledgedOnTime",
           count(t."completedAt")::int AS completed,
           count(t.id) FILTER (WHERE t."openDeadlineAt" < ${new Date()})::int AS overdue,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (t."acknowledgedAt" - t."createdAt")))
             AS "medianSecondsToAcknowledge"
    FROM "Department" d
    LEFT JOIN "Task" t ON t."departmentCode" = d.code
    GROUP BY d.code, d."nameZh"
    ORDER BY d.code`;
  return rows.map((row) => ({ ...row, medianSecondsToAcknowledge: row.medianSecondsToAcknowledge === null ? null : Math.round(Number(row.medianSecondsToAcknowledge)) }));
}

/** The answer of GET /api/supervision/stats equals the oracle: counts exactly, the median to the second below 100 s and within 1% above. */
async function expectStatsEqualAggregate() {
  const answer = await stack.request('GET', '/api/supervision/stats', { key: supervisor });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  const oracle = await aggregateStats();
  const served = answer.body as Figures[];
  expect(served.map((row) => row.departmentCode)).toEqual(oracle.map((row) => row.departmentCode));
  const counts = (row: Figures) => ({ departmentCode: row.departmentCode, tasks: row.tasks, open: row.open, acknowledged: row.acknowledged, acknowledgedOnTime: row.acknowledgedOnTime, completed: row.completed, overdue: row.overdue });
  expect(served.map(counts)).toEqual(oracle.map(counts));
  for (const [index, expected] of oracle.entries()) {
    const median = served[index]!.medianSecondsToAcknowledge;
    if (expected.medianSecondsToAcknowledge === null) expect(median, expected.departmentCode).toBeNull();
    else expect(Math.abs(median! - expected.medianSecondsToAcknowledge), `${expected.departmentCode}: ${median} against ${expected.medianSecondsToAcknowledge}`).toBeLessThanOrEqual(expected.medianSecondsToAcknowledge < 100 ? 1 : expected.medianSecondsToAcknowledge * 0.01);
  }
  return served;
}

/** A listing to hang rows written straight to the read model on, listed once (its own tasks dispatched, so that nothing writes behind a test's back). */
let bulkListing: Promise<string> | undefined;
const listingForRows = () =>
  (bulkListing ??= (async () => {
    const listingId = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执9400号', debtor: { kind: 'entity', name: '批量公司', idNumber: creditCode(9400) } }));
    await tasksOf(stack, listingId, 'impose', 2);
    return listingId;
  })());

const post = async (path: string, key: string, body: unknown, status = 200) => {
  const answer = await stack.request('POST', path, { key, body });
  expect(answer.status, `${path}: ${JSON.stringify(answer.body)}`).toBe(status);
  return answer.body;
};

/** Rows written straight to the read model, as bulk SQL or a migration would: a task of `listingId` per row, in its own round. */
async function insertTasks(listingId: string, rows: { departmentCode: string; round: string; createdAt: Date; acknowledgedAt?: Date; acknowledgeDueAt: Date; completedAt?: Date; openDeadlineAt: Date | null }[]) {
  await stack.prisma.$executeRaw`
    INSERT INTO "Task" (id, "listingId", "departmentCode", kind, round, measures, status, "acknowledgeDueAt", "completeDueAt",
                        "openDeadlineAt", "acknowledgedAt", "completedAt", policy, "createdAt", "updatedAt")
    SELECT gen_random_uuid(), ${listingId}::uuid, r."departmentCode", 'impose', r.round, ARRAY['M01'],
           CASE WHEN r."completedAt" IS NOT NULL THEN 'completed' WHEN r."acknowledgedAt" IS NOT NULL THEN 'acknowledged' ELSE 'pending' END,
           r."acknowledgeDueAt", r."acknowledgeDueAt" + interval '3 days', r."openDeadlineAt", r."acknowledgedAt", r."completedAt", '{}', r."createdAt", now()
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r("departmentCode" text, round text, "createdAt" timestamp, "acknowledgedAt" timestamp,
                                                                 "acknowledgeDueAt" timestamp, "completedAt" timestamp, "openDeadlineAt" timestamp)`;
}

describe('GET /api/supervision/stats', () => {
  it('equals the aggregate over every task after dispatch, acknowledgments on time and late, completion, cancellation, lifting, reassignment, bulk writes and a bulk delete', async () => {
    await expectStatsEqualAggregate(); // nothing yet: every department at 0

    const listings = await Promise.all(
      [1, 2, 3].map((n) => list(stack, clerk, entityListing({ caseNumber: `（2026）宁01执93${n}号`, debtor: { kind: 'entity', name: `统计公司${n}`, idNumber: creditCode(9300 + n) } }))),
    );
    const impose = await Promise.all(listings.map((id) => tasksOf(stack, id, 'impose', 2)));
    const [one, two, three] = impose.map((tasks) => ({ d05: tasks.find((task) => task.departmentCode === 'D05')!, d06: tasks.find((task) => task.departmentCode === 'D06')! }));
    await expectStatsEqualAggregate();

    // Listing 1: both answered on time. Listing 2: D05 acknowledged, late (its deadline moved before the answer); D06 declines, D07 gets it.
    await acknowledgeAndComplete(stack, keyOf, [one!.d05, one!.d06]);
    await post(`/api/tasks/${two!.d05.id}/acknowledge`, await keyOf('D05'), { by: '经办人' });
    const late = await stack.prisma.task.findUniqueOrThrow({ where: { id: two!.d05.id } });
    await stack.prisma.task.update({ where: { id: late.id }, data: { acknowledgeDueAt: new Date(late.acknowledgedAt!.getTime() - 60_000) } });
    await post(`/api/tasks/${two!.d06.id}/decline`, await keyOf('D06'), { by: '经办人', reason: '非本部门职责' });
    await post(`/api/tasks/${two!.d06.id}/reassign`, supervisor, { departmentCode: 'D07', reason: '属D07职责' });
    await expectStatsEqualAggregate();

    // Listing 3 performed before anyone answered: its open tasks are cancelled and lift tasks dispatched; D05 answers its lift.
    await post(`/api/listings/${listings[2]}/performance`, clerk, { note: '已履行' }, 202);
    const lifts = await tasksOf(stack, listings[2]!, 'lift', 1);
    await acknowledgeAndComplete(stack, keyOf, lifts.filter((task) => task.departmentCode === 'D05'));
    expect((await stack.prisma.task.findUniqueOrThrow({ where: { id: three!.d05.id } })).openDeadlineAt).toBeNull();
    await expectStatsEqualAggregate();

    // Bulk SQL: acknowledgment times of whole seconds below 100 s at D05, of minutes to days at D06; some overdue, some acknowledged late.
    const base = Date.now() - 10 * 86_400_000;
    const at = (ms: number) => new Date(base + ms);
    await insertTasks(listings[0]!, [
      ...Array.from({ length: 41 }, (_, i) => ({ departmentCode: 'D05', round: `bulk-a-${i}`, createdAt: at(i * 1000), acknowledgedAt: at(i * 1000 + (i * 7 % 97) * 1000), acknowledgeDueAt: at(i * 1000 + 50_000), openDeadlineAt: at(5 * 86_400_000 + i) })),
      ...Array.from({ length: 60 }, (_, i) => ({ departmentCode: 'D06', round: `bulk-b-${i}`, createdAt: at(i * 1000), acknowledgedAt: at(i * 1000 + Math.round(120_000 * 1.13 ** i)), acknowledgeDueAt: at(86_400_000), completedAt: i % 3 === 0 ? at(20 * 86_400_000) : undefined, openDeadlineAt: i % 3 === 0 ? null : at(3 * 86_400_000 + i * 60_000) })),
      ...Array.from({ length: 30 }, (_, i) => ({ departmentCode: i % 2 ? 'D07' : 'D08', round: `bulk-c-${i}`, createdAt: at(0), acknowledgeDueAt: at(86_400_000), openDeadlineAt: i < 20 ? at(86_400_000 + i) : new Date(Date.now() + 86_400_000) })),
    ]);
    await expectStatsEqualAggregate();

    // Bulk UPDATE across departments (moved, acknowledged, completed) and a bulk DELETE.
    await stack.prisma.$executeRaw`UPDATE "Task" SET "departmentCode" = 'D08' WHERE round LIKE 'bulk-a-%' AND round < 'bulk-a-2'`;
    await stack.prisma.$executeRaw`UPDATE "Task" SET "acknowledgedAt" = "createdAt" + interval '42 seconds', "openDeadlineAt" = "completeDueAt" WHERE round LIKE 'bulk-c-%' AND "departmentCode" = 'D07'`;
    await stack.prisma.$executeRaw`UPDATE "Task" SET "completedAt" = now(), "openDeadlineAt" = NULL, status = 'completed' WHERE round LIKE 'bulk-b-%' AND "completedAt" IS NULL AND round > 'bulk-b-4'`;
    await stack.prisma.$executeRaw`DELETE FROM "Task" WHERE round LIKE 'bulk-%' AND (round LIKE '%1' OR round LIKE '%5')`;
    await expectStatsEqualAggregate();
  });

  it('folds the rows each statement appended into one per department, and still equals the aggregate', async () => {
    await insertTasks(await listingForRows(), [{ departmentCode: 'D06', round: 'fold', createdAt: new Date(), acknowledgeDueAt: new Date(Date.now() + 86_400_000), openDeadlineAt: null }]);
    const one = await stack.prisma.task.findFirstOrThrow({ where: { round: 'fold' } });
    // Each of these statements appends a row for D06 (open counted out and in again nets nothing, so move the deadline to null and back).
    for (let i = 0; i < 20; i++) await stack.prisma.task.update({ where: { id: one.id }, data: { openDeadlineAt: i % 2 === 0 ? null : new Date(Date.now() + 86_400_000) } });
    const before = (await stack.prisma.$queryRaw<{ rows: number }[]>`SELECT count(*)::int AS rows FROM "TaskTally" WHERE "departmentCode" = 'D06'`)[0]!.rows;
    expect(before).toBeGreaterThan(16);
    await expectStatsEqualAggregate(); // reads, then folds
    const after = await stack.prisma.$queryRaw<{ departmentCode: string; rows: number }[]>`SELECT "departmentCode", count(*)::int AS rows FROM "TaskTally" GROUP BY 1 HAVING count(*) > 1`;
    expect(after).toEqual([]);
    await expectStatsEqualAggregate();
  });

  it('reads no task row but the overdue ones: no sequential scan of "Task" in its plan, where the aggregate scans them all', async () => {
    // Enough tasks that scanning the table would cost what it costs at scale: many done, few overdue.
    const listingId = await listingForRows();
    const done = Array.from({ length: 5_000 }, (_, i) => ({ departmentCode: i % 2 ? 'D05' : 'D06', round: `plan-${i}`, createdAt: new Date(Date.now() - 86_400_000), acknowledgedAt: new Date(Date.now() - 86_000_000), acknowledgeDueAt: new Date(), completedAt: new Date(), openDeadlineAt: null }));
    await insertTasks(listingId, done);
    await stack.prisma.$executeRaw`ANALYZE "Task"`;
    const plan = async (sql: Prisma.Sql) => JSON.stringify((await stack.prisma.$queryRaw<{ 'QUERY PLAN': unknown }[]>`EXPLAIN (FORMAT JSON) ${sql}`)[0]!['QUERY PLAN']);
    const scansOfTask = (text: string) => [...text.matchAll(/"Node Type":"([^"]+)"[^{}]*?"Relation Name":"Task"/g)].map((match) => match[1]);
    const oracle = Prisma.sql`SELECT d.code, count(t.id), count(t."acknowledgedAt") FROM "Department" d LEFT JOIN "Task" t ON t."departmentCode" = d.code GROUP BY d.code`;
    expect(scansOfTask(await plan(oracle))).toContain('Seq Scan');
    const scans = scansOfTask(await plan(departmentStatsSql(new Date())));
    expect(scans.length).toBeGreaterThan(0);
    expect(scans).not.toContain('Seq Scan');
    await expectStatsEqualAggregate();
  });
});

describe('GET /api/supervision/overdue, paged', () => {
  /** Overdue rows besides those already there: more than the largest page, many sharing a deadline. */
  const EXTRA_OVERDUE = 1_050;
  let overdueIds: string[];

  beforeAll(async () => {
    const listingId = await listingForRows();
    const past = Date.now() - 3 * 86_400_000;
    await stack.prisma.task.createMany({
      data: Array.from({ length: EXTRA_OVERDUE }, (_, i) => ({
        id: randomUUID(),
        listingId,
        departmentCode: i % 3 === 0 ? 'D06' : 'D05',
        kind: 'impose',
        round: `overdue-${i}`,
        measures: ['M01'],
        acknowledgeDueAt: new Date(past),
        completeDueAt: new Date(past + 86_400_000),
        // Groups of seven share a deadline: the order still has to be total.
        openDeadlineAt: new Date(past + Math.floor(i / 7) * 1000),
        escalationLevel: i % 2,
        policy: {},
      })),
    });
    overdueIds = (await stack.prisma.task.findMany({ where: { openDeadlineAt: { lt: new Date() } }, orderBy: [{ openDeadlineAt: 'asc' }, { id: 'asc' }], select: { id: true } })).map((task) => task.id);
  });

  const get = (query: string) => stack.request('GET', `/api/supervision/overdue${query}`, { key: supervisor });

  it('pages of `limit` follow each other by `nextCursor` until it is null: every overdue task once, most overdue first', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { status: number; body: { items: { id: string; overdueSeconds: number }[]; nextCursor: string | null } } = await get(`?limit=250${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(250);
      seen.push(...page.body.items.map((task) => task.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(overdueIds.length / 250));
    expect(seen).toEqual(overdueIds);
    // Filters page too: one department, one level.
    const d06 = await get('?departmentCode=D06&level=1&limit=1000');
    const expected = await stack.prisma.task.count({ where: { openDeadlineAt: { lt: new Date() }, departmentCode: 'D06', escalationLevel: 1 } });
    expect(d06.body.items).toHaveLength(expected);
    expect(d06.body.nextCursor).toBeNull();
  });

  it('a page is 100 without `limit`; the plain list is the 1,000 most overdue with X-Next-Cursor and a Link to the next page', async () => {
    const first = await get('?cursor=');
    expect(first.status).toBe(200);
    expect(first.body.items.map((task: { id: string }) => task.id)).toEqual(overdueIds.slice(0, 100));
    const plain = await get('?level=0');
    expect(plain.status).toBe(200);
    expect(Array.isArray(plain.body)).toBe(true);
    const all = await get('');
    expect(all.body.map((task: { id: string }) => task.id)).toEqual(overdueIds.slice(0, 1000));
    const next = all.headers.get('x-next-cursor')!;
    expect(next).toEqual(expect.any(String));
    expect(all.headers.get('link')).toBe(`</api/supervision/overdue?cursor=${encodeURIComponent(next)}>; rel="next"`);
    const rest = await get(`?cursor=${encodeURIComponent(next)}&limit=1000`);
    expect(rest.body.items.map((task: { id: string }) => task.id)).toEqual(overdueIds.slice(1000));
    expect(rest.body.nextCursor).toBeNull();
  });

  it('refuses a bad `limit` or `cursor` with a problem naming the field', async () => {
    for (const [query, field] of [
      ['?limit=0', 'limit'],
      ['?limit=1001', 'limit'],
      ['?limit=ten', 'limit'],
      ['?cursor=not-a-cursor', 'cursor'],
      [`?cursor=${Buffer.from('2026-01-01T00:00:00.000Z|x').toString('base64url')}`, 'cursor'],
    ] as const) {
      const answer = await get(query);
      expect(answer.status, query).toBe(400);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.body.errors.map((error: { field: string }) => error.field), query).toEqual([field]);
    }
  });
});
