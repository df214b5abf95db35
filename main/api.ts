// The API as its own process (production): the JSON API and the pages. It
// needs a database server and a Temporal cluster. `npm start` runs everything instead.
import { createApiKeyService } from '../app/api-keys.js';
import { createPrismaClient } from '../db/client.js';
import { startTracing, tracingSettingsFrom } from '../platform/tracing.js';
import { startSystem } from './compose.js';
import { runProcess, stopsInReverse } from './process.js';

await runProcess('api', ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_PAYLOAD_KEY', 'ACK_TOKEN_SECRET'], async (settings, log, control) => {
  const parts = stopsInReverse();
  const tracing = startTracing(tracingSettingsFrom(settings.tracing, 'sanctions-api'));
  parts.add(() => tracing.shutdown());
  const database = createPrismaClient({ url: settings.database.url!, poolSize: settings.database.poolSize });
  parts.add(() => database.close());
  const admin = await createApiKeyService(database.prisma).ensureBootstrapAdmin(settings.security.adminApiKey);
  if (admin.generated) process.stdout.write(`Admin API key (generated; set ADMIN_API_KEY to keep one): ${admin.key}\n`);
  const system = await startSystem(
    { database, temporalAddress: settings.temporal.address!, smtpUrl: settings.mail.smtpUrl },
    { settings: { ...settings, http: { ...settings.http, host: settings.http.host ?? '0.0.0.0' } }, log, roles: { worker: false, http: true, inboundMail: false }, tracing, control },
  );
  parts.add(() => system.stop());
  log.info({ url: system.url }, 'api listening');
  return parts;
});
