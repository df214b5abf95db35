import { Prisma, type PrismaClient } from '../prisma/generated/client.js';
import { openDeadlineOf } from '../domain/tasks.js';
import { chinaDateTime, chinaLocalDate } from '../domain/china-time.js';
import { decodeCursor, encodeCursor } from './page-cursor.js';
import { disclosureQuerySchema, OVERDUE_PAGE, overdueQuerySchema, statsQuerySchema } from './schemas.js';
import { parseInput } from './validate.js';
import { taskView } from './views.js';

/** A page of the disclosure log; narrow the period to see further. */
const MAX_DISCLOSURES = 5_000;

interface OverdueRow {
  id: string;
  listingId: string;
  departmentCode: string;
  kind: string;
  measures: string[];
  status: string;
  acknowledgeDueAt: Date;
  completeDueAt: Date;
  acknowledgedAt: Date | null;
  completedAt: Date | null;
  escalationLevel: number;
  openDeadlineAt: Date;
  caseNumber: string;
  courtCode: string;
}

interface MonthlyStatsRow {
  departmentCode: string;
  kind: string;
  month: string;
  tasks: bigint;
  open: bigint;
  overdue: bigint;
  acknowledgedOnTime: bigint;
  acknowledgmentDue: bigint;
  completed: bigint;
  completedWithOutcomes: bigint;
  completedOnTime: bigint;
  completionDue: bigint;
  medianSecondsToAcknowledge: number | null;
}

interface DepartmentStatsRow {
  departmentCode: string;
  name: string;
  tasks: bigint;
  open: bigint;
  acknowledged: bigint;
  acknowledgedOnTime: bigint;
  completed: bigint;
  overdue: bigint;
  medianSecondsToAcknowledge: number | null;
  /** Rows of TaskTally and TaskAcknowledgeTime summed for this department, and the keys they fold to. */
  tallyRows: bigint;
  timeRows: bigint;
  timeBuckets: bigint;
}

/** Summed tally rows beyond this many per key are folded after a read, so that reads stay a few hundred rows. */
const FOLD_AFTER_ROWS_PER_KEY = 16;

/**
 * The per-department figures at `at`, from the tallies the triggers on "Task"
 * keep (see the migration supervision_tallies): the task table is read only
 * for the overdue count, over the index on openDeadlineAt.
 */
export function departmentStatsSql(at: Date): Prisma.Sql {
  return Prisma.sql`
    WITH tally AS (
      SELECT "departmentCode", count(*) AS rows, sum(tasks) AS tasks, sum(open) AS open, sum(acknowledged) AS acknowledged,
             sum("acknowledgedOnTime") AS "acknowledgedOnTime", sum(completed) AS completed
      FROM "TaskTally" GROUP BY "departmentCode"
    ), overdue AS (
      SELECT "departmentCode", count(*) AS overdue FROM "Task" WHERE "openDeadlineAt" < ${at} GROUP BY "departmentCode"
    ), buckets AS (
      SELECT "departmentCode", bucket, count(*) AS rows, sum(tasks) AS tasks
      FROM "TaskAcknowledgeTime" GROUP BY "departmentCode", bucket
    ), ranked AS (
      -- Each bucket holds the positions [upto - tasks, upto) of the sorted times.
      SELECT "departmentCode", bucket, rows, tasks,
             sum(tasks) OVER (PARTITION BY "departmentCode" ORDER BY bucket) AS upto,
             sum(tasks) OVER (PARTITION BY "departmentCode") AS n
      FROM buckets WHERE tasks > 0
    ), times AS (
      -- percentile_cont(0.5): the middle time, or the mean of the two middle ones.
      SELECT "departmentCode", sum(rows) AS rows, count(*) AS buckets,
             (min(task_acknowledge_seconds(bucket)) FILTER (WHERE upto - tasks <= floor((n - 1) / 2) AND upto > floor((n - 1) / 2))
              + min(task_acknowledge_seconds(bucket)) FILTER (WHERE upto - tasks <= floor(n / 2) AND upto > floor(n / 2))) / 2 AS median
      FROM ranked GROUP BY "departmentCode"
    )
    SELECT d.code AS "departmentCode",
           d."nameZh" AS name,
           coalesce(tally.tasks, 0)::bigint AS tasks,
           coalesce(tally.open, 0)::bigint AS open,
           coalesce(tally.acknowledged, 0)::bigint AS acknowledged,
           coalesce(tally."acknowledgedOnTime", 0)::bigint AS "acknowledgedOnTime",
           coalesce(tally.completed, 0)::bigint AS completed,
           coalesce(overdue.overdue, 0)::bigint AS overdue,
           times.median AS "medianSecondsToAcknowledge",
           coalesce(tally.rows, 0)::bigint AS "tallyRows",
           coalesce(times.rows, 0)::bigint AS "timeRows",
           coalesce(times.buckets, 0)::bigint AS "timeBuckets"
    FROM "Department" d
    LEFT JOIN tally ON tally."departmentCode" = d.code
    LEFT JOIN overdue ON overdue."departmentCode" = d.code
    LEFT JOIN times ON times."departmentCode" = d.code
    ORDER BY d.code`;
}

