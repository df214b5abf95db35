import { isIP } from 'node:net';
import { z } from 'zod';
import { payloadKeyBytes } from './payload-codec.js';
import type { TemporalTlsFiles } from './temporal-connection.js';

/**
 * The environment of API.md and the README, read and validated once at
 * start into one typed object that every part receives. Unset values mean
 * "use the embedded default": the all-in-one start decides what that is,
 * while the separate production processes require them.
 */
const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const port = z.number().int().min(1).max(65535);
const asNumber = (value: string | undefined) => (value === undefined ? undefined : Number(value));
const optionalPort = optionalString.transform(asNumber).pipe(port.optional());
const portOr = (fallback: number) => optionalString.transform((value) => Number(value ?? fallback)).pipe(port);
const isPayloadKey = (value: string) => {
  try {
    payloadKeyBytes(value);
    return true;
  } catch {
    return false;
  }
};
// The message never repeats the value: it is a secret.
const payloadKey = z.string().refine(isPayloadKey, 'expected the base64 of 32 random bytes (openssl rand -base64 32)');
const commaList = optionalString.transform((value) => (value ?? '').split(',').map((item) => item.trim()).filter(Boolean));
/**
 * Express's `trust proxy`: whose X-Forwarded-For names the client. `true`
 * (every hop), `false` (none), a number of hops, or addresses, CIDR ranges
 * and the names loopback, linklocal, uniquelocal, comma-separated.
 */
const proxyNames = new Set(['loopback', 'linklocal', 'uniquelocal']);
const isProxyAddress = (entry: string) => {
  const [address = '', prefix, ...rest] = entry.split('/');
  return proxyNames.has(entry) || (isIP(address) !== 0 && rest.length === 0 && (prefix === undefined || /^\d{1,3}$/.test(prefix)));
};
const trustProxy = optionalString.transform((value, ctx): boolean | number | string[] => {
  if (value === undefined) return ['loopback'];
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d{1,2}$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
  const wrong = entries.filter((entry) => !isProxyAddress(entry));
  if (wrong.length > 0) ctx.addIssue({ code: 'custom', message: `expected true, false, a number of hops, or addresses, CIDR ranges, loopback, linklocal, uniquelocal; not ${wrong.join(', ')}` });
  return entries;
});
const count = (fallback: number, min: number, max: number) =>
  optionalString.transform((value) => Number(value ?? fallback)).pipe(z.number({ error: 'expected a whole number' }).int().min(min).max(max));
/** The SDK turns a cache of one into two, with a warning only: refused here instead. 0 turns the cache off. */
const cachedWorkflows = (fallback: number) => count(fallback, 0, 100_000).refine((value) => value !== 1, 'expected 0 (no cache) or at least 2');
const onOff = (fallback: boolean) => optionalString.pipe(z.enum(['true', 'false']).optional()).transform((value) => (value === undefined ? fallback : value === 'true'));
const hostPort = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[^\s:[\]]+):\d{1,5}$/, 'expected host:port');

