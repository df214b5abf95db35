import type { z } from 'zod';
import { invalid, type FieldError } from './errors.js';

export function fieldErrorsOf(error: z.ZodError, prefix: string[] = []): FieldError[] {
  return error.issues.map((issue) => ({
    field: [...prefix, ...issue.path.map(String)].join('.') || '(body)',
    message: issue.message,
    rule: issue.code,
  }));
}

/** Parses an input with its schema; a mismatch is `invalid`, naming every offending field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid(`The ${what} does not match the schema.`, fieldErrorsOf(parsed.error));
  return parsed.data;
}
