import { createCalendarVersions } from '../db/calendar-versions.js';
import { createCatalogVersions } from '../db/catalog-versions.js';
import { dueFreezeAlarms, freezeAlarms, nextFreezeAlarmAt, type FreezeAlarm } from '../domain/freeze-alarms.js';
import { answerSchedule } from '../domain/policy.js';
import { composeFreezeMail, type FreezeFacts, type FreezeMailType } from '../mail/compose-freeze-mail.js';
import type { ControlOrder, Freeze, Institution } from '../prisma/generated/client.js';
import { assetMailLedger, type AssetMail } from './asset-mail-ledger.js';
import type { ActivityDeps } from './deps.js';
import { sendEachOnceThrough } from './send-once.js';

export interface FreezeTurn {
  /** Whether the freeze still waits for anything: an order's confirmation, or its end. */
  open: boolean;
  /** The next reminder, escalation or end, or null. */
  wakeAt: string | null;
}

/**
 * The activity of a freeze's workflow: each turn it reads the freeze and its
 * orders, sends the notices of new orders, takes the reminders and
 * escalations of unconfirmed orders and of the coming end, records a lapse,
 * and says when the next thing falls due. Every email is sent at most once
 * (its key names the order or the end and the step), so a repeated turn
 * sends nothing twice.
 */