/** What supervisors read: overdue tasks and per-department figures, straight from the read model. */
export function createSupervisionService({ prisma, now = () => new Date() }: { prisma: PrismaClient; now?: () => Date }) {
  return {
    /**
     * Overdue means the deadline a task is working against has passed. One
     * page, most overdue first, ordered by (openDeadlineAt, id) and read on
     * from the cursor (the last row's key), so a page costs its own rows
     * whatever the overdue count: a range scan on openDeadlineAt, joined to its
     * listing in the same query.
     */
    async overdue(query: unknown) {
      const filters = parseInput(overdueQuerySchema, query, 'query');
      const limit = filters.limit ?? OVERDUE_PAGE.default;
      const after = filters.cursor ? decodeCursor(filters.cursor, ['instant', 'uuid']) : null;
      const at = now();
      const rows = await prisma.$queryRaw<OverdueRow[]>`
        SELECT t.id, t."listingId", t."departmentCode", t.kind, t.measures, t.status,
               t."acknowledgeDueAt", t."completeDueAt", t."acknowledgedAt", t."completedAt",
               t."escalationLevel", t."openDeadlineAt", l."caseNumber", l."courtCode"
        FROM "Task" t JOIN "Listing" l ON l.id = t."listingId"
        WHERE t."openDeadlineAt" < ${at}
          ${after ? Prisma.sql`AND t."openDeadlineAt" >= ${new Date(after[0]!)} AND (t."openDeadlineAt", t.id) > (${new Date(after[0]!)}, ${after[1]!}::uuid)` : Prisma.empty}
          ${filters.departmentCode ? Prisma.sql`AND t."departmentCode" = ${filters.departmentCode}` : Prisma.empty}
          ${filters.kind ? Prisma.sql`AND t.kind = ${filters.kind}` : Prisma.empty}
          ${filters.level !== undefined ? Prisma.sql`AND t."escalationLevel" = ${filters.level}` : Prisma.empty}
        ORDER BY t."openDeadlineAt", t.id
        LIMIT ${limit + 1}`;
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map((row) => ({
          ...taskView(row),
          overdueDeadline: openDeadlineOf(row.status),
          overdueSeconds: Math.floor((at.getTime() - row.openDeadlineAt.getTime()) / 1000),
          caseNumber: row.caseNumber,
          courtCode: row.courtCode,
        })),
        nextCursor: rows.length > limit && last ? encodeCursor([last.openDeadlineAt, last.id]) : null,
      };
    },

    /**
     * GET /api/supervision/disclosures — who was shown which subject in full,
     * when and why, newest first; the subject as its keyed hash.
     */
    async disclosures(query: unknown) {
      const filters = parseInput(disclosureQuerySchema, query, 'query');
      const rows = await prisma.disclosure.findMany({
        where: {
          ...(filters.departmentCode ? { departmentCode: filters.departmentCode } : {}),
          ...(filters.from || filters.to ? { at: { ...(filters.from ? { gte: new Date(filters.from) } : {}), ...(filters.to ? { lt: new Date(filters.to) } : {}) } } : {}),
        },
        orderBy: [{ at: 'desc' }, { id: 'desc' }],
        take: MAX_DISCLOSURES,
      });
      return rows.map((row) => ({ at: row.at.toISOString(), departmentCode: row.departmentCode, keyId: row.keyId, subjectHash: row.subjectHash, purpose: row.purpose, listingId: row.listingId }));
    },

    /** The highest escalation level any task has reached: how far the overdue filter's levels go. */
    async highestEscalationLevel(): Promise<number> {
      const { _max } = await prisma.task.aggregate({ _max: { escalationLevel: true } });
      return _max.escalationLevel ?? 0;
    },

    /** Mail not delivered yet (the SMTP server refused or was unreachable); the workflow keeps retrying it. */
    async undeliveredMail() {
      const rows = await prisma.notification.findMany({
        where: { sentAt: null },
        orderBy: { createdAt: 'asc' },
        take: 1000,
        include: { task: { select: { departmentCode: true } } },
      });
      return rows.map((row) => ({
        id: row.id,
        messageId: row.messageId,
        type: row.type,
        taskId: row.taskId,
        listingId: row.listingId,
        departmentCode: row.task?.departmentCode ?? null,
        recipients: row.recipients,
        attempts: row.attempts,
        lastError: row.lastError,
        firstAttemptAt: row.createdAt.toISOString(),
      }));
    },

    /**
     * GET /api/supervision/stats?month=YYYY-MM[&by=month] — one row per
     * department and kind (impose, lift) of the tasks dispatched in the month
     * (China time), or per month over the twelve through it. A rate is null
     * when nothing fell due; a task declined and reassigned counts for the
     * department that got it.
     */
    async monthlyStats(query: unknown) {
      const filters = parseInput(statsQuerySchema, query, 'query');
      const at = now();
      const month = filters.month ?? chinaLocalDate(at).slice(0, 7);
      const [year, monthNumber] = month.split('-').map(Number) as [number, number];
      const firstDay = (offset: number) => chinaDateTime(new Date(Date.UTC(year, monthNumber - 1 + offset, 1)).toISOString().slice(0, 10), 0);
      const start = firstDay(filters.by === 'month' ? -11 : 0);
      const end = firstDay(1);
      const rows = await prisma.$queryRaw<MonthlyStatsRow[]>`
        SELECT t."departmentCode", t.kind, to_char(t."createdAt" AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS month,
               count(*) AS tasks,
               count(*) FILTER (WHERE t."openDeadlineAt" IS NOT NULL) AS open,
               count(*) FILTER (WHERE t."openDeadlineAt" < ${at}) AS overdue,
               count(*) FILTER (WHERE t."acknowledgedAt" <= t."acknowledgeDueAt") AS "acknowledgedOnTime",
               count(*) FILTER (WHERE t."acknowledgeDueAt" <= ${at} OR t."acknowledgedAt" IS NOT NULL) AS "acknowledgmentDue",
               count(t."completedAt") AS completed,
               count(*) FILTER (WHERE t."completedAt" IS NOT NULL AND jsonb_typeof(t.feedback) = 'array' AND jsonb_array_length(t.feedback) > 0) AS "completedWithOutcomes",
               count(*) FILTER (WHERE t."completedAt" <= t."completeDueAt") AS "completedOnTime",
               count(*) FILTER (WHERE t."completeDueAt" <= ${at} OR t."completedAt" IS NOT NULL) AS "completionDue",
               percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (t."acknowledgedAt" - t."createdAt"))) AS "medianSecondsToAcknowledge"
        FROM "Task" t
        WHERE t.kind IN ('impose', 'lift') AND t.status <> 'reassigned' AND t."createdAt" >= ${start} AND t."createdAt" < ${end}
        GROUP BY 1, 2, 3
        ORDER BY 3, 1, 2`;
      const rate = (numerator: bigint, denominator: bigint) => (Number(denominator) === 0 ? null : Math.round((Number(numerator) / Number(denominator)) * 10_000) / 10_000);
      return rows.map((row) => ({
        departmentCode: row.departmentCode,
        kind: row.kind,
        month: row.month,
        tasks: Number(row.tasks),
        open: Number(row.open),
        overdue: Number(row.overdue),
        responseRate: rate(row.acknowledgedOnTime, row.acknowledgmentDue),
        feedbackRate: rate(row.completedWithOutcomes, row.completed),
        onTimeCompletionRate: rate(row.completedOnTime, row.completionDue),
        medianSecondsToAcknowledge: row.medianSecondsToAcknowledge === null ? null : Math.round(Number(row.medianSecondsToAcknowledge)),
      }));
    },

    /**
     * Per department: tasks, open, acknowledged (and on time), completed,
     * overdue now, median seconds to acknowledge. The counts are the sums the
     * triggers on "Task" keep (TaskTally), so a read never touches the task
     * table but for the overdue count, which depends on the clock: an
     * index-only scan over the overdue rows alone. The median comes from the
     * histogram of seconds to acknowledge (TaskAcknowledgeTime): to the second
     * below 100 s, within 1% above (buckets 1% wide, read at their middle).
     */
    async stats() {
      const rows = await prisma.$queryRaw<DepartmentStatsRow[]>(departmentStatsSql(now()));
      // Every statement on "Task" appended a row: collapse them once they outnumber the keys a few times over.
      if (rows.some((row) => Number(row.tallyRows) > FOLD_AFTER_ROWS_PER_KEY || Number(row.timeRows) > FOLD_AFTER_ROWS_PER_KEY * Math.max(1, Number(row.timeBuckets)))) {
        await prisma.$executeRaw`SELECT task_tallies_fold()`;
      }
      return rows.map((row) => ({
        departmentCode: row.departmentCode,
        name: row.name,
        tasks: Number(row.tasks),
        open: Number(row.open),
        acknowledged: Number(row.acknowledged),
        acknowledgedOnTime: Number(row.acknowledgedOnTime),
        completed: Number(row.completed),
        overdue: Number(row.overdue),
        medianSecondsToAcknowledge: row.medianSecondsToAcknowledge === null ? null : Math.round(Number(row.medianSecondsToAcknowledge)),
      }));
    },
  };
}

export type SupervisionService = ReturnType<typeof createSupervisionService>;
