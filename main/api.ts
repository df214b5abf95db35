// The API as its own process (production): it needs a database server and a
// Temporal cluster. `npm start` runs everything instead.
import { createPrismaClient } from '../db/client.js';
import { loadConfig } from '../platform/settings.js';
import { createLogger } from '../platform/logger.js';
import { requireSettings } from '../platform/require-settings.js';
import { startTracing, tracingSettingsFrom } from '../platform/tracing.js';
import { resolveAckTokenSecret } from '../platform/signing-secret.js';
import { startApiServer } from './api-server.js';
import { createApiKeyService } from '../app/api-keys.js';

const config = loadConfig();
const log = createLogger(config.LOG_LEVEL, 'api');
const { DATABASE_URL, TEMPORAL_ADDRESS } = requireSettings(config, ['DATABASE_URL', 'TEMPORAL_ADDRESS']);

const tracing = startTracing(tracingSettingsFrom(config, 'sanctions-api'));
const database = createPrismaClient({ url: DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE });
const admin = await createApiKeyService(database.prisma).ensureBootstrapAdmin(config.ADMIN_API_KEY);
if (admin.generated) process.stdout.write(`Admin API key (generated; set ADMIN_API_KEY to keep one): ${admin.key}\n`);

const api = await startApiServer({
  prisma: database.prisma,
  temporalAddress: TEMPORAL_ADDRESS,
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  ackTokenSecret: await resolveAckTokenSecret(database.prisma, config.ACK_TOKEN_SECRET),
  port: config.PORT,
  host: process.env.HOST ?? '0.0.0.0',
  publicBaseUrl: config.publicBaseUrl,
  log,
  tracing,
  workerMetricsUrl: config.WORKER_METRICS_URL,
});
log.info({ url: api.url }, 'api listening');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    // /readyz answers 503 from now on; requests in flight get a few seconds to finish.
    log.info(`${signal}: draining`);
    await api.stop();
    await database.close();
    await tracing.shutdown();
    process.exit(0);
  });
}