const environmentSchema = z.object({
  DATABASE_URL: optionalString,
  /** Connections per process to a PostgreSQL server. */
  DATABASE_POOL_SIZE: optionalString.transform((value) => Number(value ?? '20')).pipe(z.number().int().min(1).max(500)),
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: optionalString.transform((value) => value ?? 'default'),
  TEMPORAL_TASK_QUEUE: optionalString.transform((value) => value ?? 'sanctions'),
  /** A Temporal CLI binary for the embedded dev server. */
  TEMPORAL_CLI: optionalString,
  TEMPORAL_DEV_PORT: portOr(7233),
  TEMPORAL_DEV_UI_PORT: portOr(8233),
  /** Seals every payload sent to Temporal (AES-256-GCM): base64 of 32 bytes. */
  TEMPORAL_PAYLOAD_KEY: optionalString.pipe(payloadKey.optional()),
  /** Earlier payload keys, comma-separated: what they sealed still opens after a rotation. */
  TEMPORAL_PAYLOAD_PREVIOUS_KEYS: commaList.pipe(z.array(payloadKey)),
  /** PEM files for TLS to the Temporal frontend: client certificate and key (mTLS), CA; and the server name to check. */
  TEMPORAL_TLS_CERT: optionalString,
  TEMPORAL_TLS_KEY: optionalString,
  TEMPORAL_TLS_CA: optionalString,
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  /** Origins (the Temporal UI's) allowed to call the codec endpoint from a browser, comma-separated. */
  TEMPORAL_CODEC_CORS_ORIGIN: commaList.pipe(z.array(z.url())),
  SMTP_URL: optionalString,
  MAIL_FROM: optionalString.transform((value) => value ?? '联合惩戒协同平台 <no-reply@sanctions.example>'),
  MAIL_CATCHER_PORT: portOr(2525),
  INBOUND_SMTP_PORT: optionalPort,
  INBOUND_SMTP_HOST: optionalString,
  INBOUND_TRUSTED_AUTHSERV_IDS: optionalString.transform((value) => (value ?? '').split(',').map((id) => id.trim()).filter(Boolean)),
  PORT: portOr(3000),
  /** Interface of the HTTP server; each entry point has its own default. */
  HOST: optionalString,
  PUBLIC_BASE_URL: optionalString,
  /** The reverse proxies whose X-Forwarded-For is believed; the client address counts failed logins. */
  TRUST_PROXY: trustProxy,
  /** Bearer token a Prometheus scraper sends to /metrics (an admin key works too). */
  METRICS_TOKEN: optionalString,
  /** How long /metrics reuses the figures it read from the database. */
  METRICS_CACHE_SECONDS: optionalString.transform((value) => Number(value ?? '15')).pipe(z.number().int().min(0).max(300)),
  ADMIN_API_KEY: optionalString,
  ACK_TOKEN_SECRET: optionalString,
  /** Earlier secrets, comma-separated: what they signed stays valid after a rotation. */
  ACK_TOKEN_PREVIOUS_SECRETS: optionalString.transform((value) => (value ?? '').split(',').map((secret) => secret.trim()).filter(Boolean)),
  /** Signs dashboard sessions and CSRF tokens instead of ACK_TOKEN_SECRET; changing it signs everyone out. */
  SESSION_SECRET: optionalString,
  POLICY_FILE: optionalString,
  DATA_DIR: optionalString,
  LOG_LEVEL: optionalString.pipe(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional()).transform((value) => value ?? 'info'),
  /** `pretty` or `json`; by default pretty on a terminal, JSON otherwise. */
  LOG_FORMAT: optionalString.pipe(z.enum(['pretty', 'json']).optional()),
  /** OTLP/HTTP collector base URL (`/v1/traces` is appended); tracing is off unless this or the next is set. */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalString.pipe(z.url().optional()),
  /** The full URL spans are posted to; wins over OTEL_EXPORTER_OTLP_ENDPOINT. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalString.pipe(z.url().optional()),
  OTEL_SERVICE_NAME: optionalString,
  /** host:port where the worker serves its Temporal SDK metrics (Prometheus). */
  WORKER_METRICS_ADDRESS: optionalString.pipe(hostPort.optional()),
  /** Where the API fetches the worker's metrics to append them to its own /metrics. */
  WORKER_METRICS_URL: optionalString.pipe(z.url().optional()),
  /**
   * The worker's limits per task queue (coordination: the listings; background: imports, the relay and
   * one webhook delivery per subscription).
   * Cached workflows continue without replaying their history; the SDK's default grows with the heap
   * limit (about 2,300 on a 4 GiB heap) and keeps every running listing. Activity slots: a dispatch round's
   * notices go out together, so the slots bound how many rounds and reminders run at once.
   */
  WORKER_CACHED_WORKFLOWS: cachedWorkflows(200),
  WORKER_ACTIVITY_SLOTS: count(20, 1, 1000),
  WORKER_WORKFLOW_TASK_SLOTS: count(40, 2, 1000),
  WORKER_BACKGROUND_CACHED_WORKFLOWS: cachedWorkflows(50),
  WORKER_BACKGROUND_ACTIVITY_SLOTS: count(10, 1, 1000),
  WORKER_BACKGROUND_WORKFLOW_TASK_SLOTS: count(10, 2, 1000),
  /** Threads running workflow code per task queue; with one reused V8 context each, more rarely help. */
  WORKER_WORKFLOW_THREADS: count(1, 1, 16),
  /** Read-only queries, template compilation and an SMTP greeting before a process reports ready. */
  WARM_UP: onOff(true),
  /** How often listings recorded without their workflow are looked for. */
  LISTING_RELAY_INTERVAL_SECONDS: optionalString.transform((value) => Number(value ?? '60')).pipe(z.number().int().min(1).max(3600)),
});

