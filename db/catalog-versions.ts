import { parseCatalog, type Catalog } from '../domain/catalog.js';
import type { PrismaClient } from '../prisma/generated/client.js';

/**
 * Stored catalog versions, each read and parsed once per process: a version
 * never changes once imported, and every email needs the measure names.
 */
export function createCatalogVersions(prisma: PrismaClient) {
  const parsed = new Map<number, Promise<Catalog>>();
  return {
    get(version: number): Promise<Catalog> {
      let catalog = parsed.get(version);
      if (!catalog) {
        catalog = prisma.catalogVersion.findUniqueOrThrow({ where: { version } }).then((row) => parseCatalog(row.data));
        catalog.catch(() => parsed.delete(version));
        parsed.set(version, catalog);
      }
      return catalog;
    },
  };
}

export type CatalogVersions = ReturnType<typeof createCatalogVersions>;
