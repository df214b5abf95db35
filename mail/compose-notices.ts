/**
 * Emails about a listing that are not a department's task: the art. 8 notice
 * to a public office holder's unit, and the reminders and escalations of an
 * objection's deadlines (arts. 11–12). In Chinese: they go to courts and
 * Chinese bodies.
 */
import { disclosedIdentifier } from '../domain/disclosure.js';
import type { ObjectionAlarm, ObjectionClock } from '../domain/objections.js';
import type { Listing, Objection } from '../prisma/generated/client.js';
import { fill, formatChinaTime, mailStrings, renderMail, type RenderedMail } from './render.js';

export interface PublicRole {
  role: 'state-employee' | 'npc-deputy' | 'cppcc-member';
  unitName: string;
  unitEmail: string;
}

export interface ComposedNotice extends RenderedMail {
  to: string[];
}

const t = mailStrings('zh-CN');

function listingFacts(listing: Listing) {
  return [
    [t.labels.caseNumber, listing.caseNumber],
    [t.labels.court, listing.courtCode],
    [t.labels.debtor, `${listing.debtorName} (${listing.debtorKind === 'entity' ? t.debtorKinds.entity : t.debtorKinds.individual})`],
    [t.labels.idNumber, disclosedIdentifier({ channel: 'email' }, listing.debtorIdNumber)],
  ];
}

const asFacts = (rows: string[][]) => rows.map(([label, value]) => ({ label: label!, value: value! }));

/** Art. 8: the court notifies the unit of a state employee, or the body of an NPC deputy or CPPCC member. */
export function composePublicRoleNotice(listing: Listing, publicRole: PublicRole): ComposedNotice {
  const values = { court: listing.courtCode, debtor: listing.debtorName, caseNumber: listing.caseNumber, role: t.publicRole.roles[publicRole.role], unit: publicRole.unitName };
  const subject = fill(t.publicRole.subject, values);
  const rendered = renderMail('notice', subject, {
    lang: t.lang,
    greeting: fill(t.greeting, { name: publicRole.unitName }),
    intro: fill(t.publicRole.body, values),
    facts: asFacts(listingFacts(listing)),
    footer: t.publicRole.footer,
  });
  return { ...rendered, to: [publicRole.unitEmail] };
}

/** A reminder or an escalation of an objection's open duty, to the court side or the coordinating office. */
export function composeObjectionMail(objection: Objection, listing: Listing, clock: ObjectionClock, alarm: ObjectionAlarm, recipient: { name: string; email: string }): ComposedNotice {
  const kind = alarm.action.type;
  const values = {
    debtor: listing.debtorName,
    caseNumber: listing.caseNumber,
    duty: t.objection.duties[clock.duty],
    dueAt: formatChinaTime(clock.dueAt),
    level: alarm.action.type === 'escalation' ? alarm.action.level : 0,
    objectionId: objection.id,
  };
  const subject = fill(t.objection.subjects[kind], values);
  const rendered = renderMail('notice', subject, {
    lang: t.lang,
    greeting: fill(t.greeting, { name: recipient.name }),
    intro: fill(t.objection.bodies[kind], values),
    facts: asFacts([
      ...listingFacts(listing),
      [t.objection.labels.ground, t.objection.grounds[objection.ground as keyof typeof t.objection.grounds] ?? objection.ground],
      [t.objection.labels.receivedAt, formatChinaTime(objection.receivedAt)],
      [t.objection.labels.duty, t.objection.duties[clock.duty]],
      [t.objection.labels.dueAt, formatChinaTime(clock.dueAt)],
    ]),
    footer: fill(t.objection.footer, values),
  });
  return { ...rendered, to: [recipient.email] };
}
