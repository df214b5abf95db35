import type { Logger } from 'pino';
import type { PrismaClient } from '../prisma/generated/client.js';
import { readOrCreateSecretFile } from './secret-file.js';
import { underivedKeyIdOf } from './signing.js';

/** Where earlier versions kept the generated secret: in the database, where every reader of it learned it. */
const STORED_SECRET_KEY = 'ackTokenSecret';

/**
 * The secret that signs links and reply addresses for the embedded default:
 * ACK_TOKEN_SECRET when configured, else one generated once into `file`
 * (owner-only), so links survive restarts and the database holds no secret.
 * A secret an earlier version stored in the database is moved into the file
 * once, when the file does not exist yet, so links already mailed keep
 * working; then its row is deleted and never read again.
 */
export async function embeddedSigningSecret({ prisma, configured, file, log }: { prisma: PrismaClient; configured: string | undefined; file: string; log: Logger }): Promise<string> {
  const stored = await prisma.setting.findUnique({ where: { key: STORED_SECRET_KEY } });
  if (!stored) return configured ?? (await readOrCreateSecretFile(file));
  // Written to the file before the row goes: a crash in between leaves it in both places, never in neither.
  const kept = await readOrCreateSecretFile(file, 32, stored.value);
  await prisma.setting.deleteMany({ where: { key: STORED_SECRET_KEY } });
  if (kept === stored.value) log.info({ file }, 'the signing secret moved from the database into its file');
  else log.warn({ file, keyId: underivedKeyIdOf(stored.value) }, 'deleted a signing secret from the database that differs from the one in its file: what it signed no longer verifies');
  return configured ?? kept;
}
