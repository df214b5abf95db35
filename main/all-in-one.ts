// The whole system on embedded defaults, in one process: PGlite for the
// database, a Temporal dev server persisting to a file, a built-in mail
// catcher, the worker and the API. Each part is replaced by a real one when
// its variable is set (DATABASE_URL, TEMPORAL_ADDRESS, SMTP_URL).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import { createApiKeyService } from '../app/api-keys.js';
import { createPrismaClient, type DatabaseClient } from '../db/client.js';
import { applyMigrations } from '../db/migrations.js';
import { loadCatalog } from '../db/seed-catalog.js';
import { loadInstitutionDirectory } from '../db/institution-directory.js';
import { defaultInstitutionDirectory } from '../domain/institutions.js';
import { openEmbeddedDatabase } from '../dev/embedded-database.js';
import { MailCatcher } from '../dev/mail-catcher.js';
import { ensureTemporalCli } from '../dev/temporal-cli.js';
import { startTemporalDevServer, type TemporalDevServer, type TemporalDevServerOptions } from '../dev/temporal-dev-server.js';
import { superviseDevServer } from '../dev/temporal-dev-server-supervision.js';
import { defaultCatalog } from '../domain/catalog.js';
import { createDependencyStatus } from '../platform/dependency-status.js';
import { ensureSearchAttributes } from '../platform/search-attributes.js';
import { readOrCreateSecretFile } from '../platform/secret-file.js';
import type { Settings } from '../platform/settings.js';
import { embeddedSigningSecret } from '../platform/signing-secret.js';
import { temporalConnectionOptions } from '../platform/temporal-connection.js';
import { installTemporalRuntime, metricsUrlOf } from '../platform/temporal-runtime.js';
import { startTracing, tracingSettingsFrom } from '../platform/tracing.js';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';
import type { PrismaClient } from '../prisma/generated/client.js';
import { startSystem } from './compose.js';
import { runProcess, stopsInReverse } from './process.js';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
type Stops = ReturnType<typeof stopsInReverse>;

async function openDatabase(settings: Settings, dataDir: string, log: Logger, stops: Stops): Promise<DatabaseClient> {
  if (settings.database.url) {
    const applied = await applyMigrations({ url: settings.database.url });
    log.info(`database: ${applied.length} migrations applied`);
    return createPrismaClient({ url: settings.database.url, poolSize: settings.database.poolSize });
  }
  const dir = path.join(dataDir, 'pglite');
  const pglite = await openEmbeddedDatabase(dir);
  stops.add(() => pglite.close());
  const applied = await applyMigrations({ pglite });
  log.info(`embedded database in ${dir}: ${applied.length} migrations applied`);
  return createPrismaClient({ pglite });
}

interface EmbeddedTemporal {
  server: TemporalDevServer;
  /** What it was started with, for a restart on the same file and ports. */
  options: TemporalDevServerOptions;
}

async function connectTemporal(settings: Settings, dataDir: string, log: Logger): Promise<{ address: string; devServer: EmbeddedTemporal | null }> {
  if (settings.temporal.address) {
    const connection = await Connection.connect(temporalConnectionOptions(settings.temporal.address, settings.temporal.tls));
    await ensureSearchAttributes(connection, settings.temporal.namespace, SEARCH_ATTRIBUTES);
    await connection.close();
    return { address: settings.temporal.address, devServer: null };
  }
  const say = (message: string) => log.info(message);
  const cliPath = await ensureTemporalCli({ log: say, explicitPath: settings.embedded.temporalCli });
  const temporalDir = path.join(dataDir, 'temporal');
  await mkdir(temporalDir, { recursive: true });
  const options: TemporalDevServerOptions = {
    cliPath,
    dbFilename: path.join(temporalDir, 'temporal.db'),
    port: settings.embedded.temporalPort,
    uiPort: settings.embedded.temporalUiPort,
    namespace: settings.temporal.namespace,
    searchAttributes: SEARCH_ATTRIBUTES,
    logFile: path.join(temporalDir, 'server.log'),
    log: say,
  };
  const server = await startTemporalDevServer(options);
  return { address: server.address, devServer: { server, options } };
}

/**
 * The worker's SDK metrics on WORKER_METRICS_ADDRESS, by default 127.0.0.1:9464,
 * for the API's /metrics to append. A default port already taken only turns
 * them off: the embedded start must not fail over metrics.
 */
function installRuntimeWithMetrics(settings: Settings, log: Logger): string | undefined {
  const address = settings.workerMetrics.address ?? '127.0.0.1:9464';
  try {
    installTemporalRuntime({ log, metricsAddress: address });
    return metricsUrlOf(address);
  } catch (error) {
    if (settings.workerMetrics.address) throw error;
    log.warn({ err: error, address }, 'worker metrics are off: their default address is taken (set WORKER_METRICS_ADDRESS)');
    installTemporalRuntime({ log });
    return undefined;
  }
}

