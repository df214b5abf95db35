import { z } from 'zod';
import { Prisma, type PrismaClient } from '../prisma/generated/client.js';
import { calendarDateOfDayNumber, chinaDateTime, chinaLocalDate, dayNumber, parseLocalDate } from '../domain/china-time.js';
import { TASK_KINDS } from '../domain/tasks.js';
import { XLSX_MEDIA_TYPE } from '../imports/read-sheet.js';
import { invalid } from './errors.js';
import { ledgerRowOf, ledgerSummaryOf, type LedgerTaskRecord } from './ledger-rows.js';
import { ledgerCsv, ledgerXlsx } from './ledger-sheets.js';
import { parseInput } from './validate.js';

/**
 * A ledger is filed whole or not at all: a range holding more tasks than this
 * is refused (narrow it) rather than cut short.
 */
export const MAX_LEDGER_ROWS = 100_000;

export const LEDGER_FORMATS = ['json', 'csv', 'xlsx'] as const;
export type LedgerFormat = (typeof LEDGER_FORMATS)[number];

const localDate = (description: string) =>
  z
    .string()
    .refine((value) => parseLocalDate(value) !== null, 'must be a calendar date YYYY-MM-DD')
    .meta({ description, format: 'date', example: '2026-11-01' });

export const ledgerQuerySchema = z
  .strictObject({
    from: localDate('First dispatch date (China time), inclusive').optional(),
    to: localDate('Last dispatch date (China time), inclusive').optional(),
    departmentCode: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z][A-Z0-9_-]{0,19}$/, 'must be a department code such as D05')
      .optional()
      .meta({ description: 'One department (any letter case)', example: 'D05' }),
    kind: z.enum(TASK_KINDS).optional(),
    format: z.enum(LEDGER_FORMATS).default('json').meta({ description: 'json (default), csv (UTF-8 with BOM) or xlsx' }),
  })
  .superRefine((query, ctx) => {
    if (query.from && query.to && query.to < query.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
  });
export type LedgerQuery = z.output<typeof ledgerQuerySchema>;

const MEDIA_TYPES: Record<LedgerFormat, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  xlsx: XLSX_MEDIA_TYPE,
};

/** The coordinating office's ledger (台账) of department tasks, as data and as a file. */
export function createLedgerService({ prisma, now = () => new Date(), maxRows = MAX_LEDGER_ROWS }: { prisma: PrismaClient; now?: () => Date; maxRows?: number }) {
  return {
    /**
     * GET /api/ledger — one row per task dispatched in the period (China
     * dates, inclusive), ordered by dispatch time, then department; a summary
     * per department. `file` is the ledger in the format asked for;
     * spreadsheets are `attachment`s.
     */
    async export(query: unknown) {
      const filters = parseInput(ledgerQuerySchema, query, 'query');
      const at = now();
      const records = await readTasks(prisma, filters, maxRows);
      if (records.length > maxRows) {
        const message = `the period holds more than ${maxRows.toLocaleString('en')} tasks: narrow it, or name a department or kind`;
        throw invalid(`The ledger is limited to ${maxRows.toLocaleString('en')} rows.`, [
          { field: 'from', message, rule: 'too_big' },
          { field: 'to', message, rule: 'too_big' },
        ]);
      }
      const rows = records.map((record) => ledgerRowOf(record, at));
      const { summary, totals } = ledgerSummaryOf(rows);
      const ledger = { from: filters.from ?? null, to: filters.to ?? null, generatedAt: at.toISOString(), rows, summary, totals };
      const fileName = `ledger-${filters.from ?? 'start'}-${filters.to ?? chinaLocalDate(at)}.${filters.format}`;
      const body =
        filters.format === 'xlsx' ? await ledgerXlsx(rows, summary, totals) : filters.format === 'csv' ? await ledgerCsv(rows) : Buffer.from(JSON.stringify(ledger), 'utf8');
      return { ledger, file: { format: filters.format, contentType: MEDIA_TYPES[filters.format], fileName, attachment: filters.format !== 'json', body } };
    },
  };
}

export type LedgerService = ReturnType<typeof createLedgerService>;

/** The day after a China-local date, at midnight China time: the exclusive end of a period. */
const dayAfter = (date: string) => chinaDateTime(calendarDateOfDayNumber(dayNumber(parseLocalDate(date)!) + 1), 0);

/**
 * One query: each task with its listing and department, the task it was
 * reassigned from or to, and its latest granted and latest pending extension
 * (by the taskId index). One row more than the cap tells the cap was passed.
 */
function readTasks(prisma: PrismaClient, filters: LedgerQuery, maxRows: number): Promise<LedgerTaskRecord[]> {
  return prisma.$queryRaw<LedgerTaskRecord[]>`
    SELECT t.id, t."listingId", l."caseNumber", l."courtCode", l."debtorName",
           t."departmentCode", d."nameZh" AS "departmentName", t.kind, t.measures, t.status, t."createdAt",
           t."acknowledgeDueAt", t."acknowledgedAt", t."acknowledgedBy", t."completeDueAt", t."completedAt", t."completedBy",
           t.reference, t.feedback, t."escalationLevel", t."openDeadlineAt",
           t."declinedAt", t."declinedBy", t."declineReason", t."suggestedDepartmentCode",
           t."reassignedFromId", src."departmentCode" AS "reassignedFromDepartmentCode",
           dst.id AS "reassignedToId", dst."departmentCode" AS "reassignedToDepartmentCode",
           t."verifiedAt", t."verifiedBy", t."sentBackCount",
           granted.until AS "grantedUntil", granted.reason AS "grantedReason",
           requested.until AS "requestedUntil", requested.reason AS "requestedReason"
    FROM "Task" t
    JOIN "Listing" l ON l.id = t."listingId"
    JOIN "Department" d ON d.code = t."departmentCode"
    LEFT JOIN "Task" src ON src.id = t."reassignedFromId"
    LEFT JOIN (
      SELECT DISTINCT ON (n."reassignedFromId") n."reassignedFromId", n.id, n."departmentCode"
      FROM "Task" n WHERE n."reassignedFromId" IS NOT NULL
      ORDER BY n."reassignedFromId", n."createdAt"
    ) dst ON dst."reassignedFromId" = t.id
    LEFT JOIN LATERAL (
      SELECT e.until, e.reason FROM "TaskExtension" e
      WHERE e."taskId" = t.id AND e.status = 'granted'
      ORDER BY e."decidedAt" DESC NULLS LAST, e."requestedAt" DESC LIMIT 1
    ) granted ON true
    LEFT JOIN LATERAL (
      SELECT e.until, e.reason FROM "TaskExtension" e
      WHERE e."taskId" = t.id AND e.status = 'requested'
      ORDER BY e."requestedAt" DESC LIMIT 1
    ) requested ON true
    WHERE true
      ${filters.from ? Prisma.sql`AND t."createdAt" >= ${chinaDateTime(filters.from, 0)}` : Prisma.empty}
      ${filters.to ? Prisma.sql`AND t."createdAt" < ${dayAfter(filters.to)}` : Prisma.empty}
      ${filters.departmentCode ? Prisma.sql`AND t."departmentCode" = ${filters.departmentCode}` : Prisma.empty}
      ${filters.kind ? Prisma.sql`AND t.kind = ${filters.kind}` : Prisma.empty}
    ORDER BY t."createdAt", t."departmentCode", t.id
    LIMIT ${maxRows + 1}`;
}
