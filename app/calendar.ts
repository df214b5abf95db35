import type { Logger } from 'pino';
import type { CalendarVersions } from '../db/calendar-versions.js';
import { HORIZON_WARNING_DAYS, daysToHorizon, holidayCalendarDataSchema } from '../domain/calendar.js';
import type { PrismaClient } from '../prisma/generated/client.js';
import { invalid } from './errors.js';
import { fieldErrorsOf } from './validate.js';
import type { WorkflowGateway } from './workflow-gateway.js';

/**
 * The holiday calendar as operators keep it: each year is added from the
 * State Council's notice without a release. Deadlines counted on incomplete
 * data (a provisional year, or past the last year on weekends alone) are
 * counted again when a new version arrives.
 */
export function createCalendarService({ prisma, calendars, workflows, log, now = () => new Date() }: { prisma: PrismaClient; calendars: CalendarVersions; workflows: WorkflowGateway; log?: Logger | undefined; now?: () => Date }) {
  async function view() {
    const { version, calendar } = await calendars.current();
    const daysLeft = daysToHorizon(calendar, now());
    return {
      version,
      horizon: calendar.horizon,
      daysLeft,
      warning: daysLeft === null || daysLeft < HORIZON_WARNING_DAYS,
      years: calendar.years.map((year) => ({ year: year.year, source: year.source, provisional: year.provisional, ...(year.note ? { note: year.note } : {}) })),
    };
  }

  return {
    /** GET /api/calendar — the years covered, the horizon and whether it is near. */
    view,

    /**
     * POST /api/calendar (admin) — the whole calendar, every year. Open tasks
     * whose deadlines were counted on incomplete data are counted again.
     */
    async import(body: unknown) {
      const parsed = holidayCalendarDataSchema.safeParse(body);
      if (!parsed.success) throw invalid('The holiday calendar is not valid.', fieldErrorsOf(parsed.error));
      const stored = await calendars.store(parsed.data);
      let rescheduled = 0;
      if (stored.created) {
        const listings = await prisma.task.findMany({ where: { deadlineBasis: { not: 'certain' }, openDeadlineAt: { not: null } }, distinct: ['listingId'], select: { listingId: true } });
        for (const { listingId } of listings) {
          const result = await workflows.reschedule(listingId);
          if (result.refused) log?.info({ listingId, refused: result.refused }, 'listing not rescheduled');
          else rescheduled += result.rescheduled;
        }
      }
      return { ...stored, rescheduledTasks: rescheduled, calendar: await view() };
    },
  };
}

export type CalendarService = ReturnType<typeof createCalendarService>;