export type LogFormat = 'pretty' | 'json';

/** One task queue's worker limits, named as the SDK's worker options. */
export interface WorkerLimits {
  maxCachedWorkflows: number;
  maxConcurrentActivityTaskExecutions: number;
  maxConcurrentWorkflowTaskExecutions: number;
}

export interface Settings {
  database: { url: string | undefined; poolSize: number };
  temporal: {
    address: string | undefined;
    namespace: string;
    taskQueue: string;
    /** Undefined only before an entry point resolved it (the all-in-one start generates one). */
    payloadKeys: { current: string | undefined; previous: string[] };
    /** Undefined: plain connection. */
    tls: TemporalTlsFiles | undefined;
    codecCorsOrigins: string[];
  };
  http: { port: number; host: string | undefined; publicBaseUrl: string; trustProxy: boolean | number | string[] };
  /** /metrics: who may scrape it, and how long its database figures are reused. */
  metrics: { token: string | undefined; cacheSeconds: number };
  mail: { smtpUrl: string | undefined; from: string; inbound: { port: number | undefined; host: string | undefined; trustedAuthservIds: string[] } };
  /** `signingSecret` is undefined only before an entry point resolved it (the all-in-one start keeps one in a file). */
  security: { adminApiKey: string | undefined; signingSecret: string | undefined; previousSigningSecrets: string[]; sessionSecret: string | undefined };
  policyFile: string | undefined;
  log: { level: string; format: LogFormat | undefined };
  /** Undefined: tracing is off. */
  tracing: { tracesUrl: string; serviceName: string | undefined } | undefined;
  workerMetrics: { address: string | undefined; url: string | undefined };
  /** Listings recorded without their workflow are looked for this often. */
  listingRelayIntervalSeconds: number;
  worker: { coordination: WorkerLimits; background: WorkerLimits; workflowThreadPoolSize: number };
  /** Read-only queries, template compilation and an SMTP greeting before the worker or API reports ready. */
  warmUp: boolean;
  /** Only the all-in-one start reads these. */
  embedded: { dataDir: string | undefined; temporalCli: string | undefined; temporalPort: number; temporalUiPort: number; mailCatcherPort: number };
}