export function createFreezeActivities(deps: ActivityDeps) {
  const { prisma, policy, log, now = () => new Date() } = deps;
  const ledger = assetMailLedger(prisma);
  const calendars = createCalendarVersions(prisma);
  const catalogs = createCatalogVersions(prisma);

  async function coordinatingOffice(): Promise<{ name: string; email: string } | undefined> {
    const latest = await prisma.catalogVersion.findFirst({ orderBy: { version: 'desc' }, select: { version: true } });
    const office = latest ? (await catalogs.get(latest.version)).coordinatingOffice : undefined;
    return office ? { name: office.name_zh, email: office.email } : undefined;
  }

  function factsOf(freeze: Freeze, institution: Institution, order?: ControlOrder, dueAt?: Date): FreezeFacts {
    return {
      freezeId: freeze.id,
      orderId: order?.id,
      action: order?.action,
      courtCode: freeze.courtCode,
      caseNumber: freeze.caseNumber,
      institutionName: institution.name,
      assetKind: freeze.assetKind,
      account: freeze.account,
      amountYuan: Number(order?.amountYuan ?? freeze.amountYuan),
      until: order?.until ?? freeze.until,
      dueAt,
    };
  }

  const mail = (type: FreezeMailType, key: string, freeze: Freeze, facts: FreezeFacts, to: { name: string; email: string }, eventData: Record<string, unknown> = {}): AssetMail => ({
    id: key,
    type,
    to: [to.email],
    ...composeFreezeMail(type, facts, to.name),
    searchId: freeze.searchId,
    institutionCode: freeze.institutionCode,
    headers: { 'X-Freeze-Id': freeze.id, ...(facts.orderId ? { 'X-Control-Order-Id': facts.orderId } : {}) },
    eventData: { freezeId: freeze.id, ...(facts.orderId ? { orderId: facts.orderId } : {}), ...eventData },
  });

  return {
    async followFreeze({ freezeId }: { freezeId: string }): Promise<FreezeTurn> {
      const freeze = await prisma.freeze.findUniqueOrThrow({ where: { id: freezeId } });
      const orders = await prisma.controlOrder.findMany({ where: { freezeId }, orderBy: { orderedAt: 'asc' } });
      const institution = await prisma.institution.findUniqueOrThrow({ where: { code: freeze.institutionCode } });
      const { calendar } = await calendars.current();
      const at = now();
      const office = await coordinatingOffice();
      const officer = freeze.officerEmail ? { name: '承办人 / enforcement officer', email: freeze.officerEmail } : office;
      const mails: AssetMail[] = [];
      const upcoming: Date[] = [];

      // Every order reaches the institution once by email, even one it confirmed from the API before the mail went.
      const contact = { name: institution.name, email: institution.contactEmail };
      const undelivered = orders.filter((order) => order.deliveredAt === null && order.status !== 'void');
      for (const order of undelivered) mails.push(mail('control-order', `control-order.${order.id}.notice`, freeze, factsOf(freeze, institution, order, order.dueAt), contact));
      // Orders awaiting the institution's confirmation: the ladder of their deadline.
      const open = orders.filter((order) => order.status === 'open');
      for (const order of open) {
        const schedule = answerSchedule(policy, 'confirm', order.orderedAt, calendar);
        if (schedule.reminderAt && schedule.reminderAt <= at && at < order.dueAt) {
          mails.push(mail('control-order-reminder', `control-order.${order.id}.reminder`, freeze, factsOf(freeze, institution, order, order.dueAt), contact));
        }
        let level = 0;
        for (const step of schedule.escalations) {
          if (step.at > at) {
            upcoming.push(step.at);
            continue;
          }
          level = step.level;
          const to = step.notify === 'coordinating-office' ? office : { name: `${institution.name}主管 / supervisor`, email: institution.supervisorEmail };
          if (to) mails.push(mail('control-order-escalation', `control-order.${order.id}.escalation.${step.level}`, freeze, factsOf(freeze, institution, order, order.dueAt), to, { level: step.level, notify: step.notify }));
        }
        if (schedule.reminderAt && schedule.reminderAt > at) upcoming.push(schedule.reminderAt);
        if (level > order.escalationLevel) await prisma.controlOrder.updateMany({ where: { id: order.id, escalationLevel: { lt: level } }, data: { escalationLevel: level } });
      }

      // The freeze in force: its expiry.
      const renewalOrdered = open.some((order) => order.action === 'renew');
      const alarms = freezeAlarms({ id: freeze.id, status: freeze.status, until: freeze.until, renewalOrdered }, policy, calendar);
      let status = freeze.status;
      for (const alarm of dueFreezeAlarms(alarms, at)) {
        if (alarm.type === 'lapse') {
          status = (await lapse(freeze, at)) ?? status;
          for (const to of [officer, office].filter((each, index, all): each is { name: string; email: string } => each !== undefined && all.findIndex((other) => other?.email === each.email) === index)) {
            mails.push(mail('freeze-lapsed', `${alarm.key}.${to.email}`, freeze, factsOf(freeze, institution), to));
          }
        } else {
          const to = alarm.type === 'expiry-reminder' ? officer : office;
          if (to) mails.push(mail(alarm.type === 'expiry-reminder' ? 'freeze-expiry-reminder' : 'freeze-expiry-escalation', alarm.key, freeze, factsOf(freeze, institution), to));
        }
      }
      const next = nextFreezeAlarmAt(alarms.filter((alarm: FreezeAlarm) => alarm.at > at), at);
      if (next && status === 'active') upcoming.push(next);

      const { sent, alreadySent } = await sendEachOnceThrough(deps, ledger, mails);
      const delivered = undelivered.filter((order) => [...sent, ...alreadySent].includes(`control-order.${order.id}.notice`));
      if (delivered.length > 0) await prisma.controlOrder.updateMany({ where: { id: { in: delivered.map((order) => order.id) }, deliveredAt: null }, data: { deliveredAt: at } });

      const stillOpen = (status === 'ordered' || status === 'active') || (await prisma.controlOrder.count({ where: { freezeId, status: 'open' } })) > 0;
      const wakeAt = upcoming.filter((instant) => instant > at).sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
      return { open: stillOpen, wakeAt: wakeAt?.toISOString() ?? null };
    },
  };

  /**
   * The end came without a confirmed renewal: the freeze lapses, and orders
   * still awaiting confirmation are void (a deduction or release of a lapsed
   * freeze is refused). Recorded once, under the freeze's row lock, so a
   * confirmation that raced the end either moved it first or finds it lapsed.
   */
  async function lapse(freeze: Freeze, at: Date): Promise<string | null> {
    return prisma.$transaction(async (tx) => {
      const [current] = await tx.$queryRaw<Freeze[]>`SELECT * FROM "Freeze" WHERE id = ${freeze.id}::uuid FOR UPDATE`;
      if (!current || current.status !== 'active' || current.until.getTime() > at.getTime()) return current?.status ?? null;
      await tx.freeze.update({ where: { id: freeze.id }, data: { status: 'lapsed', endedAt: current.until } });
      const voided = await tx.controlOrder.updateMany({ where: { freezeId: freeze.id, status: 'open' }, data: { status: 'void' } });
      await tx.assetEvent.create({
        data: { id: `freeze.${freeze.id}.lapsed`, searchId: freeze.searchId, institutionCode: freeze.institutionCode, at, type: 'freeze-lapsed', actor: 'system', data: { freezeId: freeze.id, until: current.until.toISOString(), voidedOrders: voided.count } },
      });
      log.warn({ freezeId: freeze.id, until: current.until.toISOString() }, 'a freeze lapsed without renewal');
      return 'lapsed';
    });
  }
}
