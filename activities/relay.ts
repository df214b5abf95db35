import { createCalendarVersions } from '../db/calendar-versions.js';
import { createCatalogVersions } from '../db/catalog-versions.js';
import { HORIZON_WARNING_DAYS, daysToHorizon } from '../domain/calendar.js';
import { composeHorizonNotice } from '../mail/compose-horizon-notice.js';
import { activityLog } from './activity-log.js';
import type { ActivityDeps } from './deps.js';

/** The ISO week of a day, e.g. 2027-W36: the horizon notice goes out once in each. */
function isoWeek(day: Date): string {
  const date = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  return `${date.getUTCFullYear()}-W${String(Math.ceil(((date.getTime() - yearStart) / 86_400_000 + 1) / 7)).padStart(2, '0')}`;
}

/**
 * What the relay schedule runs: start the workflows of what was recorded but
 * never started, and while the holiday calendar is about to run out, tell
 * the coordinating office once a week.
 */
export function createRelayActivities({ prisma, relay, mail, mailFrom, log, now = () => new Date() }: ActivityDeps) {
  const calendars = createCalendarVersions(prisma);
  const catalogs = createCatalogVersions(prisma);

  async function warnOfCalendarHorizon(): Promise<void> {
    const today = now();
    const { calendar } = await calendars.current();
    const daysLeft = daysToHorizon(calendar, today);
    if (daysLeft !== null && daysLeft >= HORIZON_WARNING_DAYS) return;
    const week = isoWeek(today);
    const key = `calendarHorizonNotice:${week}`;
    if (await prisma.setting.findUnique({ where: { key } })) return;
    const latest = await prisma.catalogVersion.findFirst({ orderBy: { version: 'desc' }, select: { version: true } });
    const office = latest ? (await catalogs.get(latest.version)).coordinatingOffice : undefined;
    activityLog(log).warn({ horizon: calendar.horizon, daysLeft }, 'the holiday calendar is about to run out: import the next year');
    if (!office) return;
    await mail.sendMail(composeHorizonNotice({ horizon: calendar.horizon, daysLeft, mailFrom, to: office.email, week }));
    await prisma.setting.createMany({ data: [{ key, value: today.toISOString() }], skipDuplicates: true });
  }

  return {
    async startMissingWorkflows() {
      const started = await relay.startMissingWorkflows();
      await warnOfCalendarHorizon();
      return started;
    },
  };
}
