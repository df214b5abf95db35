import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCatalog, parseCatalog, type Catalog } from '../../domain/catalog.js';
import { createPrismaClient, type DatabaseClient } from '../../db/client.js';
import { loadCatalog } from '../../db/seed-catalog.js';
import { createTestDatabase, type TestDatabase } from '../../db/test-database.js';

const slow = 60_000;

describe('loading the catalog', () => {
  let db: TestDatabase;
  let client: DatabaseClient;
  beforeAll(async () => {
    db = await createTestDatabase();
    client = createPrismaClient({ url: db.url, poolSize: 2 });
  }, slow);
  afterAll(async () => {
    await client?.close();
    await db?.drop();
  });

  it('stores the default catalog as version 1 with its departments', async () => {
    const { prisma } = client;
    expect(await loadCatalog(prisma, defaultCatalog)).toEqual({ version: 1, created: true });

    const stored = await prisma.catalogVersion.findUniqueOrThrow({ where: { version: 1 } });
    const data = parseCatalog(stored.data);
    expect(data.categories).toHaveLength(12);
    expect(data.measures).toHaveLength(42);
    expect(data.departments).toHaveLength(45);

    expect(await prisma.department.count()).toBe(45);
    const first = defaultCatalog.departments[0]!;
    expect(await prisma.department.findUnique({ where: { code: first.code } })).toEqual({
      code: first.code,
      nameZh: first.name_zh,
      nameEn: first.name_en,
      role: first.role,
      contactEmail: first.contactEmail,
      supervisorEmail: first.supervisorEmail,
      locale: first.locale,
    });
  }, slow);

  it('creates nothing when the same catalog is loaded again', async () => {
    const { prisma } = client;
    const reordered = Object.fromEntries(Object.entries(defaultCatalog).reverse());
    expect(await loadCatalog(prisma, defaultCatalog)).toEqual({ version: 1, created: false });
    expect(await loadCatalog(prisma, parseCatalog(reordered))).toEqual({ version: 1, created: false });
    expect(await prisma.catalogVersion.count()).toBe(1);
    expect(await prisma.department.count()).toBe(45);
  }, slow);

  it('stores a changed catalog as the next version and updates its departments', async () => {
    const { prisma } = client;
    const changed: Catalog = structuredClone(defaultCatalog);
    const department = changed.departments[1]!;
    department.contactEmail = 'new-desk@d02.departments.example';

    expect(await loadCatalog(prisma, changed)).toEqual({ version: 2, created: true });
    expect(await prisma.catalogVersion.count()).toBe(2);
    const row = await prisma.department.findUniqueOrThrow({ where: { code: department.code } });
    expect(row.contactEmail).toBe('new-desk@d02.departments.example');

    expect(await loadCatalog(prisma, defaultCatalog)).toEqual({ version: 1, created: false });
  }, slow);
});
