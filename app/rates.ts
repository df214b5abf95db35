import { z } from 'zod';
import { Prisma, type PrismaClient } from '../prisma/generated/client.js';
import type { CalendarVersions } from '../db/calendar-versions.js';
import { departmentScopeOf, type Principal } from '../domain/access.js';
import type { WorkingDayArithmetic } from '../domain/calendar.js';
import { chinaCalendarDate, chinaDateTime } from '../domain/china-time.js';
import { TASK_KINDS, type TaskKind } from '../domain/tasks.js';
import { forbidden, invalid } from './errors.js';
import { parseInput } from './validate.js';

/**
 * How departments answer the courts, per month of dispatch: do they respond
 * on time, report back what they did, finish on time, and lift within the
 * three working days the law gives (art. 10). The figures are computed from
 * task rows by a pure function; the service only loads the rows.
 */

/** A lift is due on the third working day after the court's decision (art. 10 ¶1). */
export const LIFT_WORKING_DAYS = 3;
/** The months one answer may span: every row of the range is read. */
export const MAX_RATE_MONTHS = 24;
/** Without a range: the current month and the five before it. */
export const DEFAULT_RATE_MONTHS = 6;

/** A month of China time, written YYYY-MM. */
export type Month = string;

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month written YYYY-MM').meta({ example: '2026-11' });

