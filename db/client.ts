// The Prisma client over either a PostgreSQL server or an embedded PGlite.
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../prisma/generated/client.js';

export { PrismaClient };

/**
 * `url`: a PostgreSQL server, through a pg pool of `poolSize` connections
 * (default 10), a few of them kept open while idle. `pglite`: an open PGlite; it stays open after `close()`,
 * because whoever opened it may still use it: the caller of
 * `openEmbeddedDatabase` (dev/embedded-database.ts) closes it, after closing every client over it.
 */
export type ClientTarget = { url: string; poolSize?: number } | { pglite: PGlite };

export interface DatabaseClient {
  prisma: PrismaClient;
  /**
   * Plain SQL over the same connections, for the hottest read (the restriction
   * check, thousands a second): the ORM's per-query work is most of its cost there.
   */
  rows<T>(sql: string, params: unknown[]): Promise<T[]>;
  /** Disconnects Prisma and, for a server, ends the pool. */
  close(): Promise<void>;
}

/**
 * A pg pool whose connections never take the process down. When PostgreSQL
 * restarts it terminates every connection; pg reports that as an 'error'
 * event on the connection, and an event nobody listens to ends the process.
 * The adapter listens only while a connection is idle or inside a
 * transaction, so every connection gets a listener of its own: the broken
 * connection's next query fails (answered 503) and the pool replaces it.
 */
/**
 * Connections kept open while idle (pg closes the others after 10 s): the
 * first request after a quiet spell, and the first after the warm-up at
 * start, does not wait for a connection handshake.
 */
const WARM_CONNECTIONS = 4;

function serverPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, min: Math.min(WARM_CONNECTIONS, max) });
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/**
 * Writers of one listing queue on its row lock (its audit events form one hash
 * chain), each holding a pool connection while it waits: forty-two departments
 * answering one listing at once wait for a connection longer than Prisma's
 * default two seconds. They wait for it instead of failing; a transaction
 * still may not run longer than `timeout`.
 */
const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 10_000 };

export function createPrismaClient(target: ClientTarget): DatabaseClient {
  if ('pglite' in target) {
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(target.pglite), transactionOptions: TRANSACTION_OPTIONS });
    // Prisma's disconnect leaves the PGlite database open for whoever opened it.
    return { prisma, rows: async (sql, params) => (await target.pglite.query(sql, params)).rows as never[], close: () => prisma.$disconnect() };
  }
  const pool = serverPool(target.url, target.poolSize ?? 10);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }), transactionOptions: TRANSACTION_OPTIONS });
  return {
    prisma,
    rows: async (sql, params) => (await pool.query(sql, params)).rows as never[],
    // Prisma disposes the adapter on disconnect, and with it this pool.
    close: () => prisma.$disconnect(),
  };
}
