// The holiday calendar as data (SPC listing rules count deadlines in working
// days; the State Council publishes each year's holidays late in the year
// before): a deadline past the data is counted on weekends alone and flagged,
// never hangs, and is counted again when the year is imported.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chinaCalendarDate, chinaDateTime, dayNumber, calendarDateOfDayNumber, formatLocalDate, weekdayOfDayNumber } from '../../domain/china-time.js';
import { parsePolicy } from '../../domain/policy.js';
import { stateQuery } from '../../workflows/messages.js';
import { workflowIdOf } from '../../workflows/workflow-id.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { entityListing } from '../support/fixtures.js';
import { list, tasksOf } from '../support/listing-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';

const today = chinaCalendarDate(new Date());
const thisYear = today.year;
/** A year with no holidays at all: its working days are Monday to Friday. */
const plainYear = () => ({ source: 'test calendar', holidays: [] as string[], workdays: [] as string[] });
/** The first five weekdays of January next year, as days off: where the added year moves deadlines. */
const januaryHolidays = (() => {
  const days: string[] = [];
  for (let day = dayNumber({ year: thisYear + 1, month: 1, day: 1 }); days.length < 5; day++) {
    const weekday = weekdayOfDayNumber(day);
    if (weekday !== 0 && weekday !== 6) days.push(formatLocalDate(calendarDateOfDayNumber(day)));
  }
  return days;
})();
/** Weekdays from tomorrow to 15 February next year: a completion deadline that far lands past this year. */
const weekdaysToFebruary = (() => {
  let count = 0;
  for (let day = dayNumber(today) + 1; day <= dayNumber({ year: thisYear + 1, month: 2, day: 15 }); day++) {
    const weekday = weekdayOfDayNumber(day);
    if (weekday !== 0 && weekday !== 6) count++;
  }
  return count;
})();

/** The day number of the n-th weekday after a day. */
function weekdaysAfter(day: number, n: number): number {
  for (let counted = 0; counted < n; ) {
    day++;
    const weekday = weekdayOfDayNumber(day);
    if (weekday !== 0 && weekday !== 6) counted++;
  }
  return day;
}

let stack: TestStack;
let clerk: string;
const importCalendar = (body: unknown) => stack.request('POST', '/api/calendar', { key: stack.adminKey, body });

beforeAll(async () => {
  stack = await startTestStack({
    catalog: twoDepartmentCatalog(),
    policy: parsePolicy({ impose: { acknowledge: '2bd', complete: `${weekdaysToFebruary}bd` }, lift: { acknowledge: '1bd', complete: '3bd' } }),
  });
  clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
});

afterAll(async () => {
  await stack?.stop();
});

describe('the holiday calendar as data', () => {
  it('shows the shipped years, their sources and the horizon to every key', async () => {
    const view = await stack.request('GET', '/api/calendar', { key: clerk });
    expect(view.status).toBe(200);
    expect(view.body.years.map((year: { year: number }) => year.year)).toEqual([2025, 2026, 2027]);
    expect(view.body.years.find((year: { year: number }) => year.year === 2027).provisional).toBe(true);
    expect(view.body.horizon).toBe('2027-12-31');
    expect((await stack.request('GET', '/readyz')).body.calendar).toMatchObject({ horizon: '2027-12-31' });
  });

  it('refuses a malformed calendar with 400 naming the field, and anyone but an admin', async () => {
    const bad = await importCalendar({ [thisYear]: { source: 'test', holidays: ['2020-13-01'], workdays: [] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe(`${thisYear}.holidays.0`);
    expect((await stack.request('POST', '/api/calendar', { key: clerk, body: { [thisYear]: plainYear() } })).status).toBe(403);
    expect((await stack.request('GET', '/api/calendar', { key: clerk })).body.horizon).toBe('2027-12-31');
  });

  it('counts a deadline past the data on weekends alone and flags it, then counts it again when the year is added', async () => {
    const imported = await importCalendar({ [thisYear - 1]: plainYear(), [thisYear]: plainYear() });
    expect(imported.status).toBe(201);
    expect(imported.body.calendar.horizon).toBe(`${thisYear}-12-31`);

    const listingId = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执8801号' }));
    const [task] = await tasksOf(stack, listingId, 'impose', 2);
    const dispatched = await stack.prisma.task.findUniqueOrThrow({ where: { id: task!.id } });
    // Dispatched, not hung: past the data the completion deadline falls on 15 February next year, weekends only.
    expect(dispatched.deadlineBasis).toBe('fallback');
    expect(dispatched.completeDueAt).toEqual(chinaDateTime(calendarDateOfDayNumber(weekdaysAfter(dayNumber(today), weekdaysToFebruary)), 17));

    const added = await importCalendar({ [thisYear - 1]: plainYear(), [thisYear]: plainYear(), [thisYear + 1]: { source: 'test notice', holidays: januaryHolidays, workdays: [] } });
    expect(added.status).toBe(201);
    expect(added.body.rescheduledTasks).toBeGreaterThanOrEqual(1);
    const recounted = await stack.prisma.task.findUniqueOrThrow({ where: { id: task!.id } });
    expect(recounted.deadlineBasis).toBe('certain');
    // Five weekdays off in January: the deadline moves five working days later.
    expect(recounted.completeDueAt).toEqual(chinaDateTime(calendarDateOfDayNumber(weekdaysAfter(dayNumber(today), weekdaysToFebruary + 5)), 17));
    // The workflow follows the new instants: its alarms are set on them.
    const state = await stack.temporal.workflow.getHandle(workflowIdOf(listingId)).query(stateQuery);
    expect(state.tasks.find((t) => t.taskId === task!.id)!.schedule.completeDueAt).toBe(recounted.completeDueAt.toISOString());
    const events = await stack.prisma.event.findMany({ where: { taskId: task!.id, type: 'rescheduled' } });
    expect(events).toHaveLength(1);
  });

  it('warns when the data runs out: readiness, metrics, the supervisors’ page and one email a week to the coordinating office', async () => {
    await importCalendar({ [thisYear - 1]: plainYear() });
    const ready = (await stack.request('GET', '/readyz')).body.calendar;
    expect(ready).toMatchObject({ horizon: `${thisYear - 1}-12-31`, warning: true });
    expect(ready.daysLeft).toBeLessThan(0);
    const metrics = await (await fetch(`${stack.apiUrl}/metrics`, { headers: { authorization: `Bearer ${stack.adminKey}` } })).text();
    expect(metrics).toMatch(new RegExp(`^sanctions_calendar_horizon_days ${ready.daysLeft}$`, 'm'));

    // The relay's schedule may have sent this week's notice already, on the calendar of the test before.
    await stack.prisma.setting.deleteMany({ where: { key: { startsWith: 'calendarHorizonNotice:' } } });
    const before = stack.mail.messages.length;
    await stack.relay();
    await stack.relay();
    const notices = await waitUntil(async () => {
      const found = stack.mail.messages.slice(before).filter((message) => message.headers['x-notice-type'] === 'horizon');
      return found.length > 0 ? found : null;
    }, 'the horizon notice');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.envelopeTo).toEqual([twoDepartmentCatalog().coordinatingOffice.email]);
    expect(notices[0]!.text).toContain(`${thisYear - 1}-12-31`);
  });
});
