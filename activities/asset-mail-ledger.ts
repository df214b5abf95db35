import type { Prisma } from '../prisma/generated/client.js';
import type { ActivityDeps } from './deps.js';
import type { Claimed, MailLedger, SentOnceMail } from './send-once.js';

/** An email to an institution or about a search: kept with the search, not with any listing. */
export interface AssetMail extends SentOnceMail {
  searchId: string;
  requestId?: string | undefined;
  institutionCode?: string | undefined;
  /** Facts the audit trail keeps beside the recipients and the Message-ID. */
  eventData?: Record<string, unknown>;
}

/**
 * The ledger of searches' emails: AssetNotice rows fix each Message-ID, and
 * `<type>-sent` events go to the asset audit trail. A query notice that got
 * through marks its request delivered in the same transaction.
 */
export function assetMailLedger(prisma: ActivityDeps['prisma']): MailLedger<AssetMail> {
  return {
    claim(messages, messageIdOf) {
      const claims = messages.map((message) => ({
        id: message.id,
        messageId: messageIdOf(message.id),
        searchId: message.searchId,
        requestId: message.requestId ?? null,
        type: message.type,
        recipients: message.to,
        subject: message.subject,
      }));
      // In key order, so that two batches never wait on each other's rows the other way round.
      return prisma.$queryRaw<Claimed[]>`
        INSERT INTO "AssetNotice" (id, "messageId", "searchId", "requestId", type, recipients, subject, attempts)
        SELECT id, "messageId", "searchId", "requestId", type, recipients, subject, 1
        FROM jsonb_to_recordset(${JSON.stringify(claims)}::jsonb)
          AS claim(id text, "messageId" text, "searchId" uuid, "requestId" uuid, type text, recipients text[], subject text)
        ORDER BY id
        ON CONFLICT (id) DO UPDATE SET attempts = "AssetNotice".attempts + 1
        RETURNING id, "sentAt"`;
    },
    async recordSent(sent, sentAt, messageIdOf) {
      await prisma.$transaction(async (tx) => {
        await tx.assetNotice.updateMany({ where: { id: { in: sent.map((message) => message.id) } }, data: { sentAt, lastError: null } });
        const delivered = sent.filter((message) => message.type === 'asset-query' && message.requestId).map((message) => message.requestId!);
        if (delivered.length > 0) await markDelivered(tx, delivered, 'email', sentAt);
        await tx.assetEvent.createMany({
          data: sent.map((message) => ({
            id: `${message.id}.sent`,
            searchId: message.searchId,
            requestId: message.requestId ?? null,
            institutionCode: message.institutionCode ?? null,
            at: sentAt,
            type: `${message.type}-sent`,
            actor: 'system',
            data: { to: message.to, messageId: messageIdOf(message.id), ...message.eventData },
          })),
          skipDuplicates: true,
        });
      });
    },
    async recordFailed(failed) {
      await prisma.$executeRaw`
        UPDATE "AssetNotice" n SET "lastError" = f.error
        FROM jsonb_to_recordset(${JSON.stringify(failed.map(({ id, error }) => ({ id, error: String(error) })))}::jsonb) AS f(id text, error text)
        WHERE n.id = f.id`;
    },
  };
}

/** Requests reached their institution: the first delivery counts, a repeat changes nothing. */
export async function markDelivered(db: Prisma.TransactionClient, requestIds: string[], via: 'email' | 'webhook', at: Date): Promise<void> {
  await db.assetRequest.updateMany({ where: { id: { in: requestIds }, deliveredAt: null }, data: { deliveredAt: at, deliveredVia: via } });
}
