import type { PrismaClient, Prisma } from '../../prisma/generated/client.js';
import { overdueQuerySchema } from '../schemas.js';
import { parseRequest } from '../validate.js';
import { taskView } from '../views.js';

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
    /** Overdue means the deadline a task is working against has passed: one range scan on openDeadlineAt. */
    async overdue(query: unknown) {
      const filters = parseRequest(overdueQuerySchema, query, 'query');
      const at = now();
      const where: Prisma.TaskWhereInput = {
        openDeadlineAt: { lt: at },
        ...(filters.departmentCode ? { departmentCode: filters.departmentCode } : {}),
        ...(filters.kind ? { kind: filters.kind } : {}),
        ...(filters.level !== undefined ? { escalationLevel: filters.level } : {}),
      };
      const tasks = await prisma.task.findMany({
        where,
        orderBy: [{ openDeadlineAt: 'asc' }, { id: 'asc' }],
        include: { listing: { select: { caseNumber: true, courtCode: true } } },
      });
      return tasks.map(({ listing, ...task }) => ({
        ...taskView(task),
        overdueDeadline: task.status === 'pending' ? 'acknowledge' : 'complete',
        overdueSeconds: Math.floor((at.getTime() - task.openDeadlineAt!.getTime()) / 1000),
        caseNumber: listing.caseNumber,
        courtCode: listing.courtCode,
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
