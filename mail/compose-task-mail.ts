import { parseCatalog } from '../domain/catalog.js';
import { CIRCUMSTANCES, type CircumstanceCode } from '../domain/circumstances.js';
import { maskIdentifier } from '../domain/mask.js';
import type { Prisma } from '../prisma/generated/client.js';
import { createLinkToken, createReplyLocalPart } from '../security/ack-tokens.js';
import type { DeadlineKind, EscalationTarget, NoticeType } from '../workflows/types.js';
import { formatChinaTime, renderMail, type RenderedMail } from './render.js';

export type TaskWithContext = Prisma.TaskGetPayload<{ include: { department: true; listing: { include: { catalog: true } } } }>;

export interface TaskMailRequest {
  type: NoticeType;
  deadline?: DeadlineKind | undefined;
  level?: number | undefined;
  notify?: EscalationTarget | undefined;
}

export interface MailSettings {
  mailFrom: string;
  publicBaseUrl: string;
  ackTokenSecret: string;
}

export interface ComposedMail extends RenderedMail {
  to: string[];
  replyTo: string | null;
}

/** A one-click link stays usable this long after the task's completion deadline. */
const LINK_GRACE_MS = 30 * 24 * 3600 * 1000;

const liftReasonTexts: Record<string, string> = {
  performance: '被执行人已履行生效法律文书确定的义务，法院已决定删除其失信信息。',
  revocation: '法院已撤销对下列被执行人的失信名单决定。',
  expiry: '下列被执行人的失信名单期限已届满，依法应予删除。',
};

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

/**
 * Builds one email about one task from what the database holds now (so an
 * address change applies at once). `closedRecipients` are everyone who was
 * mailed about the department's tasks.
 */
export function composeTaskMail(settings: MailSettings, task: TaskWithContext, request: TaskMailRequest, closedRecipients: string[] = []): ComposedMail {
  const { listing, department } = task;
  const catalog = parseCatalog(listing.catalog.data);
  const measureNames = new Map(catalog.measures.map((m) => [m.code, m.name_zh]));
  const expiresAt = Math.floor((task.completeDueAt.getTime() + LINK_GRACE_MS) / 1000);
  const link = (action: 'acknowledge' | 'complete') =>
    `${settings.publicBaseUrl}/ack/${createLinkToken(settings.ackTokenSecret, { taskId: task.id, action, expiresAt })}`;
  const deadline = request.deadline ?? 'acknowledge';
  const dueAt = deadline === 'acknowledge' ? task.acknowledgeDueAt : task.completeDueAt;
  const lifting = task.kind === 'lift';
  const data = {
    taskId: task.id,
    kind: task.kind,
    department: { name: department.nameZh },
    listing: {
      caseNumber: listing.caseNumber,
      courtCode: listing.courtCode,
      debtorName: listing.debtorName,
      debtorKindLabel: listing.debtorKind === 'entity' ? '法人或其他组织' : '自然人',
      maskedIdNumber: maskIdentifier(listing.debtorIdNumber),
      legalRepName: listing.legalRepName,
      maskedLegalRepIdNumber: listing.legalRepIdNumber ? maskIdentifier(listing.legalRepIdNumber) : null,
      circumstanceLabel: CIRCUMSTANCES[listing.circumstance as CircumstanceCode]?.zh ?? listing.circumstance,
    },
    measures: task.measures.map((code) => ({ code, name: measureNames.get(code) ?? code })),
    deadlines: { acknowledge: formatChinaTime(task.acknowledgeDueAt), complete: formatChinaTime(task.completeDueAt) },
    links: { acknowledge: link('acknowledge'), complete: link('complete') },
    deadlineLabel: deadline === 'acknowledge' ? '确认期限' : '反馈完成期限',
    deadlineAction: deadline === 'acknowledge' ? '确认收到' : lifting ? '反馈解除情况' : '反馈实施情况',
    dueAt: formatChinaTime(dueAt),
    level: request.level ?? 0,
    recipientName: request.notify === 'coordinating-office' ? catalog.coordinatingOffice?.name_zh ?? '协调办公室' : `${department.nameZh}负责同志`,
    liftReasonText: liftReasonTexts[listing.liftReason ?? ''] ?? '',
    closedStatusText: listing.status === 'revoked' ? '已撤销' : '已删除',
  };
  const replyTo = `${createReplyLocalPart(settings.ackTokenSecret, task.id)}@${mailDomain(settings.mailFrom)}`;
  const debtor = listing.debtorName;
  switch (request.type) {
    case 'notice':
      return { ...renderMail('notice', `【联合惩戒】请对失信被执行人${debtor}实施惩戒措施（${listing.caseNumber}）`, data), to: [department.contactEmail], replyTo };
    case 'lift-notice':
      return { ...renderMail('lift-notice', `【解除惩戒】请解除对${debtor}的联合惩戒措施（${listing.caseNumber}）`, data), to: [department.contactEmail], replyTo };
    case 'reminder':
      return { ...renderMail('reminder', `【提醒】${data.deadlineLabel}将至：${debtor}（${listing.caseNumber}）`, data), to: [department.contactEmail], replyTo };
    case 'escalation': {
      const to = request.notify === 'coordinating-office' ? catalog.coordinatingOffice?.email : department.supervisorEmail;
      if (!to) throw new Error(`no address for escalation target ${request.notify}`);
      return { ...renderMail('escalation', `【督办·第${data.level}级】${department.nameZh}逾期未${data.deadlineAction}：${debtor}（${listing.caseNumber}）`, data), to: [to], replyTo: null };
    }
    case 'closed':
      return {
        ...renderMail('closed', `【办结】${debtor}的联合惩戒已全部解除（${listing.caseNumber}）`, data),
        to: closedRecipients.length > 0 ? closedRecipients : [department.contactEmail],
        replyTo: null,
      };
  }
}