/** TEMPORAL_PAYLOAD_KEY, else one generated once under the data directory: histories written under it stay readable after a restart. */
async function withPayloadKey(settings: Settings, dataDir: string): Promise<Settings> {
  if (settings.temporal.payloadKeys.current) return settings;
  const current = await readOrCreateSecretFile(path.join(dataDir, 'secrets', 'temporal-payload.key'));
  return { ...settings, temporal: { ...settings.temporal, payloadKeys: { ...settings.temporal.payloadKeys, current } } };
}

/**
 * ACK_TOKEN_SECRET, else the signing secret file under the data directory; and
 * SESSION_SECRET, else a file of its own: a secret an earlier version kept in
 * the database signs no session.
 */
async function withSigningSecrets(settings: Settings, dataDir: string, prisma: PrismaClient, log: Logger): Promise<Settings> {
  const secrets = path.join(dataDir, 'secrets');
  const signingSecret = await embeddedSigningSecret({ prisma, configured: settings.security.signingSecret, file: path.join(secrets, 'signing.key'), log });
  const sessionSecret = settings.security.sessionSecret ?? (await readOrCreateSecretFile(path.join(secrets, 'session.key')));
  return { ...settings, security: { ...settings.security, signingSecret, sessionSecret } };
}

await runProcess('sanctions', [], async (configured, log, control) => {
  const stops = stopsInReverse();
  // Written by the dev server's supervisor and the health probes; read by /readyz, /metrics and the dashboard.
  const dependencies = createDependencyStatus();
  const dataDir = path.resolve(configured.embedded.dataDir ?? path.join(projectRoot, 'data'));
  const settings = await withPayloadKey(configured, dataDir);
  const workerMetricsUrl = installRuntimeWithMetrics(settings, log);
  const tracing = startTracing(tracingSettingsFrom(settings.tracing, 'sanctions'));
  stops.add(() => tracing.shutdown());
  const database = await openDatabase(settings, dataDir, log, stops);
  stops.add(() => database.close());
  const { prisma } = database;
  const withSecrets = await withSigningSecrets(settings, dataDir, prisma, log);
  // The shipped catalog seeds an empty database only: an imported one (and its addresses) survives restarts.
  if ((await prisma.catalogVersion.count()) === 0) {
    const catalog = await loadCatalog(prisma, defaultCatalog);
    log.info(`default catalog loaded as version ${catalog.version}`);
  }
  // Likewise the shipped directory of institutions for asset searches.
  if ((await prisma.institutionDirectoryVersion.count()) === 0) {
    const directory = await loadInstitutionDirectory(prisma, defaultInstitutionDirectory);
    log.info(`default institution directory loaded as version ${directory.version} (${directory.institutions} institutions)`);
  }

  const { address, devServer } = await connectTemporal(settings, dataDir, log);
  if (devServer) {
    const supervised = superviseDevServer({ first: devServer.server, options: devServer.options, status: dependencies, log, fail: control.fail });
    stops.add(() => supervised.stop());
  }

  let smtpUrl = settings.mail.smtpUrl;
  let mailCatcher: MailCatcher | undefined;
  if (!smtpUrl) {
    mailCatcher = await new MailCatcher({ port: settings.embedded.mailCatcherPort, directory: path.join(dataDir, 'mail') }).start();
    stops.add(() => mailCatcher!.stop());
    smtpUrl = mailCatcher.url;
  }

  const admin = await createApiKeyService(prisma).ensureBootstrapAdmin(settings.security.adminApiKey);
  const system = await startSystem(
    { database, temporalAddress: address, smtpUrl, mailbox: mailCatcher },
    { settings: withSecrets, log, roles: { worker: true, http: true, inboundMail: true }, tracing, workerMetricsUrl, dependencies, control },
  );
  stops.add(() => system.stop());

  const base = settings.http.publicBaseUrl;
  const lines = [
    '',
    'Joint Sanctions Coordinator is running.',
    `  API            ${base}/api  (OpenAPI: ${base}/api/openapi.json)`,
    `  Dashboard      ${base}/`,
    `  Temporal UI    ${devServer?.server.uiUrl ?? '(external Temporal: ' + address + ')'}`,
    `  Mail catcher   ${mailCatcher ? `${base}/mail  (SMTP ${mailCatcher.url})` : `(sending through ${smtpUrl})`}`,
    ...(system.inboundPort ? [`  Inbound replies  smtp://${settings.mail.inbound.host ?? '127.0.0.1'}:${system.inboundPort}`] : []),
    `  Admin API key  ${admin.generated ? admin.key + '  (generated for this run; set ADMIN_API_KEY to keep one)' : '(ADMIN_API_KEY)'}`,
    `  Data           ${dataDir}`,
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return stops;
});
