import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Logger } from 'pino';
import { AppError } from '../app/errors.js';
import { fieldErrorsOf } from '../app/validate.js';
import { unavailableDependency } from '../platform/unavailable-dependency.js';
import { httpStatusOf, problemMembersOf } from './app-error-status.js';
import { redactPath } from './log-paths.js';

export function sendProblem(
  res: Parameters<RequestHandler>[1],
  status: number,
  title: string,
  detail: string,
  extra: Record<string, unknown> = {},
): void {
  res.status(status).type('application/problem+json').send(JSON.stringify({ type: 'about:blank', status, title, detail, ...extra }));
}

/** Errors raised by body-parser and friends carry an HTTP status and a type. */
interface HttpLikeError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  message?: string;
}

const parserErrorTitles: Record<string, string> = {
  'entity.too.large': 'Payload too large',
  'entity.parse.failed': 'Malformed JSON',
  'encoding.unsupported': 'Unsupported content encoding',
  'charset.unsupported': 'Unsupported charset',
  'request.aborted': 'Request aborted',
};

export function problemHandler(log: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    if (error instanceof AppError) {
      const { status, title } = httpStatusOf(error.kind);
      if (status === 503) res.set('Retry-After', '5');
      return sendProblem(res, status, title, error.detail, problemMembersOf(error));
    }
    if (error instanceof ZodError) {
      return sendProblem(res, 400, 'Invalid request', 'The request does not match the schema.', { errors: fieldErrorsOf(error) });
    }
    const httpError = error as HttpLikeError;
    const status = httpError.status ?? httpError.statusCode;
    if (status && status >= 400 && status < 500) {
      const title = (httpError.type && parserErrorTitles[httpError.type]) ?? 'Bad request';
      return sendProblem(res, status, title, httpError.expose && httpError.message ? httpError.message : title);
    }
    // The request's own logger carries its id (reqId); apps without pino-http (tests) have none.
    const requestLog = req.log ?? log;
    const unavailable = unavailableDependency(error);
    if (unavailable) {
      requestLog.warn({ dependency: unavailable, method: req.method, path: redactPath(req.originalUrl) }, 'dependency unavailable');
      res.set('Retry-After', '5');
      return sendProblem(res, 503, 'Service unavailable', `The ${unavailable === 'database' ? 'database' : 'workflow engine'} is unreachable; retry shortly. An acknowledgment answered with an error may be retried safely.`, {
        dependency: unavailable,
      });
    }
    requestLog.error({ err: error, method: req.method, path: redactPath(req.originalUrl) }, 'request failed');
    return sendProblem(res, 500, 'Internal server error', 'The request could not be completed; nothing was changed by this error.');
  };
}

export const routeNotFound: RequestHandler = (req, res) =>
  sendProblem(res, 404, 'Not found', `No route for ${req.method} ${req.path}.`);

/** State-changing requests carry JSON; anything else is refused before it is read. */
export const requireJsonBody: RequestHandler = (req, res, next) => {
  const hasBody = req.headers['content-length'] !== '0' && (req.headers['content-length'] || req.headers['transfer-encoding']);
  if (['POST', 'PUT', 'PATCH'].includes(req.method) && hasBody && !req.is('application/json')) {
    return sendProblem(res, 415, 'Unsupported media type', 'Send the request body as application/json.');
  }
  next();
};
