import { z } from 'zod';

/**
 * The environment of API.md, validated once at start. Unset values mean
 * "use the embedded default"; the launcher decides what that default is.
 */
const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const port = z.number().int().min(1).max(65535);
const asNumber = (value: string | undefined) => (value === undefined ? undefined : Number(value));

export const configSchema = z.object({
  DATABASE_URL: optionalString,
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: optionalString.transform((value) => value ?? 'default'),
  TEMPORAL_TASK_QUEUE: optionalString.transform((value) => value ?? 'sanctions'),
  SMTP_URL: optionalString,
  MAIL_FROM: optionalString.transform((value) => value ?? '联合惩戒协同平台 <no-reply@sanctions.example>'),
  INBOUND_SMTP_PORT: optionalString.transform(asNumber).pipe(port.optional()),
  PORT: optionalString.transform((value) => Number(value ?? '3000')).pipe(port),
  PUBLIC_BASE_URL: optionalString,
  ADMIN_API_KEY: optionalString,
  ACK_TOKEN_SECRET: optionalString,
  POLICY_FILE: optionalString,
  DATA_DIR: optionalString,
  /** Connections per process to a PostgreSQL server. */
  DATABASE_POOL_SIZE: optionalString.transform((value) => Number(value ?? '20')).pipe(z.number().int().min(1).max(500)),
  LOG_LEVEL: optionalString.transform((value) => value ?? 'info'),
  /** OTLP/HTTP collector base URL (`/v1/traces` is appended); tracing is off unless this or the next is set. */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalString.pipe(z.url().optional()),
  /** The full URL spans are posted to; wins over OTEL_EXPORTER_OTLP_ENDPOINT. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalString.pipe(z.url().optional()),
  OTEL_SERVICE_NAME: optionalString,
  /** host:port where the worker serves its Temporal SDK metrics (Prometheus). */
  WORKER_METRICS_ADDRESS: optionalString.pipe(z.string().regex(/^(\[[0-9a-fA-F:]+\]|[^\s:\[\]]+):\d{1,5}$/, 'expected host:port').optional()),
  /** Where the API fetches the worker's metrics to append them to its own /metrics. */
  WORKER_METRICS_URL: optionalString.pipe(z.url().optional()),
});

export type Config = z.infer<typeof configSchema> & { publicBaseUrl: string };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const config = parsed.data;
  return {
    ...config,
    publicBaseUrl: (config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, ''),
  };
}
