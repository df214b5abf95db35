// Storing the directory of institutions: each distinct directory becomes one
// numbered version (a search keeps the version it was sent under), and the
// institutions table follows the directory loaded last.
import { createHash } from 'node:crypto';
import type { InstitutionDirectory } from '../domain/institutions.js';
import type { Prisma, PrismaClient } from '../prisma/generated/client.js';
import { canonicalJson } from './seed-catalog.js';

export interface LoadedDirectory {
  version: number;
  /** False when this exact directory was already stored. */
  created: boolean;
  institutions: number;
}

// Serialises concurrent loaders so that two of them cannot both take version max+1.
const lockKey = 0x696e737469747574n; // "institut"

/**
 * Stores a directory as the newest version unless it is stored already, and
 * makes the institutions table say what it says: one statement for all rows
 * (a region has thousands), and institutions it no longer lists retired.
 */
export async function loadInstitutionDirectory(prisma: PrismaClient, directory: InstitutionDirectory): Promise<LoadedDirectory> {
  const canonical = canonicalJson(directory);
  const checksum = createHash('sha256').update(canonical).digest('hex');
  return prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${lockKey})`;
      const stored = await tx.institutionDirectoryVersion.findUnique({ where: { checksum }, select: { version: true } });
      const latest = await tx.institutionDirectoryVersion.aggregate({ _max: { version: true } });
      if (stored && stored.version === latest._max.version) return { version: stored.version, created: false, institutions: directory.institutions.length };
      const version = stored?.version ?? (latest._max.version ?? 0) + 1;
      if (!stored) await tx.institutionDirectoryVersion.create({ data: { version, checksum, data: JSON.parse(canonical) as Prisma.InputJsonValue } });
      const rows = directory.institutions.map((institution) => ({ ...institution, directoryVersion: version }));
      await tx.$executeRaw`
        INSERT INTO "Institution" (code, name, kind, channel, capabilities, "contactEmail", "supervisorEmail", "directoryVersion", "retiredAt")
        SELECT code, name, kind, channel, capabilities, "contactEmail", "supervisorEmail", "directoryVersion", NULL
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          AS i(code text, name text, kind text, channel text, capabilities text[], "contactEmail" text, "supervisorEmail" text, "directoryVersion" int)
        ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, channel = EXCLUDED.channel, capabilities = EXCLUDED.capabilities,
          "contactEmail" = EXCLUDED."contactEmail", "supervisorEmail" = EXCLUDED."supervisorEmail", "directoryVersion" = EXCLUDED."directoryVersion", "retiredAt" = NULL`;
      await tx.institution.updateMany({ where: { directoryVersion: { not: version }, retiredAt: null }, data: { retiredAt: new Date() } });
      return { version, created: !stored, institutions: rows.length };
    },
    { timeout: 60_000, maxWait: 60_000 },
  );
}
