import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { createWorkingCalendar, holidayCalendarDataSchema, shippedHolidayData, type HolidayCalendarData, type WorkingCalendar } from '../domain/calendar.js';
import type { Prisma, PrismaClient } from '../prisma/generated/client.js';

const LOCK_KEY = 0x63616c656e6461n; // "calenda"

export interface CurrentCalendar {
  /** 0 for the data shipped with the code, before any import. */
  version: number;
  data: HolidayCalendarData;
  calendar: WorkingCalendar;
}

/**
 * The holiday calendar as data: each import becomes a numbered version, the
 * newest counts new deadlines. Before any import, the data shipped with the
 * code is the calendar.
 */
export function createCalendarVersions(prisma: PrismaClient) {
  let cached: CurrentCalendar | null = null;

  return {
    /** The newest version: one small query to see which it is, parsed only when it changed. */
    async current(): Promise<CurrentCalendar> {
      const { _max } = await prisma.calendarVersion.aggregate({ _max: { version: true } });
      const version = _max.version ?? 0;
      if (cached?.version === version) return cached;
      const stored = version === 0 ? null : await prisma.calendarVersion.findUniqueOrThrow({ where: { version } });
      const data = stored ? holidayCalendarDataSchema.parse(stored.data) : shippedHolidayData;
      cached = { version, data, calendar: createWorkingCalendar(data) };
      return cached;
    },

    /** Stores a calendar as the newest version; the same data again creates nothing. */
    async store(data: HolidayCalendarData): Promise<{ version: number; created: boolean }> {
      const canonical = canonicalize(data) ?? '{}';
      const checksum = createHash('sha256').update(canonical).digest('hex');
      const stored = await prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LOCK_KEY})`;
        const existing = await tx.calendarVersion.findUnique({ where: { checksum }, select: { version: true } });
        if (existing) return { version: existing.version, created: false };
        const { _max } = await tx.calendarVersion.aggregate({ _max: { version: true } });
        const version = (_max.version ?? 0) + 1;
        await tx.calendarVersion.create({ data: { version, checksum, data: JSON.parse(canonical) as Prisma.InputJsonValue } });
        return { version, created: true };
      });
      return stored;
    },
  };
}

export type CalendarVersions = ReturnType<typeof createCalendarVersions>;
