import type { ErrorRequestHandler } from 'express';
import { AppError } from '../app/errors.js';
import { httpStatusOf } from '../http/app-error-status.js';
import { redactPath } from '../http/log-paths.js';
import { contextOf } from './context.js';
import { sendErrorPage } from './page.js';

/** The status of an error a user caused (a refused action, a bad form), if it is one. */
function clientStatusOf(error: unknown): number | null {
  const status = error instanceof AppError ? httpStatusOf(error.kind).status : (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : null;
}

/** Dashboard errors are pages in the user's language, not the API's problem+json. */
export const dashboardErrorPage: ErrorRequestHandler = (error, req, res, next) => {
  if (res.headersSent || !res.locals.dashboard) return next(error);
  const { strings } = contextOf(res);
  const status = clientStatusOf(error);
  if (status !== null) {
    const message = status === 403 ? strings.errors.forbidden : status === 404 ? strings.errors.notFound : strings.errors.badRequest;
    return sendErrorPage(req, res, status, message, error instanceof AppError ? error.detail : undefined);
  }
  req.log?.error({ err: error, method: req.method, path: redactPath(req.originalUrl) }, 'dashboard request failed');
  sendErrorPage(req, res, 500, strings.errors.server);
};
