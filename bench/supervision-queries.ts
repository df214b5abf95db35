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

const departmentsPerListing = 42;
const rounds = 40;

async function time(label: string, run: () => Promise<unknown>): Promise<string> {
  await run(); // warm up
  const samples: number[] = [];
  let rows = 0;
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    const result = await run();
    samples.push(performance.now() - started);
    rows = Array.isArray(result) ? result.length : rows;
  }
  return `| ${label.padEnd(44)} | ${String(rows).padStart(7)} | ${percentile(samples, 0.5).toFixed(1).padStart(7)} | ${percentile(samples, 0.95).toFixed(1).padStart(7)} |`;
}

/** Seeds `taskRows` tasks (a share of them overdue) and returns a printable table of query timings. */
export async function benchSupervisionQueries(taskRows: number, overdueShare = 0.02): Promise<string> {
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
    const seeded = await prisma.task.count();
    const seedSeconds = (performance.now() - seedStarted) / 1000;

    const supervision = createSupervisionService({ prisma });
    const lines = [
      `Supervision queries on ${seeded.toLocaleString('en')} task rows (${listings.toLocaleString('en')} listings, ~${(overdueShare * 100).toFixed(0)}% overdue), seeded in ${seedSeconds.toFixed(1)} s; ${rounds} rounds each.`,
      '',
      '| query                                        |    rows | p50 ms  | p95 ms  |',
      '|----------------------------------------------|---------|---------|---------|',
      await time('GET /api/supervision/overdue (service)', () => supervision.overdue({})),
      await time('overdue, raw SQL', () => prisma.$queryRawUnsafe(`SELECT id, "departmentCode", "escalationLevel", "openDeadlineAt" FROM "Task" WHERE "openDeadlineAt" < now() ORDER BY "openDeadlineAt", id`)),
      await time('overdue for one department (service)', () => supervision.overdue({ departmentCode: 'D05' })),
      await time('GET /api/supervision/stats (service)', () => supervision.stats()),
    ];
    const plan = await prisma.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN SELECT id FROM "Task" WHERE "openDeadlineAt" < now() ORDER BY "openDeadlineAt"`);
    lines.push('', `Plan of the overdue scan: ${plan.map((row) => row['QUERY PLAN'].trim()).join(' / ')}`);
    return lines.join('\n');
  } finally {
    await close();
    await database.drop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write((await benchSupervisionQueries(Number(process.argv[2] ?? 100_000), Number(process.argv[3] ?? 0.02))) + '\n');
  process.exit(0);
}
