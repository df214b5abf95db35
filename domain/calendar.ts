import { z } from 'zod';
import holidayData from './calendar-data/cn-holidays.json' with { type: 'json' };
import {
  calendarDateOfDayNumber, chinaCalendarDate, chinaDateTime, dayNumber, formatLocalDate, parseLocalDate,
  requireValidDate, weekdayOfDayNumber, type LocalDate,
} from './china-time.js';

/** Government offices work 09:00–17:00 China time; a working-day deadline falls due at the close. */
export const WORKING_DAY_START_HOUR = 9;
export const WORKING_DAY_END_HOUR = 17;

const localDateSchema = z.string().refine((text) => parseLocalDate(text) !== null, {
  message: 'must be a calendar date written YYYY-MM-DD',
});

const yearSchema = z.object({
  source: z.string().min(1),
  provisional: z.boolean().optional(),
  note: z.string().optional(),
  holidays: z.array(localDateSchema),
  workdays: z.array(localDateSchema),
});

export const holidayCalendarDataSchema = z
  .record(z.string().regex(/^\d{4}$/, 'years are keyed by four digits'), yearSchema)
  .superRefine((years, ctx) => {
    for (const [year, entry] of Object.entries(years)) {
      const holidays = new Set(entry.holidays);
      for (const [list, dates] of [['holidays', entry.holidays], ['workdays', entry.workdays]] as const) {
        dates.forEach((date, index) => {
          const problem = dateProblem(year, list, date, holidays);
          if (problem) ctx.addIssue({ code: 'custom', path: [year, list, index], message: problem });
        });
      }
    }
  });

export type HolidayCalendarData = z.infer<typeof holidayCalendarDataSchema>;

export interface CalendarYear {
  year: number;
  source: string;
  provisional: boolean;
  note?: string;
}

/** Thrown when arithmetic reaches a year the holiday data does not cover: guessing would move legal deadlines. */
export class CalendarYearMissingError extends Error {
  override readonly name = 'CalendarYearMissingError';
  constructor(readonly year: number) {
    super(
      `the working-day calendar has no data for ${year}: add ${year} to the holiday calendar ` +
        `(domain/calendar-data/cn-holidays.json) from the State Council holiday notice`,
    );
  }
}

/**
 * How sure a computed deadline is: on published data (`certain`), on a
 * provisional year (`provisional`), or past the data on weekends alone
 * (`fallback`). Anything but `certain` is recomputed when the data changes.
 */
export type CalendarBasis = 'certain' | 'provisional' | 'fallback';

/** The arithmetic of a calendar; the lenient form never throws. */
export interface WorkingDayArithmetic {
  isWorkingDay(day: LocalDate | Date): boolean;
  addWorkingDays(from: Date, n: number): Date;
  subtractWorkingDays(at: Date, n: number): Date;
}

export interface WorkingCalendar {
  /** Covered years, oldest first; provisional years are usable but incomplete. */
  readonly years: readonly CalendarYear[];
  /** The last day the data covers (31 December of its last year), or null without data. */
  readonly horizon: LocalDate | null;
  /**
   * The same arithmetic, which past the data counts Saturdays and Sundays as
   * the only days off (the documented fallback) instead of refusing: a
   * deadline must never hang on a missing year.
   */
  readonly lenient: WorkingDayArithmetic;
  /** How sure arithmetic between two instants is: the worst of the years they span. */
  basisOf(from: Date, to: Date): CalendarBasis;
  isWorkingDay(day: LocalDate | Date): boolean;
  /** 17:00 China time of the n-th working day after the China-local date of `from`; n = 0 returns `from`. */
  addWorkingDays(from: Date, n: number): Date;
  /** 17:00 China time of the n-th working day before the China-local date of `at`; n = 0 returns `at`. */
  subtractWorkingDays(at: Date, n: number): Date;
}

