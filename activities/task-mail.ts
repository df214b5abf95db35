import { createCatalogVersions } from '../db/catalog-versions.js';
import { composeTaskMail, notificationKey, type TaskMailRequest } from '../mail/compose-task-mail.js';
import { sendOnce } from './send-once.js';
import { activityLog } from './activity-log.js';
import type { ActivityDeps } from './deps.js';

export type SendTaskMailInput = TaskMailRequest & { taskId: string };

/** Sends one email about one task, at most once per notification key. */
export function createTaskMailActivities(deps: ActivityDeps) {
  const { prisma, log } = deps;
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
      const task = await prisma.task.findUniqueOrThrow({
        where: { id: taskId },
        include: { department: true, listing: true },
      });
      const recipients = request.type === 'closed' ? await everyoneNotified(task.listingId, task.departmentCode) : [];
      const correction = task.correctionId ? await prisma.correction.findUnique({ where: { id: task.correctionId } }) : null;
      const summary = correction ? { reason: correction.reason, columns: Object.keys(correction.changes as object) } : null;
      const composed = composeTaskMail(deps, task, await catalogs.get(task.listing.catalogVersion), request, recipients, summary);
      const result = await sendOnce(deps, {
        id,
        listingId: task.listingId,
        taskId,
        type: request.type,
        to: composed.to,
        replyTo: composed.replyTo,
        subject: composed.subject,
        text: composed.text,
        html: composed.html,
        ...(request.level ? { eventData: { level: request.level } } : {}),
      });
      if (!result.sent) return result;
      activityLog(log).info({ taskId, type: request.type, messageId: result.messageId }, 'mail sent');
      return result;
    },
  };
}
