// npm run bench:check -- [--subjects 1000000] [--seconds 10]
// The restriction check alone, next to a bare node:http server doing the same
// lookup from the same database: a quicker loop than `npm run bench` while
// working on the check's path.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { defaultCatalog } from '../domain/catalog.js';
import { createPrismaClient } from '../db/client.js';
import { loadCatalog } from '../db/seed-catalog.js';
import { createTestDatabase } from '../db/test-database.js';
import { ensureTemporalCli } from '../dev/temporal-cli.js';
import { startTemporalDevServer } from '../dev/temporal-dev-server.js';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';
import { load, seedRestrictedSubjects, seededIdNumber, startBareServer } from './restrictions.js';

const { values: args } = parseArgs({ options: { subjects: { type: 'string', default: '1000000' }, seconds: { type: 'string', default: '10' } } });
const subjects = Number(args.subjects);
const seconds = Number(args.seconds);
const ADMIN_KEY = 'jsc_bench_admin_key_0123456789abcdefghijklmnopqrstu';
const say = (line: string) => process.stderr.write(`[bench:check] ${line}\n`);

const temporal = await startTemporalDevServer({ cliPath: await ensureTemporalCli({ log: say }), headless: true, namespace: 'default', searchAttributes: SEARCH_ATTRIBUTES, log: () => {} });
const database = await createTestDatabase();
const { prisma, close } = createPrismaClient({ url: database.url });
const port = 41000 + Math.floor(Math.random() * 1000);
const api = spawn(process.execPath, [...(process.env.API_NODE_ARGS?.split(' ') ?? []), '--import', 'tsx', 'main/api.ts'], {
  cwd: new URL('..', import.meta.url),
  env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: database.url, TEMPORAL_ADDRESS: temporal.address, ADMIN_API_KEY: ADMIN_KEY, TEMPORAL_PAYLOAD_KEY: randomBytes(32).toString('base64'), PORT: String(port), HOST: '127.0.0.1' },
  stdio: ['ignore', process.env.API_STDOUT ? 'inherit' : 'ignore', 'inherit'],
});
const bare = await startBareServer(database.url, port + 1, 20);
try {
  const { version } = await loadCatalog(prisma, defaultCatalog);
  say(`seeding ${subjects.toLocaleString('en')} subjects`);
  const seedStarted = performance.now();
  await seedRestrictedSubjects(database.url, subjects, version, defaultCatalog.measures.filter((m) => m.applies_to.includes('individual')).map((m) => m.code));
  say(`seeded in ${((performance.now() - seedStarted) / 1000).toFixed(0)} s`);
  const baseUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300 && !(await fetch(`${baseUrl}/healthz`).then((r) => r.ok, () => false)); i++) await new Promise((resolve) => setTimeout(resolve, 200));
  const keyResponse = await fetch(`${baseUrl}/api/api-keys`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'd19', role: 'department', departmentCode: 'D19' }) });
  const { key } = (await keyResponse.json()) as { key: string };
  const paths = Array.from({ length: 2000 }, () => `/api/restrictions/check?idNumber=${seededIdNumber(Math.floor(Math.random() * subjects))}`);
  const headers = { authorization: `Bearer ${key}` };
  await load(baseUrl, { paths, connections: 20, seconds: 2, headers });
  await load(`http://127.0.0.1:${port + 1}`, { paths, connections: 20, seconds: 2 });
  const ours = await load(baseUrl, { paths, connections: 200, seconds, headers });
  const theirs = await load(`http://127.0.0.1:${port + 1}`, { paths, connections: 200, seconds });
  const batches = Array.from({ length: 20 }, () => JSON.stringify({ idNumbers: Array.from({ length: 1000 }, () => seededIdNumber(Math.floor(Math.random() * subjects))) }));
  const batch = await load(baseUrl, { paths: ['/api/restrictions/check'], method: 'POST', bodies: batches, connections: 10, seconds, headers });
  process.stdout.write(
    [
      `| check at 200 clients | p50 / p99 | throughput |`,
      `|---|---|---|`,
      `| API | ${ours.p50} / ${ours.p99} ms | ${ours.perSecond.toFixed(0)} /s (${ours.errors} errors) |`,
      `| bare node:http | ${theirs.p50} / ${theirs.p99} ms | ${theirs.perSecond.toFixed(0)} /s (${theirs.errors} errors) |`,
      `| API / bare | | ${(ours.perSecond / theirs.perSecond).toFixed(2)}× |`,
      `| batch of 1,000 at 10 clients | ${batch.p50} / ${batch.p99} ms | ${batch.perSecond.toFixed(1)} batches/s (${batch.errors} errors) |`,
    ].join('\n') + '\n',
  );
} finally {
  api.kill('SIGTERM');
  bare.kill('SIGTERM');
  await close();
  await database.drop();
  await temporal.stop();
}
process.exit(0);
