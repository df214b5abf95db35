/**
 * The one error type of the use cases. Its kind says what went wrong in the
 * caller's terms; each delivery layer turns kinds into its own answer (the
 * JSON API and the pages into HTTP statuses, in one table; inbound mail into
 * an explanatory reply; the command line into an exit code).
 */
export type AppErrorKind =
  /** The input is wrong: `fields` names each offending field. */
  | 'invalid'
  /** No credentials, or unknown ones. */
  | 'unauthenticated'
  /** Known caller, not allowed to do this. */
  | 'forbidden'
  | 'not-found'
  /** Allowed, but the thing is not in a state that permits it (closed, cancelled, already done). */
  | 'conflict'
  /** A dependency (database, workflow engine) cannot serve now; nothing was changed: retry. */
  | 'unavailable';

/** One offending input: where it is and what is wrong with it. */
export interface FieldError {
  field: string;
  message: string;
  rule?: string;
}

export class AppError extends Error {
  override readonly name = 'AppError';

  constructor(
    readonly kind: AppErrorKind,
    readonly detail: string,
    /** Offending fields (invalid input) and any other machine-readable facts about the refusal. */
    readonly facts: { fields?: FieldError[]; [fact: string]: unknown } = {},
  ) {
    super(detail);
  }
}

export const invalid = (detail: string, fields: FieldError[], facts: Record<string, unknown> = {}) => new AppError('invalid', detail, { fields, ...facts });
export const unauthenticated = (detail: string) => new AppError('unauthenticated', detail);
export const forbidden = (detail: string) => new AppError('forbidden', detail);
export const notFound = (detail: string) => new AppError('not-found', detail);
export const conflict = (detail: string, facts: Record<string, unknown> = {}) => new AppError('conflict', detail, facts);
export const unavailable = (detail: string, facts: Record<string, unknown> = {}) => new AppError('unavailable', detail, facts);

export const isAppError = (error: unknown, ...kinds: AppErrorKind[]): error is AppError =>
  error instanceof AppError && (kinds.length === 0 || kinds.includes(error.kind));
