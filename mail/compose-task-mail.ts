import type { Catalog } from '../domain/catalog.js';
import { CIRCUMSTANCES, type CircumstanceCode } from '../domain/circumstances.js';
import { disclosedIdentifier } from '../domain/disclosure.js';
import { boundPersonsOf } from '../db/restrictions.js';
import type { Prisma } from '../prisma/generated/client.js';
import { createLinkToken, createReplyLocalPart } from '../platform/signed-tokens.js';
import type { Keyring } from '../platform/signing.js';
import type { DeadlineKind, EscalationTarget, NoticeType } from '../workflows/types.js';
import { fill, formatChinaTime, mailStrings, renderMail, type MailLocale, type RenderedMail } from './render.js';

export type TaskWithContext = Prisma.TaskGetPayload<{ include: { department: true; listing: true } }>;

export interface TaskMailRequest {
  type: NoticeType;
  deadline?: DeadlineKind | undefined;
  level?: number | undefined;
  notify?: EscalationTarget | undefined;
}

export interface MailSettings {
  mailFrom: string;
  publicBaseUrl: string;
  /** Signs the one-click links and the reply address. */
  keyring: Keyring;
  /** Replies are received (INBOUND_SMTP_PORT is set): only then do notices carry a reply address and say how to reply. */
  repliesEnabled: boolean;
}

export interface ComposedMail extends RenderedMail {
  to: string[];
  replyTo: string | null;
}

/** A one-click link stays usable this long after the task's completion deadline. */
export const LINK_GRACE_MS = 30 * 24 * 3600 * 1000;

/** The domain of the sender address: Message-IDs and reply addresses live there. */
export function mailDomain(from: string): string {
  return /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'localhost';
}

/** The notification key: one email per task, type and (for reminders and escalations) step. */
export function notificationKey(taskId: string, request: TaskMailRequest): string {
  if (request.type === 'reminder') return `${taskId}.reminder.${request.deadline}`;
  if (request.type === 'escalation') return `${taskId}.escalation.${request.deadline}.${request.level}`;
  return `${taskId}.${request.type}`;
}

/** What a correction task's mail says of its correction: why, and which fields changed. */
export interface CorrectionSummary {
  reason: string;
  columns: string[];
}

/**
 * Builds one email about one task from what the database holds now, so an
 * address or language change applies at once. Written in the department's
 * language; escalations to the coordinating office in Chinese.
 * `catalog` is the version the listing was dispatched under; `closedRecipients`
 * are everyone who was mailed about the department's tasks.
 */
