import { appendEvents } from '../db/events.js';
import { mailDomain } from '../mail/compose-task-mail.js';
import type { ActivityDeps } from './deps.js';

export interface OnceMail {
  /** The notification key: the same key is the same email, sent at most once. */
  id: string;
  listingId: string;
  taskId?: string | undefined;
  /** X-Notice-Type, and `<type>-sent` in the audit trail. */
  type: string;
  to: string[];
  replyTo?: string | null | undefined;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
  /** Facts the audit trail keeps beside the recipients and the Message-ID. */
  eventData?: Record<string, unknown>;
}

/**
 * Sends one email at most once per key. The Notification row fixes the
 * Message-ID before the first attempt; once sentAt is set, a retry sends
 * nothing. An SMTP failure is kept on the row and thrown, for the activity to retry.
 */
export async function sendOnce({ prisma, mail, mailFrom, now = () => new Date() }: Pick<ActivityDeps, 'prisma' | 'mail' | 'mailFrom' | 'now'>, message: OnceMail): Promise<{ messageId: string; sent: boolean }> {
  const { id, listingId, taskId, type } = message;
  const messageId = `<${id}@${mailDomain(mailFrom)}>`;
  // One statement claims the attempt and tells whether an earlier one already got through.
  const notification = await prisma.notification.upsert({
    where: { id },
    create: { id, messageId, taskId: taskId ?? null, listingId, type, recipients: message.to, subject: message.subject, attempts: 1 },
    update: { attempts: { increment: 1 } },
  });
  if (notification.sentAt) return { messageId, sent: false };
  try {
    await mail.sendMail({
      from: mailFrom,
      to: message.to,
      ...(message.replyTo ? { replyTo: message.replyTo } : {}),
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId,
      headers: { ...(taskId ? { 'X-Task-Id': taskId } : {}), 'X-Notice-Type': type, ...message.headers },
    });
  } catch (error) {
    await prisma.notification.update({ where: { id }, data: { lastError: String(error) } });
    throw error;
  }
  const sentAt = now();
  await prisma.$transaction(async (tx) => {
    await tx.notification.update({ where: { id }, data: { sentAt, lastError: null } });
    await appendEvents(tx, listingId, [
      { id: `${id}.sent`, at: sentAt, type: `${type}-sent`, actor: 'system', taskId: taskId ?? null, data: { noticeType: type, to: message.to, messageId, ...message.eventData } },
    ]);
  });
  return { messageId, sent: true };
}
