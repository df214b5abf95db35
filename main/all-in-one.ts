// The whole system on embedded defaults, in one process: PGlite for the
// database, a Temporal dev server persisting to a file, a built-in mail
// catcher, the worker and the API. Each part is replaced by a real one when
// its variable is set (DATABASE_URL, TEMPORAL_ADDRESS, SMTP_URL).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import type { PGlite } from '@electric-sql/pglite';
import { defaultCatalog } from '../domain/catalog.js';
import { createPrismaClient, openEmbeddedDatabase, type DatabaseClient } from '../db/client.js';
import { applyMigrations } from '../db/migrations.js';
import { loadCatalog } from '../db/seed-catalog.js';
import { loadConfig } from '../platform/settings.js';
import { createLogger } from '../platform/logger.js';
import { loadPolicy } from '../platform/policy-file.js';
import { startSystem } from './compose.js';
import { installTemporalRuntime, metricsUrlOf } from '../platform/temporal-runtime.js';
import { startTracing, tracingSettingsFrom } from '../platform/tracing.js';
import { ensureTemporalCli } from '../dev/temporal-cli.js';
import { ensureSearchAttributes } from '../platform/search-attributes.js';
import { startTemporalDevServer, type TemporalDevServer } from '../dev/temporal-dev-server.js';
import { MailCatcher } from '../dev/mail-catcher.js';
import { createApiKeyService } from '../app/api-keys.js';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';
import { resolveAckTokenSecret } from '../platform/signing-secret.js';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const config = loadConfig();
const log = createLogger(config.LOG_LEVEL);
const dataDir = path.resolve(config.DATA_DIR ?? path.join(projectRoot, 'data'));
const say = (message: string) => log.info(message);
const cleanups: (() => Promise<unknown>)[] = [];

async function openDatabase(): Promise<DatabaseClient> {
  if (config.DATABASE_URL) {
    const applied = await applyMigrations({ url: config.DATABASE_URL });
    say(`database: ${applied.length} migrations applied`);
    return createPrismaClient({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE });
  }
  const pglite: PGlite = await openEmbeddedDatabase(path.join(dataDir, 'pglite'));
  cleanups.push(() => pglite.close());
  const applied = await applyMigrations({ pglite });
  say(`embedded database in ${path.join(dataDir, 'pglite')}: ${applied.length} migrations applied`);
  return createPrismaClient({ pglite });
}

async function connectTemporal(): Promise<{ address: string; devServer: TemporalDevServer | null }> {
  if (config.TEMPORAL_ADDRESS) {
    const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    await ensureSearchAttributes(connection, config.TEMPORAL_NAMESPACE, SEARCH_ATTRIBUTES);
    await connection.close();
    return { address: config.TEMPORAL_ADDRESS, devServer: null };
  }
  const cliPath = await ensureTemporalCli({ log: say });
  const temporalDir = path.join(dataDir, 'temporal');
  await mkdir(temporalDir, { recursive: true });
  const devServer = await startTemporalDevServer({
    cliPath,
    dbFilename: path.join(temporalDir, 'temporal.db'),
    port: Number(process.env.TEMPORAL_DEV_PORT ?? 7233),
    uiPort: Number(process.env.TEMPORAL_DEV_UI_PORT ?? 8233),
    namespace: config.TEMPORAL_NAMESPACE,
    searchAttributes: SEARCH_ATTRIBUTES,
    logFile: path.join(temporalDir, 'server.log'),
    log: say,
  });
  return { address: devServer.address, devServer };
}

/**
 * The worker's SDK metrics on WORKER_METRICS_ADDRESS, by default 127.0.0.1:9464,
 * for the API's /metrics to append. A default port already taken only turns
 * them off: the embedded start must not fail over metrics.
 */
function installRuntimeWithMetrics(): string | undefined {
  const address = config.WORKER_METRICS_ADDRESS ?? '127.0.0.1:9464';
  try {
    installTemporalRuntime({ log, metricsAddress: address });
    return metricsUrlOf(address);
  } catch (error) {
    if (config.WORKER_METRICS_ADDRESS) throw error;
    log.warn({ err: error, address }, 'worker metrics are off: their default address is taken (set WORKER_METRICS_ADDRESS)');
    installTemporalRuntime({ log });
    return undefined;
  }
}

async function main(): Promise<void> {
  const workerMetricsUrl = installRuntimeWithMetrics();
  const tracing = startTracing(tracingSettingsFrom(config, 'sanctions'));
  cleanups.push(() => tracing.shutdown());
  const database = await openDatabase();
  cleanups.unshift(() => database.close());
  const { prisma } = database;
  // The shipped catalog seeds an empty database only: an imported one (and its addresses) survives restarts.
  if ((await prisma.catalogVersion.count()) === 0) {
    const catalog = await loadCatalog(prisma, defaultCatalog);
    say(`default catalog loaded as version ${catalog.version}`);
  }

  const { address, devServer } = await connectTemporal();
  if (devServer) cleanups.unshift(() => devServer.stop());

  let smtpUrl = config.SMTP_URL;
  let mailCatcher: MailCatcher | undefined;
  if (!smtpUrl) {
    mailCatcher = await new MailCatcher({ port: Number(process.env.MAIL_CATCHER_PORT ?? 2525), directory: path.join(dataDir, 'mail') }).start();
    cleanups.unshift(() => mailCatcher!.stop());
    smtpUrl = mailCatcher.url;
  }

  const admin = await createApiKeyService(prisma).ensureBootstrapAdmin(config.ADMIN_API_KEY);
  const system = await startSystem({
    prisma,
    temporalAddress: address,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    smtpUrl,
    mailFrom: config.MAIL_FROM,
    publicBaseUrl: config.publicBaseUrl,
    ackTokenSecret: await resolveAckTokenSecret(prisma, config.ACK_TOKEN_SECRET),
    policy: await loadPolicy(config.POLICY_FILE),
    log,
    port: config.PORT,
    host: process.env.HOST ?? '127.0.0.1',
    mailCatcher,
    inboundSmtpPort: config.INBOUND_SMTP_PORT,
    tracing,
    workerMetricsUrl: config.WORKER_METRICS_URL ?? workerMetricsUrl,
  });
  cleanups.unshift(() => system.stop());

  const lines = [
    '',
    'Joint Sanctions Coordinator is running.',
    `  API            ${config.publicBaseUrl}/api  (OpenAPI: ${config.publicBaseUrl}/api/openapi.json)`,
    `  Dashboard      ${config.publicBaseUrl}/`,
    `  Temporal UI    ${devServer?.uiUrl ?? '(external Temporal: ' + address + ')'}`,
    `  Mail catcher   ${mailCatcher ? `${config.publicBaseUrl}/mail  (SMTP ${mailCatcher.url})` : `(sending through ${smtpUrl})`}`,
    ...(config.INBOUND_SMTP_PORT ? [`  Inbound replies  smtp://127.0.0.1:${config.INBOUND_SMTP_PORT}`] : []),
    `  Admin API key  ${admin.generated ? admin.key + '  (generated for this run; set ADMIN_API_KEY to keep one)' : '(ADMIN_API_KEY)'}`,
    `  Data           ${dataDir}`,
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

let stopping = false;
async function shutdown(signal: string, exitCode = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  say(`${signal}: stopping`);
  for (const cleanup of cleanups) {
    await cleanup().catch((error: unknown) => log.error({ err: error }, 'error while stopping'));
  }
  process.exit(exitCode);
}

process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

main().catch(async (error: unknown) => {
  log.fatal({ err: error }, 'start failed');
  await shutdown('start failure', 1);
});
