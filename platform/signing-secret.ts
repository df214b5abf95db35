import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '../prisma/generated/client.js';

/**
 * The secret that signs email links: ACK_TOKEN_SECRET when configured, or one
 * generated once and kept with the data so that links survive restarts and
 * every process of one installation agrees on it.
 */
export async function resolveSigningSecret(prisma: PrismaClient, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  const candidate = randomBytes(32).toString('base64url');
  // createMany with skipDuplicates is an insert-if-absent that cannot race.
  await prisma.setting.createMany({ data: [{ key: 'ackTokenSecret', value: candidate }], skipDuplicates: true });
  const stored = await prisma.setting.findUniqueOrThrow({ where: { key: 'ackTokenSecret' } });
  return stored.value;
}
