import { describe, expect, it } from 'vitest';
import {
  addWorkingDays, CalendarYearMissingError, chinaWorkingCalendar, createWorkingCalendar, isWorkingDay,
  subtractWorkingDays, WORKING_DAY_END_HOUR, WORKING_DAY_START_HOUR,
} from '../../domain/calendar.js';
import { chinaLocalDate } from '../../domain/china-time.js';

/** An instant written in China time. */
const cst = (local: string) => new Date(`${local}+08:00`);

function datesBetween(first: string, last: string): string[] {
  const dates: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= Date.parse(`${last}T00:00:00Z`); t += 86_400_000) {
    dates.push(new Date(t).toISOString().slice(0, 10));
  }
  return dates;
}

describe('isWorkingDay', () => {
  it('knows the 2026 Spring Festival: 02-15..02-23 off, Saturdays 02-14 and 02-28 worked', () => {
    expect(isWorkingDay('2026-02-13')).toBe(true);
    expect(isWorkingDay('2026-02-14')).toBe(true);
    for (const date of datesBetween('2026-02-15', '2026-02-23')) expect(isWorkingDay(date), date).toBe(false);
    expect(isWorkingDay('2026-02-24')).toBe(true);
    expect(isWorkingDay('2026-02-28')).toBe(true);
    expect(isWorkingDay('2026-03-01')).toBe(false);
  });

  it('knows the 2026 National Day: 10-01..10-07 off, Sunday 09-20 and Saturday 10-10 worked', () => {
    expect(isWorkingDay('2026-09-19')).toBe(false);
    expect(isWorkingDay('2026-09-20')).toBe(true);
    for (const date of datesBetween('2026-10-01', '2026-10-07')) expect(isWorkingDay(date), date).toBe(false);
    expect(isWorkingDay('2026-10-08')).toBe(true);
    expect(isWorkingDay('2026-10-10')).toBe(true);
    expect(isWorkingDay('2026-10-11')).toBe(false);
  });

  it('treats ordinary weekends as days off and ordinary weekdays as working days', () => {
    expect(isWorkingDay('2026-03-07')).toBe(false); // Saturday
    expect(isWorkingDay('2026-03-08')).toBe(false); // Sunday
    expect(isWorkingDay('2026-03-09')).toBe(true); // Monday
    expect(isWorkingDay('2025-10-08')).toBe(false); // 2025 National Day and Mid-Autumn
    expect(isWorkingDay('2025-10-11')).toBe(true); // Saturday worked
  });

  it('reads an instant on its China-local date', () => {
    expect(isWorkingDay(new Date('2026-02-13T15:59:59Z'))).toBe(true); // Friday 23:59 CST
    expect(isWorkingDay(new Date('2026-02-14T16:00:00Z'))).toBe(false); // Sunday 00:00 CST
  });

  it('rejects a string that is not a date', () => {
    expect(() => isWorkingDay('2026-02-30')).toThrow(/not a calendar date/);
  });
});

describe('addWorkingDays', () => {
  it('counts from the China-local date and falls due at 17:00 China time', () => {
    const fridayMorning = cst('2026-02-13T10:00:00');
    expect(addWorkingDays(fridayMorning, 1)).toEqual(cst('2026-02-14T17:00:00'));
    expect(addWorkingDays(fridayMorning, 2)).toEqual(cst('2026-02-24T17:00:00'));
    expect(addWorkingDays(fridayMorning, 5)).toEqual(cst('2026-02-27T17:00:00'));
    expect(addWorkingDays(fridayMorning, 6)).toEqual(cst('2026-02-28T17:00:00'));
    expect(addWorkingDays(fridayMorning, 7)).toEqual(cst('2026-03-02T17:00:00'));
  });

  it('skips National Day and counts the adjusted Sunday and Saturday', () => {
    expect(addWorkingDays(cst('2026-09-18T10:00:00'), 1)).toEqual(cst('2026-09-20T17:00:00'));
    const eve = cst('2026-09-30T16:00:00');
    expect(addWorkingDays(eve, 1)).toEqual(cst('2026-10-08T17:00:00'));
    expect(addWorkingDays(eve, 3)).toEqual(cst('2026-10-10T17:00:00'));
    expect(addWorkingDays(eve, 4)).toEqual(cst('2026-10-12T17:00:00'));
  });

  it('uses the China date for late-evening instants and ordinary weekends', () => {
    // Friday 23:30 China time is still Friday there, though already past 15:00 UTC.
    expect(addWorkingDays(new Date('2026-03-06T15:30:00Z'), 1)).toEqual(cst('2026-03-09T17:00:00'));
    // Saturday 00:30 China time is Friday in UTC; the weekend is skipped from Saturday.
    expect(addWorkingDays(new Date('2026-03-06T16:30:00Z'), 1)).toEqual(cst('2026-03-09T17:00:00'));
    expect(addWorkingDays(cst('2026-03-07T12:00:00'), 2)).toEqual(cst('2026-03-10T17:00:00'));
  });

  it('returns the start unchanged for 0 and rejects negative or fractional counts', () => {
    const from = cst('2026-02-15T10:11:12');
    expect(addWorkingDays(from, 0)).toEqual(from);
    expect(() => addWorkingDays(from, -1)).toThrow(RangeError);
    expect(() => addWorkingDays(from, 1.5)).toThrow(RangeError);
  });

  it('always lands on a working day at the close of working hours, after the start', () => {
    for (let t = Date.parse('2025-01-01T00:00:00Z'); t < Date.parse('2026-12-20T00:00:00Z'); t += 7 * 3_600_000) {
      const due = addWorkingDays(new Date(t), 1);
      expect(isWorkingDay(due)).toBe(true);
      expect(due.getTime()).toBeGreaterThan(t);
      expect(due.getUTCHours()).toBe(WORKING_DAY_END_HOUR - 8);
      expect(due.getUTCMinutes()).toBe(0);
    }
  });

  it('carries on into the provisional year 2027', () => {
    expect(addWorkingDays(cst('2026-12-31T10:00:00'), 1)).toEqual(cst('2027-01-04T17:00:00'));
    expect(addWorkingDays(cst('2027-02-04T10:00:00'), 1)).toEqual(cst('2027-02-09T17:00:00'));
  });
});