export function composeTaskMail(
  settings: MailSettings,
  task: TaskWithContext,
  catalog: Catalog,
  request: TaskMailRequest,
  closedRecipients: string[] = [],
  correction: CorrectionSummary | null = null,
): ComposedMail {
  const { listing, department } = task;
  const toOffice = request.type === 'escalation' && request.notify === 'coordinating-office';
  const locale: MailLocale = !toOffice && department.locale === 'en' ? 'en' : 'zh-CN';
  const t = mailStrings(locale);
  const measureName = new Map(catalog.measures.map((m) => [m.code, locale === 'en' ? m.name_en : m.name_zh]));
  const departmentName = locale === 'en' ? department.nameEn : department.nameZh;
  const lifting = task.kind === 'lift';
  const correcting = task.kind === 'correct';
  const deadline = request.deadline ?? 'acknowledge';
  const dueAt = formatChinaTime(deadline === 'acknowledge' ? task.acknowledgeDueAt : task.completeDueAt, locale);
  const deadlineLabel = deadline === 'acknowledge' ? t.labels.acknowledgeDeadline : t.labels.completeDeadline;
  const action =
    deadline === 'acknowledge' ? t.deadlineAction.acknowledge : lifting ? t.deadlineAction.completeLift : correcting ? t.deadlineAction.completeCorrection : t.deadlineAction.completeImpose;
  const circumstance = CIRCUMSTANCES[listing.circumstance as CircumstanceCode];
  const values = {
    court: listing.courtCode,
    debtor: listing.debtorName,
    caseNumber: listing.caseNumber,
    department: departmentName,
    deadline: deadlineLabel,
    dueAt,
    action,
    level: request.level ?? 0,
    phase: lifting ? t.phase.lift : correcting ? t.phase.correct : t.phase.impose,
    reason: correcting ? (correction?.reason ?? '') : (t.liftReasons[(listing.liftReason ?? 'performance') as keyof typeof t.liftReasons] ?? ''),
    status: listing.status === 'revoked' ? t.closedStatus.revoked : t.closedStatus.lifted,
    taskId: task.id,
  };
  const bodies: Record<NoticeType, string> = {
    notice: t.bodies.notice,
    'lift-notice': t.bodies.liftNotice,
    correction: t.bodies.correction,
    reminder: t.bodies.reminder,
    escalation: t.bodies.escalation,
    closed: t.bodies.closed,
  };
  const recipientName = request.type !== 'escalation' ? departmentName : toOffice ? catalog.coordinatingOffice?.name_zh ?? t.coordinatingOffice : fill(t.supervisorOf, values);
  const actionable = request.type === 'notice' || request.type === 'lift-notice' || request.type === 'correction' || request.type === 'reminder';
  const link = (which: 'acknowledge' | 'complete') => {
    const expiresAt = Math.floor((task.completeDueAt.getTime() + LINK_GRACE_MS) / 1000);
    return `${settings.publicBaseUrl}/ack/${createLinkToken(settings.keyring, { taskId: task.id, action: which, expiresAt })}`;
  };
  const facts = [
    [t.labels.caseNumber, listing.caseNumber],
    [t.labels.court, listing.courtCode],
    [t.labels.debtor, `${listing.debtorName} (${listing.debtorKind === 'entity' ? t.debtorKinds.entity : t.debtorKinds.individual})`],
    [t.labels.idNumber, disclosedIdentifier({ channel: 'email' }, listing.debtorIdNumber)],
    ...boundPersonsOf(listing).map((person) => [t.roles[person.role] ?? person.role, `${person.name} (${disclosedIdentifier({ channel: 'email' }, person.idNumber)})`]),
    [t.labels.circumstance, circumstance ? (locale === 'en' ? circumstance.en : circumstance.zh) : listing.circumstance],
    [t.labels.department, departmentName],
    [t.labels.acknowledgeDeadline, formatChinaTime(task.acknowledgeDueAt, locale)],
    [t.labels.completeDeadline, formatChinaTime(task.completeDueAt, locale)],
    ...(correcting && correction
      ? [
          [t.labels.correctedFields, correction.columns.map((column) => t.fields[column as keyof typeof t.fields] ?? column).join(locale === 'en' ? ', ' : '、')],
          [t.labels.correctionReason, correction.reason],
        ]
      : []),
  ].map(([label, value]) => ({ label, value }));

  const subject = fill(t.subjects[request.type], values);
  const rendered = renderMail('task-mail', subject, {
    t,
    greeting: fill(t.greeting, { name: recipientName }),
    intro: fill(bodies[request.type], values),
    facts,
    measuresTitle: lifting ? t.labels.measuresLift : correcting ? t.labels.measuresNow : t.labels.measuresImpose,
    measures: task.measures.map((code) => ({ code, name: measureName.get(code) ?? code })),
    noMeasures: task.measures.length === 0 ? t.labels.noMeasures : null,
    links: actionable ? { acknowledge: link('acknowledge'), complete: link('complete') } : null,
    replies: settings.repliesEnabled,
    completeLabel: lifting ? t.actions.completeLift : correcting ? t.actions.completeCorrection : t.actions.completeImpose,
    footer: fill(t.footer, values),
  });
  return { ...rendered, to: recipientsOf(task, request, catalog.coordinatingOffice?.email, closedRecipients), replyTo: actionable && settings.repliesEnabled ? replyAddress(settings, task) : null };
}

/** Expires with the one-click links. */
function replyAddress(settings: MailSettings, task: TaskWithContext): string {
  const expiresAt = Math.floor((task.completeDueAt.getTime() + LINK_GRACE_MS) / 1000);
  return `${createReplyLocalPart(settings.keyring, { taskId: task.id, expiresAt })}@${mailDomain(settings.mailFrom)}`;
}

function recipientsOf(task: TaskWithContext, request: TaskMailRequest, officeEmail: string | undefined, closedRecipients: string[]): string[] {
  switch (request.type) {
    case 'escalation': {
      const to = request.notify === 'coordinating-office' ? officeEmail : task.department.supervisorEmail;
      if (!to) throw new Error(`no address for escalation target ${request.notify}`);
      return [to];
    }
    case 'closed':
      return closedRecipients.length > 0 ? closedRecipients : [task.department.contactEmail];
    default:
      return [task.department.contactEmail];
  }
}
