import type { AppError, AppErrorKind } from '../app/errors.js';

/** The one table from what went wrong to the HTTP status and problem title that say it. */
const STATUS_OF: Record<AppErrorKind, { status: number; title: string }> = {
  invalid: { status: 400, title: 'Invalid request' },
  unauthenticated: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  unavailable: { status: 503, title: 'Service unavailable' },
};

export function httpStatusOf(kind: AppErrorKind): { status: number; title: string } {
  return STATUS_OF[kind];
}

/** The problem+json members of an application error besides type, status, title and detail. */
export function problemMembersOf(error: AppError): Record<string, unknown> {
  const { fields, ...facts } = error.facts;
  return { ...facts, ...(fields ? { errors: fields } : {}) };
}
