// Times the supervisors' queries on a bulk-seeded read model:
//   npm run bench:supervision -- [taskRows=100000] [overdueShare=0.02]
// Uses DATABASE_URL's server (default the local PostgreSQL) and a throwaway database.
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { percentile } from './stats.js';
import { defaultCatalog } from '../domain/catalog.js';
import { createPrismaClient } from '../db/client.js';
import { loadCatalog } from '../db/seed-catalog.js';
import { createTestDatabase } from '../db/test-database.js';
import { createSupervisionService } from '../app/supervision.js';
import { encodeCursor } from '../app/page-cursor.js';
import type { PrismaClient } from '../prisma/generated/client.js';

const departmentsPerListing = 42;
const rounds = 40;

/** The per-department aggregate GET /api/supervision/stats ran over every task before the tallies: the reference they must equal. */
const aggregateStatsSql = `
  SELECT d.code AS "departmentCode", count(t.id)::int AS tasks,
         count(t.id) FILTER (WHERE t."openDeadlineAt" IS NOT NULL)::int AS open,
         count(t."acknowledgedAt")::int AS acknowledged,
         count(t.id) FILTER (WHERE t."acknowledgedAt" <= t."acknowledgeDueAt")::int AS "acknowledgedOnTime",
         count(t."completedAt")::int AS completed,
         count(t.id) FILTER (WHERE t."openDeadlineAt" < now())::int AS overdue,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (t."acknowledgedAt" - t."createdAt"))) AS "medianSecondsToAcknowledge"
  FROM "Department" d LEFT JOIN "Task" t ON t."departmentCode" = d.code
  GROUP BY d.code ORDER BY d.code`;

interface Timing {
  line: string;
  rows: number;
  p50Ms: number;
  p95Ms: number;
}

async function time(label: string, run: () => Promise<unknown>): Promise<Timing> {
  await run(); // warm up
  const samples: number[] = [];
  let rows = 0;
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    const result = await run();
    samples.push(performance.now() - started);
    rows = Array.isArray(result) ? result.length : result && typeof result === 'object' && 'items' in result && Array.isArray(result.items) ? result.items.length : rows;
  }
  const p50Ms = percentile(samples, 0.5);
  const p95Ms = percentile(samples, 0.95);
  return { rows, p50Ms, p95Ms, line: `| ${label.padEnd(44)} | ${String(rows).padStart(7)} | ${p50Ms.toFixed(1).padStart(7)} | ${p95Ms.toFixed(1).padStart(7)} |` };
}

/** The printable table (also what the result prints as) and the figures behind it, in milliseconds. */
export interface SupervisionBenchResult {
  text: string;
  taskRows: number;
  overdueRows: number;
  seedSeconds: number;
  statsP50Ms: number;
  statsP95Ms: number;
  /** The aggregate over every task that stats ran before the tallies, for comparison. */
  aggregateStatsP50Ms: number;
  aggregateStatsP95Ms: number;
  /** One page of 100 overdue tasks (the first, and one from the middle of the list by its cursor). */
  overduePageP50Ms: number;
  overduePageP95Ms: number;
  overdueMiddlePageP50Ms: number;
  overdueMiddlePageP95Ms: number;
  /** The plain GET /api/supervision/overdue: the 1,000 most overdue. */
  overduePlainP50Ms: number;
  overduePlainP95Ms: number;
  /** Whether the tallies equal the aggregate over the seeded rows (medians within 1%). */
  countersMatchAggregate: boolean;
  toString(): string;
}

