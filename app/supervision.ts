import { Prisma, type PrismaClient } from '../prisma/generated/client.js';
import { openDeadlineOf } from '../domain/tasks.js';
import { chinaDateTime, chinaLocalDate } from '../domain/china-time.js';
import { disclosureQuerySchema, overdueQuerySchema, statsQuerySchema } from './schemas.js';
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
}

/** What supervisors read: overdue tasks and per-department figures, straight from the read model. */
export function createSupervisionService({ prisma, now = () => new Date() }: { prisma: PrismaClient; now?: () => Date }) {
  return {
    /**
     * Overdue means the deadline a task is working against has passed: one
     * range scan on openDeadlineAt, joined to its listing in the same query
     * (the list can hold thousands of rows; a second round trip doubled its time).
     */
    async overdue(query: unknown) {
      const filters = parseInput(overdueQuerySchema, query, 'query');
      const at = now();
      const rows = await prisma.$queryRaw<OverdueRow[]>`
        SELECT t.id, t."listingId", t."departmentCode", t.kind, t.measures, t.status,
               t."acknowledgeDueAt", t."completeDueAt", t."acknowledgedAt", t."completedAt",
               t."escalationLevel", t."openDeadlineAt", l."caseNumber", l."courtCode"
        FROM "Task" t JOIN "Listing" l ON l.id = t."listingId"
        WHERE t."openDeadlineAt" < ${at}
          ${filters.departmentCode ? Prisma.sql`AND t."departmentCode" = ${filters.departmentCode}` : Prisma.empty}
          ${filters.kind ? Prisma.sql`AND t.kind = ${filters.kind}` : Prisma.empty}
          ${filters.level !== undefined ? Prisma.sql`AND t."escalationLevel" = ${filters.level}` : Prisma.empty}
        ORDER BY t."openDeadlineAt", t.id`;
      return rows.map((row) => ({
        ...taskView(row),
        overdueDeadline: openDeadlineOf(row.status),
        overdueSeconds: Math.floor((at.getTime() - row.openDeadlineAt.getTime()) / 1000),
        caseNumber: row.caseNumber,
        courtCode: row.courtCode,
      }));
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

    /** Per department: tasks, acknowledged (and on time), completed, overdue now, median seconds to acknowledge. */
    async stats() {
      const rows = await prisma.$queryRaw<DepartmentStatsRow[]>`
        SELECT d.code AS "departmentCode",
               d."nameZh" AS name,
               count(t.id) AS tasks,
               count(t.id) FILTER (WHERE t."openDeadlineAt" IS NOT NULL) AS open,
               count(t."acknowledgedAt") AS acknowledged,
               count(t.id) FILTER (WHERE t."acknowledgedAt" <= t."acknowledgeDueAt") AS "acknowledgedOnTime",
               count(t."completedAt") AS completed,
               count(t.id) FILTER (WHERE t."openDeadlineAt" < ${now()}) AS overdue,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (t."acknowledgedAt" - t."createdAt")))
                 AS "medianSecondsToAcknowledge"
        FROM "Department" d
        LEFT JOIN "Task" t ON t."departmentCode" = d.code
        GROUP BY d.code, d."nameZh"
        ORDER BY d.code`;
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
