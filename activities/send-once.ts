import { appendEvents } from '../db/events.js';
import { mailDomain } from '../mail/compose-task-mail.js';
import type { Prisma } from '../prisma/generated/client.js';
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

/** An email's Message-ID: fixed by its notification key, so every attempt sends the same message. */
export const messageIdFor = (key: string, mailFrom: string): string => `<${key}@${mailDomain(mailFrom)}>`;

export interface RoundSent {
  /** Sent by this attempt. */
  sent: string[];
  /** Sent by an earlier attempt: left alone. */
  alreadySent: string[];
}

/** Some emails of the round did not get through; the others are recorded as sent. */
export class RoundPartlySent extends Error {
  constructor(readonly failed: { id: string; error: unknown }[]) {
    super(`${failed.length} email(s) not sent: ${String(failed[0]?.error)}`);
    this.name = 'RoundPartlySent';
  }
}

interface Claimed {
  id: string;
  sentAt: Date | null;
}

/** A Notification row as the first attempt writes it; its Message-ID is fixed from then on. */
export interface MailClaim {
  id: string;
  messageId: string;
  taskId: string | null;
  listingId: string;
  type: string;
  recipients: string[];
  subject: string;
}

/**
 * Claims the emails in one statement: a row for each new one, one more attempt
 * for each known one; says which were sent before. In key order, so that two
 * rounds never wait on each other's rows the other way round.
 */
export function claimEach(db: Prisma.TransactionClient, claims: MailClaim[]): Promise<Claimed[]> {
  return db.$queryRaw<Claimed[]>`
    INSERT INTO "Notification" (id, "messageId", "taskId", "listingId", type, recipients, subject, attempts)
    SELECT id, "messageId", "taskId", "listingId", type, recipients, subject, 1
    FROM jsonb_to_recordset(${JSON.stringify(claims)}::jsonb)
      AS claim(id text, "messageId" text, "taskId" uuid, "listingId" uuid, type text, recipients text[], subject text)
    ORDER BY id
    ON CONFLICT (id) DO UPDATE SET attempts = "Notification".attempts + 1
    RETURNING id, "sentAt"`;
}

/**
 * Sends the emails of one listing's round, each at most once per key, in a
 * few database statements instead of several per email: one claims them all
 * (the Notification rows fix each Message-ID before the first attempt), the
 * unsent go out side by side over the pooled transport, and one transaction
 * records those that got through with their audit events. An email that
 * fails keeps its error on its row and the round throws after recording the
 * rest, so a retry sends only what is still unsent, under the same Message-IDs.
 */
export async function sendEachOnce(
  { prisma, mail, mailFrom, now = () => new Date() }: Pick<ActivityDeps, 'prisma' | 'mail' | 'mailFrom' | 'now'>,
  listingId: string,
  messages: OnceMail[],
): Promise<RoundSent> {
  if (messages.length === 0) return { sent: [], alreadySent: [] };
  const messageIdOf = (id: string) => messageIdFor(id, mailFrom);
  const claims: MailClaim[] = messages.map((message) => ({
    id: message.id,
    messageId: messageIdOf(message.id),
    taskId: message.taskId ?? null,
    listingId,
    type: message.type,
    recipients: message.to,
    subject: message.subject,
  }));
  const claimed = await claimEach(prisma, claims);
  const alreadySent = new Set(claimed.filter((row) => row.sentAt !== null).map((row) => row.id));
  const unsent = messages.filter((message) => !alreadySent.has(message.id));

  const results = await Promise.allSettled(
    unsent.map((message) =>
      mail.sendMail({
        from: mailFrom,
        to: message.to,
        ...(message.replyTo ? { replyTo: message.replyTo } : {}),
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: messageIdOf(message.id),
        headers: { ...(message.taskId ? { 'X-Task-Id': message.taskId } : {}), 'X-Notice-Type': message.type, ...message.headers },
      }),
    ),
  );
  const sent = unsent.filter((_, index) => results[index]!.status === 'fulfilled');
  const failed = unsent.flatMap((message, index) => {
    const result = results[index]!;
    return result.status === 'rejected' ? [{ id: message.id, error: result.reason as unknown }] : [];
  });

  const sentAt = now();
  if (sent.length > 0) {
    await prisma.$transaction(async (tx) => {
      await tx.notification.updateMany({ where: { id: { in: sent.map((message) => message.id) } }, data: { sentAt, lastError: null } });
      await appendEvents(
        tx,
        listingId,
        sent.map((message) => ({
          id: `${message.id}.sent`,
          at: sentAt,
          type: `${message.type}-sent`,
          actor: 'system',
          taskId: message.taskId ?? null,
          data: { noticeType: message.type, to: message.to, messageId: messageIdOf(message.id), ...message.eventData },
        })),
      );
    });
  }
  if (failed.length > 0) {
    await prisma.$executeRaw`
      UPDATE "Notification" n SET "lastError" = f.error
      FROM jsonb_to_recordset(${JSON.stringify(failed.map(({ id, error }) => ({ id, error: String(error) })))}::jsonb) AS f(id text, error text)
      WHERE n.id = f.id`;
    throw new RoundPartlySent(failed);
  }
  return { sent: sent.map((message) => message.id), alreadySent: [...alreadySent] };
}

/**
 * Sends one email at most once per key: a round of one. A failure is thrown
 * as the transport reported it, kept on the Notification row for the retry.
 */
export async function sendOnce(deps: Pick<ActivityDeps, 'prisma' | 'mail' | 'mailFrom' | 'now'>, message: OnceMail): Promise<{ messageId: string; sent: boolean }> {
  const messageId = messageIdFor(message.id, deps.mailFrom);
  try {
    const { sent } = await sendEachOnce(deps, message.listingId, [message]);
    return { messageId, sent: sent.length === 1 };
  } catch (error) {
    throw error instanceof RoundPartlySent ? error.failed[0]!.error : error;
  }
}
