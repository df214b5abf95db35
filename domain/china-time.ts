// Mainland China has kept UTC+8 without daylight saving since 1992, so a fixed offset converts
// instants to local dates exactly and no time-zone database is needed (nor wanted in workflow code).
export const CHINA_UTC_OFFSET_MINUTES = 480;

const OFFSET_MS = CHINA_UTC_OFFSET_MINUTES * 60_000;
const DAY_MS = 86_400_000;

/** A China-local calendar date written `YYYY-MM-DD`. */
export type LocalDate = string;

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Proleptic Gregorian check done by hand: `Date.UTC` maps years 0–99 to 1900–1999. */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) && Number.isInteger(month) && Number.isInteger(day) &&
    year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
  );
}

/** Parses `YYYY-MM-DD`; null when the text is not a real calendar date. */
export function parseLocalDate(text: string): CalendarDate | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return isCalendarDate(year, month, day) ? { year, month, day } : null;
}

export function formatLocalDate({ year, month, day }: CalendarDate): LocalDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The China-local calendar date on which `instant` falls. */
export function chinaLocalDate(instant: Date): LocalDate {
  return formatLocalDate(chinaCalendarDate(instant));
}

export function chinaCalendarDate(instant: Date): CalendarDate {
  const shifted = new Date(requireValidDate(instant).getTime() + OFFSET_MS);
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/** The instant at `hour:minute` China time on the local date `date`. */
export function chinaDateTime(date: LocalDate | CalendarDate, hour: number, minute = 0): Date {
  const parts = typeof date === 'string' ? parseLocalDate(date) : date;
  if (!parts || !isCalendarDate(parts.year, parts.month, parts.day)) {
    throw new RangeError(`${JSON.stringify(date)} is not a calendar date (YYYY-MM-DD)`);
  }
  return new Date(utcMidnight(parts) + (hour * 60 + minute) * 60_000 - OFFSET_MS);
}

/** Days since 1970-01-01 of a calendar date; lets calendar code step by whole days. */
export function dayNumber(date: CalendarDate): number {
  return utcMidnight(date) / DAY_MS;
}

export function calendarDateOfDayNumber(dayIndex: number): CalendarDate {
  const date = new Date(dayIndex * DAY_MS);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOfDayNumber(dayIndex: number): number {
  return new Date(dayIndex * DAY_MS).getUTCDay();
}

/** The instant shifted so that its UTC fields read as China-local wall time, and back. */
export function toChinaWallClock(instant: Date): Date {
  return new Date(requireValidDate(instant).getTime() + OFFSET_MS);
}

export function fromChinaWallClock(wallClock: Date): Date {
  return new Date(wallClock.getTime() - OFFSET_MS);
}

export function requireValidDate(instant: Date): Date {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) {
    throw new RangeError('expected a valid Date');
  }
  return instant;
}

function utcMidnight({ year, month, day }: CalendarDate): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime();
}
