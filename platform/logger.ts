import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { IDENTIFIER_FIELDS } from '../domain/disclosure.js';
import type { LogFormat } from './settings.js';

export type { Logger };

/** Paths censored in every log line: keys, authorization headers, debtors' identifiers. */
export const REDACTED_PATHS = ['req.headers.authorization', '*.authorization', ...IDENTIFIER_FIELDS.map((field) => `*.${field}`), '*.key', '*.secret'];

/**
 * One structured logger for every process. Callers log listing and task ids,
 * not personal data; the redaction catches what slips through.
 */
export function createLogger(level = 'info', name = 'sanctions', destination?: DestinationStream): Logger {
  const options = { name, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * The logger of an entry point: lines a person can read when its output is a
 * terminal, one JSON object per line otherwise (for a log collector), unless
 * LOG_FORMAT says which.
 */
export function createProcessLogger(settings: { level: string; format: LogFormat | undefined }, name: string): Logger {
  const format = settings.format ?? (process.stdout.isTTY ? 'pretty' : 'json');
  if (format === 'json') return createLogger(settings.level, name);
  return createLogger(settings.level, name, pretty({ colorize: Boolean(process.stdout.isTTY), translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true }));
}
