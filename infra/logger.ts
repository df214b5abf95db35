import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * One structured logger for every process. Identifiers of debtors never reach
 * it unmasked: callers log listing and task ids, not personal data.
 */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info', name = 'sanctions'): Logger {
  return pino({
    name,
    level,
    redact: { paths: ['req.headers.authorization', '*.idNumber', '*.debtorIdNumber', '*.key'], censor: '[redacted]' },
  });
}