export function createWorkingCalendar(data: unknown): WorkingCalendar {
  const parsed = holidayCalendarDataSchema.safeParse(data);
  if (!parsed.success) throw new Error(`invalid holiday calendar:\n${z.prettifyError(parsed.error)}`);

  const holidays = new Set<LocalDate>();
  const workdays = new Set<LocalDate>();
  const years = Object.entries(parsed.data)
    .map(([year, entry]): CalendarYear => {
      entry.holidays.forEach((date) => holidays.add(date));
      entry.workdays.forEach((date) => workdays.add(date));
      return {
        year: Number(year),
        source: entry.source,
        provisional: entry.provisional ?? false,
        ...(entry.note === undefined ? {} : { note: entry.note }),
      };
    })
    .sort((a, b) => a.year - b.year);
  const covered = new Set(years.map((entry) => entry.year));

  function isWorkingDayNumber(dayIndex: number, lenient = false): boolean {
    const date = calendarDateOfDayNumber(dayIndex);
    if (!covered.has(date.year)) {
      if (!lenient) throw new CalendarYearMissingError(date.year);
      const weekday = weekdayOfDayNumber(dayIndex);
      return weekday !== 0 && weekday !== 6;
    }
    const text = formatLocalDate(date);
    if (workdays.has(text)) return true;
    if (holidays.has(text)) return false;
    const weekday = weekdayOfDayNumber(dayIndex);
    return weekday !== 0 && weekday !== 6;
  }

  function step(start: Date, n: number, direction: 1 | -1, lenient = false): Date {
    requireValidDate(start);
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(`working days must be a whole number of at least 0, got ${n}`);
    }
    if (n === 0) return new Date(start.getTime());
    let dayIndex = dayNumber(chinaCalendarDate(start));
    for (let remaining = n; remaining > 0; ) {
      dayIndex += direction;
      if (isWorkingDayNumber(dayIndex, lenient)) remaining -= 1;
    }
    return chinaDateTime(calendarDateOfDayNumber(dayIndex), WORKING_DAY_END_HOUR);
  }

  const isWorkingDay = (lenient: boolean) => (day: LocalDate | Date) => {
    const date = typeof day === 'string' ? parseLocalDate(day) : chinaCalendarDate(day);
    if (!date) throw new RangeError(`${JSON.stringify(day)} is not a calendar date (YYYY-MM-DD)`);
    return isWorkingDayNumber(dayNumber(date), lenient);
  };
  const provisional = new Set(years.filter((entry) => entry.provisional).map((entry) => entry.year));
  const last = years.at(-1)?.year;

  return {
    years,
    horizon: last === undefined ? null : `${last}-12-31`,
    isWorkingDay: isWorkingDay(false),
    addWorkingDays: (from, n) => step(from, n, 1),
    subtractWorkingDays: (at, n) => step(at, n, -1),
    lenient: { isWorkingDay: isWorkingDay(true), addWorkingDays: (from, n) => step(from, n, 1, true), subtractWorkingDays: (at, n) => step(at, n, -1, true) },
    basisOf(from, to) {
      const [first, end] = [chinaCalendarDate(from).year, chinaCalendarDate(to).year].sort((a, b) => a - b) as [number, number];
      let basis: CalendarBasis = 'certain';
      for (let year = first; year <= end; year++) {
        if (!covered.has(year)) return 'fallback';
        if (provisional.has(year)) basis = 'provisional';
      }
      return basis;
    },
  };
}

function dateProblem(year: string, list: 'holidays' | 'workdays', date: LocalDate, holidays: Set<LocalDate>) {
  if (!date.startsWith(`${year}-`)) return `${date} is not in ${year}`;
  if (list === 'holidays') return null;
  if (!isWeekend(date)) return `${date} is a weekday already; adjusted workdays are weekend days`;
  if (holidays.has(date)) return `${date} is listed both as a holiday and as a workday`;
  return null;
}

function isWeekend(date: LocalDate): boolean {
  const parts = parseLocalDate(date);
  const weekday = parts ? weekdayOfDayNumber(dayNumber(parts)) : -1;
  return weekday === 0 || weekday === 6;
}

/** The holiday data shipped with the code; an operator imports newer years without a release. */
export const shippedHolidayData: HolidayCalendarData = holidayCalendarDataSchema.parse(holidayData);

/** Mainland China's calendar from the shipped holiday data. */
export const chinaWorkingCalendar: WorkingCalendar = createWorkingCalendar(holidayData);

/** Days from `today` to the horizon (negative once it has passed), or null without data. */
export function daysToHorizon(calendar: Pick<WorkingCalendar, 'horizon'>, today: Date): number | null {
  if (!calendar.horizon) return null;
  const horizon = parseLocalDate(calendar.horizon)!;
  return dayNumber(horizon) - dayNumber(chinaCalendarDate(today));
}

/** Fewer days than this before the horizon, and the operators are warned: the next year's notice is due. */
export const HORIZON_WARNING_DAYS = 120;

export const isWorkingDay = chinaWorkingCalendar.isWorkingDay;
export const addWorkingDays = chinaWorkingCalendar.addWorkingDays;
export const subtractWorkingDays = chinaWorkingCalendar.subtractWorkingDays;
