// The worker as its own process (production): it needs a database server,
// a Temporal cluster and an SMTP relay. `npm start` runs everything instead.
import { createPrismaClient } from '../db/client.js';
import { loadConfig } from '../platform/settings.js';
import { createLogger } from '../platform/logger.js';
import { loadPolicy } from '../platform/policy-file.js';
import { requireSettings } from '../platform/require-settings.js';
import { startSystem } from './compose.js';
import { installTemporalRuntime, metricsUrlOf } from '../platform/temporal-runtime.js';
import { startTracing, tracingSettingsFrom } from '../platform/tracing.js';
import { resolveAckTokenSecret } from '../platform/signing-secret.js';

const config = loadConfig();
const log = createLogger(config.LOG_LEVEL, 'worker');
const { DATABASE_URL, TEMPORAL_ADDRESS, SMTP_URL } = requireSettings(config, ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL']);

installTemporalRuntime({ log, metricsAddress: config.WORKER_METRICS_ADDRESS });
const tracing = startTracing(tracingSettingsFrom(config, 'sanctions-worker'));

const database = createPrismaClient({ url: DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE });
const system = await startSystem({
  prisma: database.prisma,
  temporalAddress: TEMPORAL_ADDRESS,
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  smtpUrl: SMTP_URL,
  mailFrom: config.MAIL_FROM,
  publicBaseUrl: config.publicBaseUrl,
  ackTokenSecret: await resolveAckTokenSecret(database.prisma, config.ACK_TOKEN_SECRET),
  policy: await loadPolicy(config.POLICY_FILE),
  log,
  port: 0,
  runApi: false,
  tracing,
});
log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, metrics: config.WORKER_METRICS_ADDRESS && metricsUrlOf(config.WORKER_METRICS_ADDRESS) }, 'worker running');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    // Polling stops at once; running activities get the worker's shutdown grace time to finish.
    log.info(`${signal}: draining`);
    await system.stop();
    await database.close();
    await tracing.shutdown();
    process.exit(0);
  });
}
