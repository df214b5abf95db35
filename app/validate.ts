import type { z } from 'zod';
import { badRequest, fieldErrorsOf } from '../http/problem.js';

/** Parses a request part with its schema; a mismatch is a 400 naming every offending field. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badRequest(`The ${what} does not match the schema.`, fieldErrorsOf(parsed.error));
  return parsed.data;
}
