import { createCalendarVersions } from '../db/calendar-versions.js';
import { createCatalogVersions } from '../db/catalog-versions.js';
import { appendEvents } from '../db/events.js';
import { objectionAlarms, objectionClock, reconsiderationWindowEnd, type ObjectionAlarm } from '../domain/objections.js';
import { composeObjectionMail } from '../mail/compose-notices.js';
import type { Listing } from '../prisma/generated/client.js';
import { activityLog } from './activity-log.js';
import type { ActivityDeps } from './deps.js';
import { sendOnce } from './send-once.js';

export interface ObjectionTurn {
  /** False once nothing more can happen: remedied, closed, or the window for reconsideration passed. */
  open: boolean;
  /** When the next reminder or escalation falls due, or the window closes; null for none. */
  wakeAt: string | null;
}

/**
 * One turn of an objection's workflow: read the objection, take each
 * reminder and escalation of its open duty that is due (each email once),
 * close a rejection whose window for reconsideration has passed, and say
 * when to look again.
 */
export function createObjectionActivities(deps: ActivityDeps) {
  const { prisma, policy, log, now = () => new Date() } = deps;
  const calendars = createCalendarVersions(prisma);
  const catalogs = createCatalogVersions(prisma);

  /**
   * Who hears of a court's duty: the courts' side of the coordination (the
   * department whose role is `initiator`, the higher people's court), its
   * head on the first escalation, the coordinating office after.
   */
  async function recipientOf(listing: Listing, alarm: ObjectionAlarm): Promise<{ name: string; email: string }> {
    const office = (await catalogs.get(listing.catalogVersion)).coordinatingOffice;
    const toOffice = { name: office.name_zh, email: office.email };
    const court = await prisma.department.findFirst({ where: { role: 'initiator' }, orderBy: { code: 'asc' } });
    if (!court) return toOffice;
    if (alarm.action.type === 'reminder') return { name: court.nameZh, email: court.contactEmail };
    if (alarm.action.notify === 'department-supervisor') return { name: `${court.nameZh}负责同志`, email: court.supervisorEmail };
    return toOffice;
  }

  return {
    async followObjection({ objectionId }: { objectionId: string }): Promise<ObjectionTurn> {
      const at = now();
      const objection = await prisma.objection.findUnique({ where: { id: objectionId }, include: { listing: true } });
      if (!objection) return { open: false, wakeAt: null };
      const { calendar } = await calendars.current();
      const days = calendar.lenient;

      if (objection.status === 'rejected') {
        const windowEnd = reconsiderationWindowEnd(objection.decidedAt!, days);
        if (at.getTime() < windowEnd.getTime()) return { open: true, wakeAt: windowEnd.toISOString() };
        const closed = await prisma.$transaction(async (tx) => {
          const { count } = await tx.objection.updateMany({ where: { id: objectionId, status: 'rejected' }, data: { status: 'closed' } });
          if (count > 0) {
            await appendEvents(tx, objection.listingId, [{ id: `${objectionId}.closed`, at, type: 'objection-closed', actor: 'system', data: { objectionId, reason: 'no reconsideration applied for within 10 days (art. 12)' } }]);
          }
          return count > 0;
        });
        // Not closed: an application came in meanwhile (received in time, recorded late); follow it.
        return closed ? { open: false, wakeAt: null } : { open: true, wakeAt: at.toISOString() };
      }

      const clock = objectionClock(objection, days);
      if (!clock) return { open: false, wakeAt: null };
      const alarms = objectionAlarms(clock, policy, days);
      for (const alarm of alarms.filter((candidate) => candidate.at.getTime() <= at.getTime())) {
        // A reminder that comes too late (the worker was down) would only confuse.
        if (alarm.action.type === 'reminder' && at.getTime() >= clock.dueAt.getTime()) continue;
        const type = alarm.action.type === 'reminder' ? 'objection-reminder' : 'objection-escalation';
        const composed = composeObjectionMail(objection, objection.listing, clock, alarm, await recipientOf(objection.listing, alarm));
        if (alarm.action.type === 'escalation') {
          await prisma.objection.updateMany({ where: { id: objectionId, duty: clock.duty, escalationLevel: { lt: alarm.action.level } }, data: { escalationLevel: alarm.action.level } });
        }
        const result = await sendOnce(deps, {
          id: `${objectionId}.${alarm.key}`,
          listingId: objection.listingId,
          type,
          ...composed,
          headers: { 'X-Objection-Id': objectionId },
          eventData: { objectionId, duty: clock.duty, dueAt: clock.dueAt.toISOString(), ...(alarm.action.type === 'escalation' ? { level: alarm.action.level, notify: alarm.action.notify } : {}) },
        });
        if (result.sent) activityLog(log).info({ objectionId, type, duty: clock.duty, messageId: result.messageId }, 'mail sent');
      }
      const next = alarms.map((alarm) => alarm.at.getTime()).filter((time) => time > at.getTime()).sort((a, b) => a - b)[0];
      return { open: true, wakeAt: next === undefined ? null : new Date(next).toISOString() };
    },
  };
}
