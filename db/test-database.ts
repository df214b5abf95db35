// A fresh, fully migrated PostgreSQL database per test file, so tests can run
// in parallel and never see each other's rows.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { applyMigrations } from './migrations.js';

export interface TestDatabase {
  url: string;
  /** Names of the migrations applied when it was created. */
  applied: string[];
  drop(): Promise<void>;
}

export async function createTestDatabase(
  baseUrl: string = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
): Promise<TestDatabase> {
  const name = `test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  await onServer(baseUrl, `CREATE DATABASE "${name}"`);
  const drop = () => onServer(baseUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  try {
    const applied = await applyMigrations({ url: url.href });
    return { url: url.href, applied, drop };
  } catch (error) {
    await drop().catch(() => {});
    throw error;
  }
}

async function onServer(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