/** Seeds `taskRows` tasks (a share of them overdue) and times the supervisors' queries on them. */
export async function benchSupervisionQueries(taskRows: number, overdueShare = 0.02): Promise<SupervisionBenchResult> {
  const database = await createTestDatabase();
  const { prisma, close } = createPrismaClient({ url: database.url });
  try {
    await loadCatalog(prisma, defaultCatalog);
    const listings = Math.ceil(taskRows / departmentsPerListing);
    const seedStarted = performance.now();
    await prisma.$executeRawUnsafe(`
      INSERT INTO "Listing" (id, "workflowId", "courtCode", "caseNumber", "debtorKind", "debtorName", "debtorIdNumber",
                             circumstance, "obligationDescription", "listedAt", status, "catalogVersion", "updatedAt")
      SELECT gen_random_uuid(), 'bench-' || g, 'BENCH', 'bench-case-' || g, 'entity', 'Bench ' || g, lpad(g::text, 18, '0'),
             'refuses-despite-ability', 'bench', now(), 'active', 1, now()
      FROM generate_series(1, ${listings}) g`);
    // Most tasks are done; some are open with deadlines ahead; a share is overdue.
    await prisma.$executeRawUnsafe(`
      INSERT INTO "Task" (id, "listingId", "departmentCode", kind, measures, status, "acknowledgeDueAt", "completeDueAt",
                          "openDeadlineAt", "acknowledgedAt", "completedAt", "escalationLevel", policy, "createdAt", "updatedAt")
      SELECT gen_random_uuid(), l.id, d.code, 'impose', ARRAY['M01'], s.status,
             s.created + interval '2 days', s.created + interval '5 days',
             CASE s.status WHEN 'pending' THEN s.created + interval '2 days' WHEN 'acknowledged' THEN s.created + interval '5 days' END,
             CASE WHEN s.status <> 'pending' THEN s.created + interval '3 hours' END,
             CASE WHEN s.status = 'completed' THEN s.created + interval '1 day' END,
             CASE WHEN s.overdue THEN 1 + (random() * 1.99)::int ELSE 0 END, '{}', s.created, now()
      FROM (SELECT id, row_number() OVER () AS n FROM "Listing") l
      CROSS JOIN (SELECT code FROM "Department" ORDER BY code LIMIT ${departmentsPerListing}) d
      CROSS JOIN LATERAL (
        SELECT r < ${overdueShare} AS overdue,
               CASE WHEN r < ${overdueShare} THEN 'pending' WHEN r < 0.1 THEN 'acknowledged' WHEN r < 0.15 THEN 'pending' ELSE 'completed' END AS status,
               CASE WHEN r < ${overdueShare} THEN now() - interval '10 days' * random() - interval '2 days'
                    ELSE now() - interval '1 day' * random() END AS created
        FROM (SELECT random() + 0 * l.n AS r, d.code AS code) x
      ) s
      LIMIT ${taskRows}`);
    await prisma.$executeRawUnsafe('ANALYZE');
    // What autovacuum does soon after a bulk load: marks the pages all-visible, so counting
    // the overdue rows reads the index alone (an index-only scan) instead of their pages.
    await prisma.$executeRawUnsafe('VACUUM "Task"');
    const seeded = await prisma.task.count();
    const seedSeconds = (performance.now() - seedStarted) / 1000;

    const supervision = createSupervisionService({ prisma });
    const overdueRows = await prisma.task.count({ where: { openDeadlineAt: { lt: new Date() } } });
    // A cursor half way down the overdue list: a later page costs what the first does.
    const middle = await prisma.task.findFirst({ where: { openDeadlineAt: { lt: new Date() } }, orderBy: [{ openDeadlineAt: 'asc' }, { id: 'asc' }], skip: Math.floor(overdueRows / 2), select: { openDeadlineAt: true, id: true } });
    const middleCursor = middle ? encodeCursor([middle.openDeadlineAt!, middle.id]) : '';
    const plain = await time('GET /api/supervision/overdue (first 1,000)', () => supervision.overdue({ limit: '1000' }));
    const page = await time('overdue page, limit=100 (service)', () => supervision.overdue({ limit: '100' }));
    const middlePage = await time('overdue page, limit=100, middle cursor', () => supervision.overdue({ limit: '100', cursor: middleCursor }));
    const everyOverdue = await time('every overdue row, raw SQL', () => prisma.$queryRawUnsafe(`SELECT id, "departmentCode", "escalationLevel", "openDeadlineAt" FROM "Task" WHERE "openDeadlineAt" < now() ORDER BY "openDeadlineAt", id`));
    const oneDepartment = await time('overdue page for one department (service)', () => supervision.overdue({ departmentCode: 'D05', limit: '100' }));
    const stats = await time('GET /api/supervision/stats (service)', () => supervision.stats());
    const aggregate = await time('stats as an aggregate over every task', () => prisma.$queryRawUnsafe(aggregateStatsSql));
    const countersMatchAggregate = await countersMatch(prisma, await supervision.stats());
    const lines = [
      `Supervision queries on ${seeded.toLocaleString('en')} task rows (${listings.toLocaleString('en')} listings, ${overdueRows.toLocaleString('en')} overdue), seeded in ${seedSeconds.toFixed(1)} s; ${rounds} rounds each.`,
      '',
      '| query                                        |    rows | p50 ms  | p95 ms  |',
      '|----------------------------------------------|---------|---------|---------|',
      ...[plain, page, middlePage, everyOverdue, oneDepartment, stats, aggregate].map((timing) => timing.line),
    ];
    const plan = await prisma.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN SELECT id FROM "Task" WHERE "openDeadlineAt" < now() ORDER BY "openDeadlineAt"`);
    lines.push('', `Plan of the overdue scan: ${plan.map((row) => row['QUERY PLAN'].trim()).join(' / ')}`);
    lines.push(`Counters (TaskTally, TaskAcknowledgeTime) equal the aggregate over every task: ${countersMatchAggregate ? 'yes' : 'NO'}`);
    const text = lines.join('\n');
    return {
      text,
      taskRows: seeded,
      overdueRows,
      seedSeconds,
      statsP50Ms: stats.p50Ms,
      statsP95Ms: stats.p95Ms,
      aggregateStatsP50Ms: aggregate.p50Ms,
      aggregateStatsP95Ms: aggregate.p95Ms,
      overduePageP50Ms: page.p50Ms,
      overduePageP95Ms: page.p95Ms,
      overdueMiddlePageP50Ms: middlePage.p50Ms,
      overdueMiddlePageP95Ms: middlePage.p95Ms,
      overduePlainP50Ms: plain.p50Ms,
      overduePlainP95Ms: plain.p95Ms,
      countersMatchAggregate,
      toString: () => text,
    };
  } finally {
    await close();
    await database.drop();
  }
}

/** The tallies against the aggregate over every task: counts equal, medians within 1% (or a second). */
async function countersMatch(prisma: PrismaClient, stats: Awaited<ReturnType<ReturnType<typeof createSupervisionService>['stats']>>): Promise<boolean> {
  const reference = await prisma.$queryRawUnsafe<{ departmentCode: string; tasks: number; open: number; acknowledged: number; acknowledgedOnTime: number; completed: number; overdue: number; medianSecondsToAcknowledge: number | null }[]>(aggregateStatsSql);
  return (
    reference.length === stats.length &&
    reference.every((expected, index) => {
      const row = stats[index]!;
      const median = expected.medianSecondsToAcknowledge === null ? null : Math.round(expected.medianSecondsToAcknowledge);
      const medianClose = median === null || row.medianSecondsToAcknowledge === null ? median === row.medianSecondsToAcknowledge : Math.abs(median - row.medianSecondsToAcknowledge) <= Math.max(1, median * 0.01);
      return (
        row.departmentCode === expected.departmentCode &&
        row.tasks === expected.tasks &&
        row.open === expected.open &&
        row.acknowledged === expected.acknowledged &&
        row.acknowledgedOnTime === expected.acknowledgedOnTime &&
        row.completed === expected.completed &&
        Math.abs(row.overdue - expected.overdue) <= 0 &&
        medianClose
      );
    })
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${await benchSupervisionQueries(Number(process.argv[2] ?? 100_000), Number(process.argv[3] ?? 0.02))}\n`);
  process.exit(0);
}
