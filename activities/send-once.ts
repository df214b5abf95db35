import { appendEvents } from '../db/events.js';
import { mailDomain } from '../mail/compose-task-mail.js';
import type { Prisma } from '../prisma/generated/client.js';
import type { ActivityDeps } from './deps.js';

/** An email about a listing. `id` is its notification key: the same key is the same email, sent at most once; `type` is its X-Notice-Type, and `<type>-sent` in the audit trail. */
export interface OnceMail extends SentOnceMail {
  listingId: string;
  taskId?: string | undefined;
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

export interface Claimed {
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
 * Where the emails sent at most once are kept: the claim that fixes each
 * Message-ID before the first attempt, and the record of what got through
 * (with its audit events) or failed. A listing's emails are kept with the
 * listing; searches and control orders keep theirs apart (activities/asset-mail-ledger.ts).
 */
export interface MailLedger<Mail extends SentOnceMail = SentOnceMail> {
  claim(messages: Mail[], messageIdOf: (id: string) => string): Promise<Claimed[]>;
  recordSent(sent: Mail[], at: Date, messageIdOf: (id: string) => string): Promise<void>;
  recordFailed(failed: { id: string; error: unknown }[]): Promise<void>;
}

/** What every email sent at most once has: its key, its type, its parts. */
export interface SentOnceMail {
  id: string;
  type: string;
  to: string[];
  replyTo?: string | null | undefined;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
}

/** The listing's ledger: Notification rows, and `<type>-sent` events in the listing's audit chain. */
export function listingMailLedger(prisma: ActivityDeps['prisma'], listingId: string): MailLedger<OnceMail> {
  return {
    claim: (messages, messageIdOf) =>
      claimEach(
        prisma,
        messages.map((message) => ({ id: message.id, messageId: messageIdOf(message.id), taskId: message.taskId ?? null, listingId, type: message.type, recipients: message.to, subject: message.subject })),
      ),
    async recordSent(sent, sentAt, messageIdOf) {
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
    },
    async recordFailed(failed) {
      await prisma.$executeRaw`
        UPDATE "Notification" n SET "lastError" = f.error
        FROM jsonb_to_recordset(${JSON.stringify(failed.map(({ id, error }) => ({ id, error: String(error) })))}::jsonb) AS f(id text, error text)
        WHERE n.id = f.id`;
    },
  };
}

/**
 * Sends the emails of one listing's round, each at most once per key, in a
 * few database statements instead of several per email (see `sendEachOnceThrough`).
 */
export function sendEachOnce(deps: Pick<ActivityDeps, 'prisma' | 'mail' | 'mailFrom' | 'now'>, listingId: string, messages: OnceMail[]): Promise<RoundSent> {
  return sendEachOnceThrough(deps, listingMailLedger(deps.prisma, listingId), messages);
}

/**
 * Sends emails each at most once per key: one statement claims them all
 * (the ledger's rows fix each Message-ID before the first attempt), the
 * unsent go out side by side over the pooled transport, and one transaction
 * records those that got through with their audit events. An email that
 * fails keeps its error on its row and the round throws after recording the
 * rest, so a retry sends only what is still unsent, under the same Message-IDs.
 */
export async function sendEachOnceThrough<Mail extends SentOnceMail & { taskId?: string | undefined }>(
  { mail, mailFrom, now = () => new Date() }: Pick<ActivityDeps, 'mail' | 'mailFrom' | 'now'>,
  ledger: MailLedger<Mail>,
  messages: Mail[],
): Promise<RoundSent> {
  if (messages.length === 0) return { sent: [], alreadySent: [] };
  const messageIdOf = (id: string) => messageIdFor(id, mailFrom);
  const claimed = await ledger.claim(messages, messageIdOf);
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

  if (sent.length > 0) await ledger.recordSent(sent, now(), messageIdOf);
  if (failed.length > 0) {
    await ledger.recordFailed(failed);
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
