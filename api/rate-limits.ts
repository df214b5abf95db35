import { rateLimit, type RateLimitRequestHandler } from 'express-rate-limit';
import { sendProblem } from './problem.js';

export interface RateLimitSettings {
  /** Failed authentications (401) one client may make per window. */
  authFailures: number;
  /** Refused email-link requests (unknown, forged, used, expired) per window. */
  linkFailures: number;
  windowMs: number;
}

export const defaultRateLimits: RateLimitSettings = { authFailures: 30, linkFailures: 30, windowMs: 60_000 };

/**
 * Guessing keys or link tokens is slowed down: only failures count, so a
 * busy legitimate client is never limited. Per client address (behind a
 * proxy, configure `trust proxy` so this is the real client).
 */
function failureLimiter(limit: number, windowMs: number, failed: (status: number) => boolean, what: string): RateLimitRequestHandler {
  return rateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    requestWasSuccessful: (_req, res) => !failed(res.statusCode),
    skipFailedRequests: false,
    skipSuccessfulRequests: true,
    handler: (_req, res, _next, options) => {
      sendProblem(res, options.statusCode, 'Too many requests', `Too many ${what}; wait a minute before trying again.`);
    },
  });
}

export function authFailureLimiter(settings: RateLimitSettings = defaultRateLimits): RateLimitRequestHandler {
  return failureLimiter(settings.authFailures, settings.windowMs, (status) => status === 401, 'failed authentications');
}

export function linkFailureLimiter(settings: RateLimitSettings = defaultRateLimits): RateLimitRequestHandler {
  return failureLimiter(settings.linkFailures, settings.windowMs, (status) => status === 404 || status === 410, 'invalid links');
}
