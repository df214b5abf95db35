import { createCatalogVersions } from '../db/catalog-versions.js';
import { appendEvents } from '../db/events.js';
import { composeTaskMail, mailDomain, notificationKey, type TaskMailRequest } from '../mail/compose-task-mail.js';
import { activityLog } from './activity-log.js';
import type { ActivityDeps } from './deps.js';

export type SendTaskMailInput = TaskMailRequest & { taskId: string };

/**
 * Sends one email about one task, at most once per notification key. The
 * Notification row fixes the Message-ID before the first attempt; once sentAt
 * is set, a retry sends nothing.
 */
export function createTaskMailActivities(deps: ActivityDeps) {
  const { prisma, mail, log, now = () => new Date() } = deps;
  const catalogs = createCatalogVersions(prisma);

  /** Everyone mailed about this department's tasks of the listing: they all hear that it is closed. */
  async function everyoneNotified(listingId: string, departmentCode: string): Promise<string[]> {
    const sent = await prisma.notification.findMany({
      where: { listingId, sentAt: { not: null }, task: { departmentCode } },
      select: { recipients: true },
    });
    return [...new Set(sent.flatMap((n) => n.recipients))].sort();
  }

  return {
    async sendTaskMail({ taskId, ...request }: SendTaskMailInput): Promise<{ messageId: string; sent: boolean }> {
      const id = notificationKey(taskId, request);
      const messageId = `<${id}@${mailDomain(deps.mailFrom)}>`;
      const task = await prisma.task.findUniqueOrThrow({
        where: { id: taskId },
        include: { department: true, listing: true },
      });
      const recipients = request.type === 'closed' ? await everyoneNotified(task.listingId, task.departmentCode) : [];
      const composed = composeTaskMail(deps, task, await catalogs.get(task.listing.catalogVersion), request, recipients);
      // One statement claims the attempt and tells whether an earlier one already got through.
      const notification = await prisma.notification.upsert({
        where: { id },
        create: { id, messageId, taskId, listingId: task.listingId, type: request.type, recipients: composed.to, subject: composed.subject, attempts: 1 },
        update: { attempts: { increment: 1 } },
      });
      if (notification.sentAt) return { messageId, sent: false };
      try {
        await mail.sendMail({
          from: deps.mailFrom,
          to: composed.to,
          ...(composed.replyTo ? { replyTo: composed.replyTo } : {}),
          subject: composed.subject,
          text: composed.text,
          html: composed.html,
          messageId,
          headers: { 'X-Task-Id': taskId, 'X-Notice-Type': request.type },
        });
      } catch (error) {
        await prisma.notification.update({ where: { id }, data: { lastError: String(error) } });
        throw error;
      }
      const sentAt = now();
      await prisma.$transaction(async (tx) => {
        await tx.notification.update({ where: { id }, data: { sentAt, lastError: null } });
        await appendEvents(tx, task.listingId, [
          {
            id: `${id}.sent`,
            at: sentAt,
            type: `${request.type}-sent`,
            actor: 'system',
            taskId,
            data: { noticeType: request.type, to: composed.to, messageId, ...(request.level ? { level: request.level } : {}) },
          },
        ]);
      });
      activityLog(log).info({ taskId, type: request.type, messageId }, 'mail sent');
      return { messageId, sent: true };
    },
  };
}