describe('subtractWorkingDays', () => {
  it('goes back to 17:00 China time of an earlier working day', () => {
    expect(subtractWorkingDays(cst('2026-02-24T17:00:00'), 1)).toEqual(cst('2026-02-14T17:00:00'));
    expect(subtractWorkingDays(cst('2026-02-24T17:00:00'), 2)).toEqual(cst('2026-02-13T17:00:00'));
    expect(subtractWorkingDays(cst('2026-10-08T17:00:00'), 1)).toEqual(cst('2026-09-30T17:00:00'));
    expect(subtractWorkingDays(cst('2026-09-21T09:00:00'), 1)).toEqual(cst('2026-09-20T17:00:00'));
  });

  it('returns the instant unchanged for 0', () => {
    const at = cst('2026-02-15T10:11:12');
    expect(subtractWorkingDays(at, 0)).toEqual(at);
  });
});

describe('coverage', () => {
  it('names the missing year', () => {
    expect(() => addWorkingDays(cst('2027-12-30T10:00:00'), 5)).toThrow(CalendarYearMissingError);
    expect(() => addWorkingDays(cst('2027-12-30T10:00:00'), 5)).toThrow(/no data for 2028/);
    expect(() => isWorkingDay('2024-05-01')).toThrow(/no data for 2024/);
    expect(() => subtractWorkingDays(cst('2025-01-03T10:00:00'), 3)).toThrow(/no data for 2024/);
  });

  it('lists the years it covers and marks 2027 provisional', () => {
    expect(chinaWorkingCalendar.years.map(({ year, provisional }) => [year, provisional])).toEqual([
      [2025, false],
      [2026, false],
      [2027, true],
    ]);
    expect(chinaWorkingCalendar.years.find((entry) => entry.year === 2026)?.source).toBe('国办发明电〔2025〕7号');
  });

  it('exports working hours of 09:00–17:00', () => {
    expect([WORKING_DAY_START_HOUR, WORKING_DAY_END_HOUR]).toEqual([9, 17]);
  });
});

describe('createWorkingCalendar', () => {
  const year = (holidays: string[], workdays: string[]) => ({ '2030': { source: 'test', holidays, workdays } });

  it('accepts a new year as pure data', () => {
    const calendar = createWorkingCalendar(year(['2030-01-01'], ['2030-01-05']));
    expect(calendar.isWorkingDay('2030-01-01')).toBe(false);
    expect(calendar.isWorkingDay('2030-01-05')).toBe(true);
    expect(chinaLocalDate(calendar.addWorkingDays(cst('2029-12-31T10:00:00'), 1))).toBe('2030-01-02');
  });

  it('rejects inconsistent data with the offending path', () => {
    expect(() => createWorkingCalendar(year([], ['2030-01-07']))).toThrow(/2030-01-07 is a weekday already[\s\S]*2030\.workdays\[0\]/);
    expect(() => createWorkingCalendar(year(['2031-01-01'], []))).toThrow(/2031-01-01 is not in 2030/);
    expect(() => createWorkingCalendar(year(['2030-02-30'], []))).toThrow(/YYYY-MM-DD/);
    expect(() => createWorkingCalendar(year(['2030-01-05'], ['2030-01-05']))).toThrow(/both as a holiday and as a workday/);
  });
});
