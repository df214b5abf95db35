// The baseline of the restriction check: a bare node:http server, no
// framework, no authentication, answering the same indexed lookup from the
// same database as `GET /api/restrictions/check`. Started by the benchmark.
import { createServer } from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 20) });
pool.on('error', () => {});
const LOOKUP = `
  SELECT r."idNumber", r.role, r.measures, r."catalogVersion", r.since, r."listingId", l."caseNumber", l."courtCode"
  FROM "RestrictedSubject" r JOIN "Listing" l ON l.id = r."listingId"
  WHERE r."idNumber" = ANY($1) AND r."endedAt" IS NULL`;

const server = createServer(async (req, res) => {
  const idNumber = new URL(req.url ?? '/', 'http://x').searchParams.get('idNumber') ?? '';
  const { rows } = await pool.query(LOOKUP, [[idNumber]]);
  const restrictions = rows.flatMap((row) => (row.measures as string[]).map((measure) => ({ measure, since: row.since, listingId: row.listingId, caseNumber: row.caseNumber, courtCode: row.courtCode, role: row.role })));
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ idNumber, restricted: restrictions.length > 0, restrictions, checkedAt: new Date().toISOString() }));
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('listening\n'));
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
