// The worker as its own process (production): the workflows and their
// activities. It needs a database server, a Temporal cluster and an SMTP
// relay. `npm start` runs everything instead.
import { createPrismaClient } from '../db/client.js';
import { installTemporalRuntime, metricsUrlOf } from '../platform/temporal-runtime.js';
import { startTracing, tracingSettingsFrom } from '../platform/tracing.js';
import { startSystem } from './compose.js';
import { runProcess, stopsInReverse } from './process.js';

await runProcess('worker', ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL', 'TEMPORAL_PAYLOAD_KEY', 'ACK_TOKEN_SECRET'], async (settings, log, control) => {
  const parts = stopsInReverse();
  installTemporalRuntime({ log, metricsAddress: settings.workerMetrics.address });
  const tracing = startTracing(tracingSettingsFrom(settings.tracing, 'sanctions-worker'));
  parts.add(() => tracing.shutdown());
  const database = createPrismaClient({ url: settings.database.url!, poolSize: settings.database.poolSize });
  parts.add(() => database.close());
  // Polling stops at once on a signal; running activities get the worker's shutdown grace time to finish.
  const system = await startSystem(
    { database, temporalAddress: settings.temporal.address!, smtpUrl: settings.mail.smtpUrl },
    { settings, log, roles: { worker: true, http: false, inboundMail: false }, tracing, control },
  );
  parts.add(() => system.stop());
  log.info({ taskQueue: settings.temporal.taskQueue, metrics: settings.workerMetrics.address && metricsUrlOf(settings.workerMetrics.address) }, 'worker running');
  return parts;
});
