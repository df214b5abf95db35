import type { PrismaClient } from '../prisma/generated/client.js';

/**
 * How many answers to replies one address gets per hour. Counted in
 * PostgreSQL, so the limit holds however many processes receive replies: a
 * flood of replies under a registered From address (forged or looping) costs
 * that mailbox a handful of answers, not one per message.
 */
export const ANSWERS_PER_ADDRESS_PER_HOUR = 10;
const HOUR_MS = 3600 * 1000;

/** Records one answer to `address` and says whether it may be sent. */
export async function takeAnswerQuota(prisma: PrismaClient, address: string, now: Date, limit = ANSWERS_PER_ADDRESS_PER_HOUR): Promise<boolean> {
  const key = address.trim().toLowerCase();
  const since = new Date(now.getTime() - HOUR_MS);
  return prisma.$transaction(async (tx) => {
    // One count at a time per address, so that two processes never both take the last answer.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`reply-answer:${key}`}, 0))`;
    await tx.replyAnswer.deleteMany({ where: { address: key, sentAt: { lt: since } } });
    if ((await tx.replyAnswer.count({ where: { address: key } })) >= limit) return false;
    await tx.replyAnswer.create({ data: { address: key, sentAt: now } });
    return true;
  });
}
