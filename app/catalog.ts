import { parseCatalog, type Catalog } from '../domain/catalog.js';
import { diffCatalogs } from '../domain/catalog-diff.js';
import { loadCatalog } from '../db/seed-catalog.js';
import { createCatalogVersions } from '../db/catalog-versions.js';
import type { PrismaClient } from '../prisma/generated/client.js';
import { invalid, unavailable } from './errors.js';

/** The catalog as stored: versions are immutable, so each is parsed once. */
export function createCatalogService(prisma: PrismaClient) {
  const versions = createCatalogVersions(prisma);
  return {
    async current(): Promise<{ version: number; catalog: Catalog }> {
      const latest = await prisma.catalogVersion.findFirst({ orderBy: { version: 'desc' }, select: { version: true } });
      if (!latest) throw unavailable('No measures catalog has been loaded yet.');
      return { version: latest.version, catalog: await this.version(latest.version) };
    },

    version(version: number): Promise<Catalog> {
      return versions.get(version);
    },

    /**
     * POST /api/catalog: a new catalog becomes the newest version (new
     * listings use it; listings in flight keep theirs), and its department
     * addresses apply to the next email. Importing the same catalog again
     * creates nothing.
     */
    async import(body: unknown) {
      let next: Catalog;
      try {
        next = parseCatalog(body);
      } catch (error) {
        throw invalid('The catalog is not valid.', [{ field: '(body)', message: (error as Error).message.slice(0, 4000) }]);
      }
      const current = await prisma.catalogVersion.count() > 0 ? (await this.current()).catalog : null;
      const loaded = await loadCatalog(prisma, next);
      return { version: loaded.version, created: loaded.created, diff: current ? diffCatalogs(current, next) : null };
    },

    /** Every department's names, by code. */
    async departmentNames(): Promise<{ code: string; nameZh: string; nameEn: string }[]> {
      return prisma.department.findMany({ select: { code: true, nameZh: true, nameEn: true }, orderBy: { code: 'asc' } });
    },

    /** GET /api/catalog/versions */
    async versions() {
      const rows = await prisma.catalogVersion.findMany({ orderBy: { version: 'asc' }, select: { version: true, checksum: true, importedAt: true } });
      return rows.map((row) => ({ version: row.version, checksum: row.checksum, importedAt: row.importedAt.toISOString() }));
    },

    /** GET /api/catalog: the current measures with the departments' live addresses. */
    async view() {
      const { version, catalog } = await this.current();
      const departments = await prisma.department.findMany({ orderBy: { code: 'asc' } });
      return {
        version,
        categories: catalog.categories.map((c) => ({ code: c.code, nameZh: c.name_zh, nameEn: c.name_en })),
        measures: catalog.measures.map((m) => ({
          code: m.code,
          category: m.category,
          nameZh: m.name_zh,
          nameEn: m.name_en,
          appliesTo: m.applies_to,
          departments: m.departments,
        })),
        departments: departments.map((d) => ({
          code: d.code,
          name: d.nameZh,
          nameEn: d.nameEn,
          role: d.role,
          contactEmail: d.contactEmail,
          supervisorEmail: d.supervisorEmail,
          locale: d.locale,
        })),
        coordinatingOffice: catalog.coordinatingOffice,
      };
    },
  };
}

export type CatalogService = ReturnType<typeof createCatalogService>;
