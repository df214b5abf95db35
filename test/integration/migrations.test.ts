import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient } from '../../db/client.js';
import { openEmbeddedDatabase } from '../../dev/embedded-database.js';
import {
  applyMigrations,
  diffSchemaAgainstMigrations,
  migrationsDir,
  readMigrations,
} from '../../db/migrations.js';
import { createTestDatabase, type TestDatabase } from '../../db/test-database.js';

const slow = 60_000;

async function committedMigrationNames(): Promise<string[]> {
  const { migrationDirectories } = await readMigrations();
  return migrationDirectories.map((migration) => migration.path);
}

// The committed migrations plus one more, in a temporary directory.
async function migrationsWith(name: string, sql: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'migrations-'));
  await cp(migrationsDir, dir, { recursive: true });
  await mkdir(path.join(dir, name));
  await writeFile(path.join(dir, name, 'migration.sql'), sql);
  return dir;
}

describe('migrations on PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  }, slow);
  afterAll(async () => {
    await db?.drop();
  });

  it('apply every migration to an empty database', async () => {
    const names = await committedMigrationNames();
    expect(names.length).toBeGreaterThan(0);
    expect(db.applied).toEqual(names);
  });

  it('apply nothing on a rerun', async () => {
    expect(await applyMigrations({ url: db.url })).toEqual([]);
  }, slow);

  it('send each script whole, so dollar-quoted bodies survive', async () => {
    const dir = await migrationsWith(
      '99999999999999_touch',
      `CREATE FUNCTION touch() RETURNS trigger AS $$
BEGIN
  NEW."value" := NEW."value" || '!';
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
`,
    );
    try {
      expect(await applyMigrations({ url: db.url }, dir)).toEqual(['99999999999999_touch']);
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const { rows } = await client.query(`SELECT prosrc FROM pg_proc WHERE proname = 'touch'`);
        expect(rows[0]?.prosrc).toContain('RETURN NEW;');
      } finally {
        await client.end();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, slow);

  it('agree with the schema (no new migration to write)', async () => {
    expect(await diffSchemaAgainstMigrations()).toBeNull();
  }, slow);
});

describe('migrations on embedded PGlite', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pglite-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('apply, and Prisma stores and reads a Department that persists', async () => {
    const pglite = await openEmbeddedDatabase(dir);
    try {
      expect(await applyMigrations({ pglite })).toEqual(await committedMigrationNames());
      const { prisma, close } = createPrismaClient({ pglite });
      try {
        await prisma.department.create({
          data: {
            code: 'D99',
            nameZh: '测试部门',
            nameEn: 'Test Department',
            role: 'executor',
            contactEmail: 'contact@d99.departments.example',
            supervisorEmail: 'supervisor@d99.departments.example',
          },
        });
      } finally {
        await close();
      }
    } finally {
      await pglite.close();
    }

    expect(await applyMigrations({ pgliteDir: dir })).toEqual([]);

    const reopened = await openEmbeddedDatabase(dir);
    try {
      const { prisma, close } = createPrismaClient({ pglite: reopened });
      try {
        const department = await prisma.department.findUnique({ where: { code: 'D99' } });
        expect(department).toMatchObject({ nameZh: '测试部门', locale: 'zh-CN' });
      } finally {
        await close();
      }
    } finally {
      await reopened.close();
    }
  }, slow);

  it('reject a failing migration without applying any of it', async () => {
    const broken = await migrationsWith('99999999999999_broken', 'CREATE TABLE "Half" (id int);\nSELECT missing FROM "Half";\n');
    const pglite = await openEmbeddedDatabase(path.join(dir, 'broken'));
    try {
      await expect(applyMigrations({ pglite }, broken)).rejects.toThrow(/missing/);
      const { rows } = await pglite.query(`SELECT to_regclass('"Half"') AS half`);
      expect(rows).toEqual([{ half: null }]);
    } finally {
      await pglite.close();
      await rm(broken, { recursive: true, force: true });
    }
  }, slow);
});
