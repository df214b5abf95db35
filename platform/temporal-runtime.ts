import { Runtime } from '@temporalio/worker';
import type { Logger } from 'pino';
import { sdkLoggerOver } from './sdk-logger.js';

export interface TemporalRuntimeOptions {
  log: Logger;
  /** `host:port` where the SDK serves its worker metrics for Prometheus; none when unset. */
  metricsAddress?: string | undefined;
}

/**
 * Installs the Temporal SDK runtime of a worker process: its logs go to our
 * logger and, when an address is given, its metrics (names prefixed
 * `temporal_`) are served at `http://<address>/metrics`. Once per process,
 * before the first worker or native connection.
 */
export function installTemporalRuntime({ log, metricsAddress }: TemporalRuntimeOptions): Runtime {
  return Runtime.install({
    logger: sdkLoggerOver(log.child({ component: 'temporal-sdk' })),
    telemetryOptions: {
      // Core's own (Rust) lines are forwarded to the logger above instead of printed raw.
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      ...(metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress } } } : {}),
    },
    // Each entry point handles SIGINT/SIGTERM itself and stops the API before
    // the worker; the SDK's own handlers would start the worker's shutdown first.
    shutdownSignals: [],
  });
}

/** The URL of the metrics served at a bind address: a wildcard host is reached on the loopback. */
export function metricsUrlOf(bindAddress: string): string {
  const host = bindAddress.replace(/^(0\.0\.0\.0|\[::\]):/, '127.0.0.1:');
  return `http://${host}/metrics`;
}
