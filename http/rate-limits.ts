import type { RequestHandler } from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
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
 * Slows down guessing of keys or link tokens. Only failures are counted, and
 * only once their answer is known, so a busy legitimate client — even one
 * with many requests in flight — is never limited. Per client address
 * (behind a proxy, configure `trust proxy` so this is the real client).
 */
function failureLimiter(limit: number, windowMs: number, failed: (status: number) => boolean, what: string): RequestHandler {
  const failures = new RateLimiterMemory({ points: limit, duration: Math.ceil(windowMs / 1000) });
  return async (req, res, next) => {
    const client = req.ip ?? 'unknown';
    const seen = await failures.get(client);
    if (seen && seen.consumedPoints >= limit) {
      res.set('Retry-After', String(Math.ceil(seen.msBeforeNext / 1000)));
      return sendProblem(res, 429, 'Too many requests', `Too many ${what}; wait a minute before trying again.`);
    }
    res.on('finish', () => {
      if (failed(res.statusCode)) failures.penalty(client, 1).catch(() => {});
    });
    next();
  };
}

export function authFailureLimiter(settings: RateLimitSettings = defaultRateLimits): RequestHandler {
  return failureLimiter(settings.authFailures, settings.windowMs, (status) => status === 401, 'failed authentications');
}

export function linkFailureLimiter(settings: RateLimitSettings = defaultRateLimits): RequestHandler {
  return failureLimiter(settings.linkFailures, settings.windowMs, (status) => status === 404 || status === 410, 'invalid links');
}