export class InvalidSettings extends Error {}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new InvalidSettings(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  if ((e.TEMPORAL_TLS_CERT === undefined) !== (e.TEMPORAL_TLS_KEY === undefined)) {
    throw new InvalidSettings('Invalid configuration:\n  TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: set both (mutual TLS) or neither');
  }
  // The SDK lowers a workflow task slot count above the cache to the cache's size, with a warning only.
  for (const [slots, cache] of [['WORKER_WORKFLOW_TASK_SLOTS', 'WORKER_CACHED_WORKFLOWS'], ['WORKER_BACKGROUND_WORKFLOW_TASK_SLOTS', 'WORKER_BACKGROUND_CACHED_WORKFLOWS']] as const) {
    if (e[cache] > 0 && e[slots] > e[cache]) throw new InvalidSettings(`Invalid configuration:\n  ${slots}: at most ${cache} (${e[cache]}) while the cache is on`);
  }
  const tls = { cert: e.TEMPORAL_TLS_CERT, key: e.TEMPORAL_TLS_KEY, ca: e.TEMPORAL_TLS_CA, serverName: e.TEMPORAL_TLS_SERVER_NAME };
  const otlpBase = e.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, '');
  const tracesUrl = e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (otlpBase ? `${otlpBase}/v1/traces` : undefined);
  return {
    database: { url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE },
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      payloadKeys: { current: e.TEMPORAL_PAYLOAD_KEY, previous: e.TEMPORAL_PAYLOAD_PREVIOUS_KEYS },
      tls: Object.values(tls).some((value) => value !== undefined) ? tls : undefined,
      codecCorsOrigins: e.TEMPORAL_CODEC_CORS_ORIGIN.map((origin) => origin.replace(/\/+$/, '')),
    },
    http: { port: e.PORT, host: e.HOST, publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''), trustProxy: e.TRUST_PROXY },
    metrics: { token: e.METRICS_TOKEN, cacheSeconds: e.METRICS_CACHE_SECONDS },
    mail: { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM, inbound: { port: e.INBOUND_SMTP_PORT, host: e.INBOUND_SMTP_HOST, trustedAuthservIds: e.INBOUND_TRUSTED_AUTHSERV_IDS } },
    security: { adminApiKey: e.ADMIN_API_KEY, signingSecret: e.ACK_TOKEN_SECRET, previousSigningSecrets: e.ACK_TOKEN_PREVIOUS_SECRETS, sessionSecret: e.SESSION_SECRET },
    policyFile: e.POLICY_FILE,
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT },
    tracing: tracesUrl ? { tracesUrl, serviceName: e.OTEL_SERVICE_NAME } : undefined,
    workerMetrics: { address: e.WORKER_METRICS_ADDRESS, url: e.WORKER_METRICS_URL },
    listingRelayIntervalSeconds: e.LISTING_RELAY_INTERVAL_SECONDS,
    worker: {
      coordination: { maxCachedWorkflows: e.WORKER_CACHED_WORKFLOWS, maxConcurrentActivityTaskExecutions: e.WORKER_ACTIVITY_SLOTS, maxConcurrentWorkflowTaskExecutions: e.WORKER_WORKFLOW_TASK_SLOTS },
      background: {
        maxCachedWorkflows: e.WORKER_BACKGROUND_CACHED_WORKFLOWS,
        maxConcurrentActivityTaskExecutions: e.WORKER_BACKGROUND_ACTIVITY_SLOTS,
        maxConcurrentWorkflowTaskExecutions: e.WORKER_BACKGROUND_WORKFLOW_TASK_SLOTS,
      },
      workflowThreadPoolSize: e.WORKER_WORKFLOW_THREADS,
    },
    warmUp: e.WARM_UP,
    embedded: {
      dataDir: e.DATA_DIR,
      temporalCli: e.TEMPORAL_CLI,
      temporalPort: e.TEMPORAL_DEV_PORT,
      temporalUiPort: e.TEMPORAL_DEV_UI_PORT,
      mailCatcherPort: e.MAIL_CATCHER_PORT,
    },
  };
}

/** The settings a production process cannot run without, by variable name; each missing one is named. */
export function missingSettings(settings: Settings, needs: ('DATABASE_URL' | 'TEMPORAL_ADDRESS' | 'SMTP_URL' | 'TEMPORAL_PAYLOAD_KEY' | 'ACK_TOKEN_SECRET')[]): string[] {
  const values = { DATABASE_URL: settings.database.url, TEMPORAL_ADDRESS: settings.temporal.address, SMTP_URL: settings.mail.smtpUrl, TEMPORAL_PAYLOAD_KEY: settings.temporal.payloadKeys.current, ACK_TOKEN_SECRET: settings.security.signingSecret };
  return needs.filter((name) => values[name] === undefined);
}
