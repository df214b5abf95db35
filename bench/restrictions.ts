// The restriction check on a read model of many restricted subjects, next to
// a bare node:http server doing the same lookup (bench/bare-check-server.ts),
// and the latency of a lift to checks and to a webhook. Part of `npm run bench`.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import pg from 'pg';
import { percentile } from './stats.js';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/** Seeded listings; the subjects are spread over them. Their status keeps the relay away from them. */
const SEEDED_LISTINGS = 1_000;

/** The n-th seeded resident ID number, as the seeding SQL makes it: region, a birth date, a sequence, the check character. */
export function seededIdNumber(n: number): string {
  const birth = new Date(Date.UTC(1950, 0, 1) + Math.floor(n / 1000) * 86_400_000);
  const body = `640104${birth.toISOString().slice(0, 10).replaceAll('-', '')}${String(n % 1000).padStart(3, '0')}`;
  const sum = [...body].reduce((total, digit, index) => total + Number(digit) * WEIGHTS[index]!, 0);
  return body + '10X98765432'[sum % 11];
}

/**
 * Bulk-loads `count` restricted individuals (not through the workflow): 1,000
 * listings and the subjects spread over them, each with every individual
 * measure of the catalog version; the index is built after the load.
 */
export async function seedRestrictedSubjects(databaseUrl: string, count: number, catalogVersion: number, measures: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`
      INSERT INTO "Listing" (id, "workflowId", "courtCode", "caseNumber", "debtorKind", "debtorName", "debtorIdNumber", circumstance, "obligationDescription", "listedAt", status, "catalogVersion", "updatedAt")
      SELECT gen_random_uuid(), 'seeded-' || n, 'BENCH-SEED', '（2020）宁01执' || n || '号', 'individual', 'seeded', 'seeded-' || n, 'refuses-despite-ability', 'seeded', now(), 'seeded', $1, now()
      FROM generate_series(1, ${SEEDED_LISTINGS}) n`, [catalogVersion]);
    await client.query('DROP INDEX IF EXISTS "RestrictedSubject_idNumber_idx"');
    const checkSum = WEIGHTS.map((weight, index) => `substr(body, ${index + 1}, 1)::int * ${weight}`).join(' + ');
    const chunk = 1_000_000;
    for (let from = 0; from < count; from += chunk) {
      const to = Math.min(count, from + chunk) - 1;
      await client.query(
        `WITH listings AS (SELECT array_agg(id ORDER BY "workflowId") AS ids FROM "Listing" WHERE status = 'seeded'),
              g AS (SELECT n, '640104' || to_char(date '1950-01-01' + (n / 1000)::int, 'YYYYMMDD') || lpad((n % 1000)::text, 3, '0') AS body FROM generate_series(${from}, ${to}) n)
         INSERT INTO "RestrictedSubject" ("listingId", "idNumber", role, name, measures, "catalogVersion", since)
         SELECT listings.ids[1 + g.n % ${SEEDED_LISTINGS}], g.body || substr('10X98765432', ((${checkSum}) % 11) + 1, 1), 'debtor', 'seeded', $1, $2, now()
         FROM g, listings`,
        [measures, catalogVersion],
      );
    }
    await client.query('CREATE INDEX "RestrictedSubject_idNumber_idx" ON "RestrictedSubject" ("idNumber")');
    await client.query('ANALYZE "RestrictedSubject"');
    await client.query('ANALYZE "Listing"');
  } finally {
    await client.end();
  }
}

export interface LoadFigures {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

/** `connections` clients for `seconds`, each asking as soon as it has its answer; requests cycle through `paths`. */
export async function load(
  baseUrl: string,
  { paths, connections, seconds, headers = {}, method = 'GET', bodies }: { paths: string[]; connections: number; seconds: number; headers?: Record<string, string>; method?: autocannon.Request['method']; bodies?: string[] },
): Promise<LoadFigures> {
  let next = 0;
  const result = await autocannon({
    url: baseUrl,
    connections,
    duration: seconds,
    requests: [
      {
        setupRequest: (request) => {
          const index = next++;
          return { ...request, method, path: paths[index % paths.length]!, headers: { ...headers, ...(bodies ? { 'content-type': 'application/json' } : {}) }, ...(bodies ? { body: bodies[index % bodies.length]! } : {}) };
        },
      },
    ],
  });
  return { requests: result.requests.total, perSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

/** The bare server, on its own port and with the same pool size as the API. */
export async function startBareServer(databaseUrl: string, port: number, poolSize: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/bare-check-server.ts'], {
    cwd: new URL('..', import.meta.url),
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), POOL_SIZE: String(poolSize) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the bare server exited with ${code}`)));
  });
  return child;
}

/** A department system's webhook receiver: notes when each lifted change arrives. */
export async function startReceiver(): Promise<{ url: string; liftedAt: Map<string, number>; close(): void }> {
  const liftedAt = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const change = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string; listingId: string };
      if (change.type === 'lifted' && !liftedAt.has(change.listingId)) liftedAt.set(change.listingId, performance.now());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, liftedAt, close: () => server.close() };
}

export const summarize = (values: number[]) => ({ p50: percentile(values, 0.5), p95: percentile(values, 0.95) });
