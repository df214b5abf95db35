import { createCatalogVersions } from '../db/catalog-versions.js';
import { composeTaskMail, notificationKey, type TaskMailRequest } from '../mail/compose-task-mail.js';
import { sendEachOnce, sendOnce } from './send-once.js';
import { publicRoleMail } from './listing-notices.js';
import { activityLog } from './activity-log.js';
import type { ActivityDeps } from './deps.js';

export type SendTaskMailInput = TaskMailRequest & { taskId: string };

/** The emails of a round: one type, one listing, a task each (a dispatch round's notices, or the closing notes). */
export interface SendRoundMailsInput {
  listingId: string;
  taskIds: string[];
  type: Extract<TaskMailRequest['type'], 'notice' | 'lift-notice' | 'correction' | 'closed'>;
  /** The listing's first round: its public-role notice (art. 8) goes with it, where the debtor holds one. */
  withPublicRoleNotice?: boolean;
}

/** Emails about tasks, each sent at most once per notification key: one task's, or a round's. */
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

  /** Per department, everyone mailed about its tasks of the listing: one query for the round. */
  async function everyoneNotifiedByDepartment(listingId: string): Promise<Map<string, string[]>> {
    const sent = await prisma.notification.findMany({
      where: { listingId, sentAt: { not: null }, taskId: { not: null } },
      select: { recipients: true, task: { select: { departmentCode: true } } },
    });
    const byDepartment = new Map<string, Set<string>>();
    for (const { recipients, task } of sent) {
      const addresses = byDepartment.get(task!.departmentCode) ?? new Set<string>();
      for (const address of recipients) addresses.add(address);
      byDepartment.set(task!.departmentCode, addresses);
    }
    return new Map([...byDepartment].map(([code, addresses]) => [code, [...addresses].sort()]));
  }

  return {
    /**
     * The round's emails from one activity: the tasks are read in one query,
     * and `sendEachOnce` claims, sends and records them in a few statements.
     * Each email keeps its own notification key, as `sendTaskMail` gives it.
     */
    async sendRoundMails({ listingId, taskIds, type, withPublicRoleNotice = false }: SendRoundMailsInput): Promise<{ sent: number }> {
      const tasks = await prisma.task.findMany({ where: { id: { in: taskIds }, listingId }, include: { department: true, listing: true }, orderBy: { departmentCode: 'asc' } });
      if (tasks.length !== taskIds.length) throw new Error(`round of listing ${listingId}: ${taskIds.length - tasks.length} task(s) not found`);
      const listing = tasks[0]?.listing ?? (await prisma.listing.findUniqueOrThrow({ where: { id: listingId } }));
      const correctionIds = [...new Set(tasks.flatMap((task) => (task.correctionId ? [task.correctionId] : [])))];
      const corrections = new Map((correctionIds.length > 0 ? await prisma.correction.findMany({ where: { id: { in: correctionIds } } }) : []).map((c) => [c.id, c]));
      const notified = type === 'closed' ? await everyoneNotifiedByDepartment(listingId) : new Map<string, string[]>();
      const catalog = await catalogs.get(listing.catalogVersion);
      const request = { type };
      const messages = tasks.map((task) => {
        const correction = task.correctionId ? corrections.get(task.correctionId) : undefined;
        const summary = correction ? { reason: correction.reason, columns: Object.keys(correction.changes as object) } : null;
        const composed = composeTaskMail(deps, task, catalog, request, notified.get(task.departmentCode) ?? [], summary);
        return { id: notificationKey(task.id, request), listingId, taskId: task.id, type, to: composed.to, replyTo: composed.replyTo, subject: composed.subject, text: composed.text, html: composed.html };
      });
      const publicRole = withPublicRoleNotice ? publicRoleMail(listing) : null;
      const { sent } = await sendEachOnce(deps, listingId, publicRole ? [...messages, publicRole] : messages);
      if (sent.length > 0) activityLog(log).info({ listingId, type, sent: sent.length }, 'mail sent');
      return { sent: sent.length };
    },

    async sendTaskMail({ taskId, ...request }: SendTaskMailInput): Promise<{ messageId: string; sent: boolean }> {
      const id = notificationKey(taskId, request);
      const task = await prisma.task.findUniqueOrThrow({
        where: { id: taskId },
        include: { department: true, listing: true },
      });
      // The read model accepts an acknowledgment before the workflow hears of it: a reminder or
      // escalation of the acknowledge deadline taken in between would chase what is done.
      if ((request.type === 'reminder' || request.type === 'escalation') && request.deadline === 'acknowledge' && task.acknowledgedAt) return { messageId: '', sent: false };
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