export const ratesQuerySchema = z
  .strictObject({
    from: month.optional().meta({ description: 'First month of dispatch (China time); default: five months before `to`' }),
    to: month.optional().meta({ description: 'Last month of dispatch (China time); default: the current month, or `from` when that is later' }),
    departmentCode: z.string().trim().min(1).max(20).optional().meta({ description: 'One department; a department key sees its own only' }),
  })
  .superRefine((query, ctx) => {
    if (query.from && query.to && query.from > query.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
  });

/** What the rates need of a task: its department, kind, status, deadlines and when it was answered. */
export interface RateTaskRow {
  departmentCode: string;
  kind: string;
  status: string;
  /** The dispatch. */
  createdAt: Date;
  acknowledgeDueAt: Date;
  completeDueAt: Date;
  acknowledgedAt: Date | null;
  completedAt: Date | null;
  openDeadlineAt: Date | null;
  /** A lift's court decision; the lift counts from the dispatch without one. */
  scheduledFrom: Date | null;
  /** Entries of the feedback reported on completion; null when there is none. */
  feedbackEntries: number | null;
}

/** A fraction with what it is made of; null when nothing was there to count. */
export interface Rate {
  rate: number | null;
  numerator: number;
  denominator: number;
}

export interface Figures {
  dispatched: number;
  /** Acknowledged by the acknowledgment deadline, of those dispatched. */
  responseRate: Rate;
  /** Completed with feedback, of those completed. */
  feedbackRate: Rate;
  /** Completed by the completion deadline, of those dispatched. */
  completionOnTimeRate: Rate;
  /** Lift tasks completed within three working days of the court's decision, of the lift tasks dispatched. */
  liftOnTimeRate: Rate;
  medianHoursToAcknowledge: number | null;
  medianHoursToComplete: number | null;
  /** As of now: tasks working against a deadline, and those past it. */
  open: number;
  overdue: number;
}

export const RATE_KINDS = [...TASK_KINDS, 'all'] as const;
export type RateKind = (typeof RATE_KINDS)[number];
export type FiguresByKind = Record<RateKind, Figures>;

export interface RatesOf {
  /** Every task open now, whenever it was dispatched. */
  now: { open: number; overdue: number };
  /** The whole range. */
  total: FiguresByKind;
  months: ({ month: Month } & FiguresByKind)[];
}

export interface RatesReport {
  from: Month;
  to: Month;
  months: Month[];
  asOf: string;
  /** Every department reported, together. */
  overall: RatesOf;
  departments: ({ departmentCode: string } & RatesOf)[];
}

/** A task is a department's own unless it declined it and it went to another (reassigned), or it was cancelled before anyone acknowledged it. */
export function isCounted(task: Pick<RateTaskRow, 'status' | 'acknowledgedAt'>): boolean {
  if (task.status === 'reassigned') return false;
  return !(task.status === 'cancelled' && task.acknowledgedAt === null);
}

/** 17:00 China time of the third working day after the decision (or the dispatch). */
export function liftDueAt(task: Pick<RateTaskRow, 'scheduledFrom' | 'createdAt'>, calendar: WorkingDayArithmetic): Date {
  return calendar.addWorkingDays(task.scheduledFrom ?? task.createdAt, LIFT_WORKING_DAYS);
}

export function monthOf(instant: Date): Month {
  const { year, month: m } = chinaCalendarDate(instant);
  return monthFrom(year * 12 + m - 1);
}

const indexOf = (value: Month) => Number(value.slice(0, 4)) * 12 + Number(value.slice(5, 7)) - 1;
const monthFrom = (index: number): Month => `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;

export const shiftMonth = (value: Month, by: number): Month => monthFrom(indexOf(value) + by);

export function monthsFrom(from: Month, to: Month): Month[] {
  return Array.from({ length: indexOf(to) - indexOf(from) + 1 }, (_, offset) => shiftMonth(from, offset));
}

/** China-local midnight of the first day of the month. */
export const monthStart = (value: Month): Date => chinaDateTime(`${value}-01`, 0);

const ratio = (numerator: number, denominator: number): Rate => ({
  rate: denominator === 0 ? null : Math.round((numerator / denominator) * 10_000) / 10_000,
  numerator,
  denominator,
});

function medianHours(durationsMs: number[]): number | null {
  if (durationsMs.length === 0) return null;
  const sorted = [...durationsMs].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return Math.round((median / 3_600_000) * 100) / 100;
}

/** What every figure needs besides the tasks: the time and which lifts were on time (counted once per task). */
interface Context {
  now: Date;
  liftedOnTime: ReadonlySet<RateTaskRow>;
}

/** The figures of a set of counted tasks. */
function figuresOf(tasks: readonly RateTaskRow[], { now, liftedOnTime }: Context): Figures {
  const completed = tasks.filter((task) => task.completedAt !== null);
  const lifts = tasks.filter((task) => task.kind === 'lift');
  const acknowledged = tasks.filter((task) => task.acknowledgedAt !== null);
  const open = tasks.filter((task) => task.openDeadlineAt !== null);
  return {
    dispatched: tasks.length,
    responseRate: ratio(acknowledged.filter((task) => task.acknowledgedAt! <= task.acknowledgeDueAt).length, tasks.length),
    feedbackRate: ratio(completed.filter((task) => (task.feedbackEntries ?? 0) > 0).length, completed.length),
    completionOnTimeRate: ratio(completed.filter((task) => task.completedAt! <= task.completeDueAt).length, tasks.length),
    liftOnTimeRate: ratio(lifts.filter((task) => liftedOnTime.has(task)).length, lifts.length),
    medianHoursToAcknowledge: medianHours(acknowledged.map((task) => task.acknowledgedAt!.getTime() - task.createdAt.getTime())),
    medianHoursToComplete: medianHours(completed.map((task) => task.completedAt!.getTime() - task.createdAt.getTime())),
    open: open.length,
    overdue: open.filter((task) => task.openDeadlineAt! < now).length,
  };
}

function byKind(tasks: readonly RateTaskRow[], context: Context): FiguresByKind {
  const figures = Object.fromEntries(TASK_KINDS.map((kind) => [kind, figuresOf(tasks.filter((task) => task.kind === kind), context)]));
  return { ...(figures as Record<TaskKind, Figures>), all: figuresOf(tasks, context) };
}

function ratesOf(tasks: readonly RateTaskRow[], months: readonly Month[], context: Context): RatesOf {
  const byMonth = new Map<Month, RateTaskRow[]>(months.map((value) => [value, []]));
  for (const task of tasks) byMonth.get(monthOf(task.createdAt))?.push(task);
  const open = tasks.filter((task) => task.openDeadlineAt !== null);
  return {
    now: { open: open.length, overdue: open.filter((task) => task.openDeadlineAt! < context.now).length },
    total: byKind([...byMonth.values()].flat(), context),
    months: months.map((value) => ({ month: value, ...byKind(byMonth.get(value)!, context) })),
  };
}

/**
 * The rates of each department and of all together, per month of dispatch
 * (China time) and over the range. Rows dispatched outside the months count
 * only towards what is open now; tasks that were never the department's own
 * (see isCounted) and kinds other than impose, lift and correct count nowhere.
 */
export function computeRates(
  rows: readonly RateTaskRow[],
  { months, departments = [], now, calendar }: { months: readonly Month[]; departments?: readonly string[]; now: Date; calendar: { lenient: WorkingDayArithmetic } },
): RatesReport {
  if (months.length === 0) throw new RangeError('rates need at least one month');
  const counted = rows.filter((row) => isCounted(row) && (TASK_KINDS as readonly string[]).includes(row.kind));
  const byDepartment = new Map<string, RateTaskRow[]>(departments.map((code) => [code, []]));
  for (const row of counted) {
    if (!byDepartment.has(row.departmentCode)) byDepartment.set(row.departmentCode, []);
    byDepartment.get(row.departmentCode)!.push(row);
  }
  const lifts = counted.filter((row) => row.kind === 'lift' && row.completedAt !== null);
  const context: Context = { now, liftedOnTime: new Set(lifts.filter((row) => row.completedAt! <= liftDueAt(row, calendar.lenient))) };
  return {
    from: months[0]!,
    to: months.at(-1)!,
    months: [...months],
    asOf: now.toISOString(),
    overall: ratesOf(counted, months, context),
    departments: [...byDepartment.keys()].sort().map((code) => ({ departmentCode: code, ...ratesOf(byDepartment.get(code)!, months, context) })),
  };
}

/** The months asked for, the defaults filled in from the current month. */
function monthsAsked(query: { from?: Month | undefined; to?: Month | undefined }, now: Date): { from: Month; to: Month } {
  const to = query.to ?? (query.from && query.from > monthOf(now) ? query.from : monthOf(now));
  const from = query.from ?? shiftMonth(to, -(DEFAULT_RATE_MONTHS - 1));
  if (indexOf(to) - indexOf(from) + 1 > MAX_RATE_MONTHS) {
    throw invalid('The query does not match the schema.', [{ field: query.from ? 'from' : 'to', message: `the range spans at most ${MAX_RATE_MONTHS} months`, rule: 'too_big' }]);
  }
  return { from, to };
}

/** Rates of departments as the courts read them, from the read model. */
export function createRatesService({ prisma, calendars, now = () => new Date() }: { prisma: PrismaClient; calendars: Pick<CalendarVersions, 'current'>; now?: () => Date }) {
  /**
   * The few columns the rates need of each task dispatched in the range, and
   * of each task open now (whenever dispatched); the feedback as its length.
   * Both conditions are index range scans (createdAt, openDeadlineAt).
   */
  function loadRows(start: Date, end: Date, departmentCode: string | null) {
    return prisma.$queryRaw<RateTaskRow[]>`
      SELECT "departmentCode", kind, status, "createdAt", "acknowledgeDueAt", "completeDueAt",
             "acknowledgedAt", "completedAt", "openDeadlineAt", "scheduledFrom",
             CASE WHEN jsonb_typeof(feedback) = 'array' THEN jsonb_array_length(feedback) END AS "feedbackEntries"
      FROM "Task"
      WHERE (("createdAt" >= ${start} AND "createdAt" < ${end}) OR "openDeadlineAt" IS NOT NULL)
        ${departmentCode ? Prisma.sql`AND "departmentCode" = ${departmentCode}` : Prisma.empty}`;
  }

  return {
    /** GET /api/rates — a supervisor sees every department; a department key its own. */
    async report(principal: Principal, query: unknown) {
      const filters = parseInput(ratesQuerySchema, query, 'query');
      const own = departmentScopeOf(principal);
      if (own !== null && filters.departmentCode && filters.departmentCode !== own) {
        throw forbidden('A department key sees only its own department.');
      }
      const departmentCode = own ?? filters.departmentCode ?? null;
      const at = now();
      const { from, to } = monthsAsked(filters, at);
      const [departments, rows, { calendar }] = await Promise.all([
        prisma.department.findMany({ where: departmentCode ? { code: departmentCode } : {}, select: { code: true, nameZh: true, nameEn: true }, orderBy: { code: 'asc' } }),
        loadRows(monthStart(from), monthStart(shiftMonth(to, 1)), departmentCode),
        calendars.current(),
      ]);
      if (departmentCode && departments.length === 0) {
        throw invalid('The query does not match the schema.', [{ field: 'departmentCode', message: `there is no department ${departmentCode}` }]);
      }
      const report = computeRates(rows, { months: monthsFrom(from, to), departments: departments.map((row) => row.code), now: at, calendar });
      const names = new Map(departments.map((row) => [row.code, row]));
      return {
        ...report,
        departments: report.departments.map((row) => ({ ...row, nameZh: names.get(row.departmentCode)?.nameZh ?? row.departmentCode, nameEn: names.get(row.departmentCode)?.nameEn ?? row.departmentCode })),
      };
    },
  };
}

export type RatesService = ReturnType<typeof createRatesService>;
export type DepartmentRates = Awaited<ReturnType<RatesService['report']>>['departments'][number];
