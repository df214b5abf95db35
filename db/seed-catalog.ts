// Storing the measures catalog: each distinct catalog becomes one numbered
// version (listings keep the version they were dispatched under), and the
// departments table follows the catalog loaded last.
import { createHash } from 'node:crypto';
import type { Catalog } from '../domain/catalog.js';
import type { Prisma, PrismaClient } from '../prisma/generated/client.js';

export interface LoadedCatalog {
  version: number;
  /** False when this exact catalog was already stored. */
  created: boolean;
}

// Serialises concurrent loaders (API and worker starting together) so that
// two of them cannot both take version max+1.
const lockKey = 0x636174616c6f67n; // "catalog"

// A department entry that names no role is one that applies measures.
const defaultRole = 'implementer';
const defaultLocale = 'zh-CN';

export async function loadCatalog(prisma: PrismaClient, catalog: Catalog): Promise<LoadedCatalog> {
  const canonical = canonicalJson(catalog);
  const checksum = createHash('sha256').update(canonical).digest('hex');
  return prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${lockKey})`;
      const stored = await tx.catalogVersion.findUnique({ where: { checksum }, select: { version: true } });
      let loaded: LoadedCatalog;
      if (stored) {
        loaded = { version: stored.version, created: false };
      } else {
        const { _max } = await tx.catalogVersion.aggregate({ _max: { version: true } });
        const version = (_max.version ?? 0) + 1;
        const data = JSON.parse(canonical) as Prisma.InputJsonValue;
        await tx.catalogVersion.create({ data: { version, checksum, data } });
        loaded = { version, created: true };
      }
      for (const department of catalog.departments) {
        const fields = {
          nameZh: department.name_zh,
          nameEn: department.name_en,
          role: department.role ?? defaultRole,
          contactEmail: department.contactEmail,
          supervisorEmail: department.supervisorEmail,
          locale: department.locale ?? defaultLocale,
        };
        await tx.department.upsert({
          where: { code: department.code },
          create: { code: department.code, ...fields },
          update: fields,
        });
      }
      return loaded;
    },
    { timeout: 60_000, maxWait: 60_000 },
  );
}

/** JSON with object keys sorted at every level, so equal catalogs hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}
