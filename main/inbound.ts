// The reply listener as its own process (production): receives replies to
// notices by SMTP and records them as acknowledgments, completions and
// extension requests. It needs a database server, a Temporal cluster, an SMTP
// relay (for the answers it sends), the signing secret and INBOUND_SMTP_PORT; the MX of MAIL_FROM's
// domain delivers reply+…@ addresses to it. `npm start` runs everything instead.
import { createPrismaClient } from '../db/client.js';
import { startTracing, tracingSettingsFrom } from '../platform/tracing.js';
import { startSystem } from './compose.js';
import { runProcess, stopsInReverse } from './process.js';

await runProcess('inbound', ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL', 'TEMPORAL_PAYLOAD_KEY', 'ACK_TOKEN_SECRET'], async (settings, log, control) => {
  // Without a port this installation receives no replies, and its notices offer none.
  if (settings.mail.inbound.port === undefined) throw new Error('Set INBOUND_SMTP_PORT: the port replies to notices are received on');
  const parts = stopsInReverse();
  const tracing = startTracing(tracingSettingsFrom(settings.tracing, 'sanctions-inbound'));
  parts.add(() => tracing.shutdown());
  const database = createPrismaClient({ url: settings.database.url!, poolSize: settings.database.poolSize });
  parts.add(() => database.close());
  // A listener of its own is meant to be reached by a mail server: every interface unless INBOUND_SMTP_HOST narrows it.
  const host = settings.mail.inbound.host ?? '0.0.0.0';
  const system = await startSystem(
    { database, temporalAddress: settings.temporal.address!, smtpUrl: settings.mail.smtpUrl },
    { settings: { ...settings, mail: { ...settings.mail, inbound: { ...settings.mail.inbound, host } } }, log, roles: { worker: false, http: false, inboundMail: true }, tracing, control },
  );
  parts.add(() => system.stop());
  log.info({ host, port: system.inboundPort }, 'receiving replies');
  return parts;
});
