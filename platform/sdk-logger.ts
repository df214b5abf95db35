import type { Logger as SdkLogger, LogLevel, LogMetadata } from '@temporalio/common';
import type { Level, Logger } from 'pino';

const pinoLevels: Record<LogLevel, Level> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/**
 * The Temporal SDK's logger interface over our pino logger, so the SDK's own
 * lines (worker state, failed activity attempts, forwarded Core logs) are the
 * same structured JSON, with the same redaction, as everything else.
 */
export function sdkLoggerOver(log: Logger): SdkLogger {
  const write = (level: LogLevel, message: string, meta: LogMetadata = {}) => {
    // The SDK names errors `error`; pino serializes stack and cause only under `err`.
    const { error, ...rest } = meta;
    log[pinoLevels[level]](error === undefined ? rest : { ...rest, err: error }, message);
  };
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}
