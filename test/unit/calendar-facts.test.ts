// Every holiday and adjusted working day of the data, against the State
// Council's notices (国办发明电〔2024〕12号 for 2025, 〔2025〕7号 for 2026) and,
// for 2027, the days certain from the holiday regulation (国务院令第795号) until
// its notice is published.
import { describe, expect, it } from 'vitest';
import { chinaWorkingCalendar, createWorkingCalendar, daysToHorizon, shippedHolidayData } from '../../domain/calendar.js';
import { taskSchedule, defaultPolicy, parsePolicy } from '../../domain/policy.js';

const cst = (local: string) => new Date(`${local}+08:00`);

describe('the shipped holiday data', () => {
  for (const [year, entry] of Object.entries(shippedHolidayData)) {
    it(`${year} (${entry.source}): every listed holiday is a day off, every adjusted working day a working day`, () => {
      for (const day of entry.holidays) expect(chinaWorkingCalendar.isWorkingDay(day), day).toBe(false);
      for (const day of entry.workdays) expect(chinaWorkingCalendar.isWorkingDay(day), day).toBe(true);
    });
  }

  it('2026: the Spring Festival runs 15–23 February, with 14 and 28 February worked (国办发明电〔2025〕7号)', () => {
    for (const day of ['2026-02-15', '2026-02-16', '2026-02-20', '2026-02-23']) expect(chinaWorkingCalendar.isWorkingDay(day)).toBe(false);
    for (const day of ['2026-02-14', '2026-02-24', '2026-02-28']) expect(chinaWorkingCalendar.isWorkingDay(day)).toBe(true);
  });

  it('2027 (provisional): 清明 5 April, 端午 9 June and 中秋 15 September are days off, as the regulation makes them', () => {
    for (const day of ['2027-04-05', '2027-06-09', '2027-09-15']) expect(chinaWorkingCalendar.isWorkingDay(day), day).toBe(false);
    expect(chinaWorkingCalendar.years.find((entry) => entry.year === 2027)?.provisional).toBe(true);
  });

  it('reaches 31 December 2027', () => {
    expect(chinaWorkingCalendar.horizon).toBe('2027-12-31');
    expect(daysToHorizon(chinaWorkingCalendar, cst('2027-09-02T10:00:00'))).toBe(120);
  });
});

describe('a deadline past the data never hangs', () => {
  const twoYears = createWorkingCalendar({ 2025: shippedHolidayData['2025'], 2026: shippedHolidayData['2026'] });

  it('counts Saturdays and Sundays alone past the last year, and says so', () => {
    const policy = parsePolicy({ impose: { acknowledge: '2bd', complete: '30bd' } });
    const schedule = taskSchedule(policy, 'impose', cst('2026-12-21T10:00:00'), twoYears);
    expect(schedule.basis).toBe('fallback');
    // 1 January 2027 is a Friday: past the data it is a working day.
    expect(twoYears.lenient.isWorkingDay('2027-01-01')).toBe(true);
    expect(() => twoYears.isWorkingDay('2027-01-01')).toThrow(/no data for 2027/);
  });

  it('marks deadlines counted on a provisional year, and none counted on published years', () => {
    expect(taskSchedule(defaultPolicy, 'impose', cst('2027-03-01T10:00:00')).basis).toBe('provisional');
    expect(taskSchedule(defaultPolicy, 'impose', cst('2026-03-02T10:00:00')).basis).toBe('certain');
  });
});
