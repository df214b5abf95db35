import { maskIdentifier } from '../domain/mask.js';
import { CIRCUMSTANCES, type CircumstanceCode } from '../domain/circumstances.js';
import { parseCatalog } from '../domain/catalog.js';
import { appendEvents } from '../db/events.js';
import { formatChinaTime, renderMail, type RenderedMail } from '../mail/render.js';
import { createLinkToken, createReplyLocalPart } from '../security/ack-tokens.js';
import type { Prisma } from '../prisma/generated/client.js';
import type { NoticeType } from '../workflows/types.js';
import type { ActivityDeps } from './deps.js';

/** A link stays usable for this long after the task's completion deadline. */
const LINK_GRACE_MS = 30 * 24 * 3600 * 1000;

type TaskWithContext = Prisma.TaskGetPayload<{ include: { department: true; listing: { include: { catalog: true } } } }>;

export interface ComposedMail extends RenderedMail {
  to: string[];
  replyTo: string;
}

/** Builds the email of one type for one task from what the database holds now. */
export function composeTaskMail(deps: ActivityDeps, task: TaskWithContext, type: NoticeType): ComposedMail {
  if (type !== 'notice') throw new Error(`no template for notice type ${type}`);
  const { listing, department } = task;
  const catalog = parseCatalog(listing.catalog.data);
  const measureNames = new Map(catalog.measures.map((m) => [m.code, m.name_zh]));
  const expiresAt = Math.floor((task.completeDueAt.getTime() + LINK_GRACE_MS) / 1000);
  const link = (action: 'acknowledge' | 'complete') =>
    `${deps.publicBaseUrl}/ack/${createLinkToken(deps.ackTokenSecret, { taskId: task.id, action, expiresAt })}`;
  const subject = `【联合惩戒】请对失信被执行人${listing.debtorName}实施惩戒措施（${listing.caseNumber}）`;
  const rendered = renderMail('notice', subject, {
    taskId: task.id,
    courtName: listing.courtCode,
    department: { name: department.nameZh },
    listing: {
      caseNumber: listing.caseNumber,
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
  });
  return {
    ...rendered,
    to: [department.contactEmail],
    replyTo: `${createReplyLocalPart(deps.ackTokenSecret, task.id)}@${mailDomain(deps.mailFrom)}`,
  };
}

/** The domain of the sender address: Message-IDs and reply addresses live there. */
export function mailDomain(from: string): string {
  const match = /@([^>\s]+)>?\s*$/.exec(from);
  return match?.[1] ?? 'localhost';
}

/**
 * Sends one email about one task, at most once per (task, type). The
 * Notification row fixes the Message-ID before the first attempt; once sentAt
 * is set, a retry sends nothing.
 */
export function createTaskMailActivities(deps: ActivityDeps) {
  const { prisma, mail, log, now = () => new Date() } = deps;
  return {
    async sendTaskMail({ taskId, type }: { taskId: string; type: NoticeType }): Promise<{ messageId: string }> {
      const id = `${taskId}.${type}`;
      const messageId = `<${id}@${mailDomain(deps.mailFrom)}>`;
      const already = await prisma.notification.findUnique({ where: { id } });
      if (already?.sentAt) return { messageId };

      const task = await prisma.task.findUniqueOrThrow({
        where: { id: taskId },
        include: { department: true, listing: { include: { catalog: true } } },
      });
      const composed = composeTaskMail(deps, task, type);
      await prisma.notification.upsert({
        where: { id },
        create: { id, messageId, taskId, listingId: task.listingId, type, recipients: composed.to, subject: composed.subject, attempts: 1 },
        update: { attempts: { increment: 1 } },
      });
      try {
        await mail.sendMail({
          from: deps.mailFrom,
          to: composed.to,
          replyTo: composed.replyTo,
          subject: composed.subject,
          text: composed.text,
          html: composed.html,
          messageId,
          headers: { 'X-Task-Id': taskId, 'X-Notice-Type': type },
        });
      } catch (error) {
        await prisma.notification.update({ where: { id }, data: { lastError: String(error) } });
        throw error;
      }
      const sentAt = now();
      await prisma.$transaction(async (tx) => {
        await tx.notification.update({ where: { id }, data: { sentAt, lastError: null } });
        await appendEvents(tx, task.listingId, [
          { id: `${id}:sent`, at: sentAt, type: 'notice-sent', actor: 'system', taskId, data: { noticeType: type, to: composed.to, messageId } },
        ]);
      });
      log.info({ taskId, type, messageId }, 'mail sent');
      return { messageId };
    },
  };
}
