import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Paths censored in every log line: keys, authorization headers, debtors' identifiers. */
export const REDACTED_PATHS = ['req.headers.authorization', '*.authorization', '*.idNumber', '*.debtorIdNumber', '*.legalRepIdNumber', '*.key', '*.secret'];

/**
 * One structured logger for every process. Callers log listing and task ids,
 * not personal data; the redaction catches what slips through.
 */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info', name = 'sanctions', destination?: DestinationStream): Logger {
  const options = { name, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
