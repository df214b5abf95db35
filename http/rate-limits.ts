import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';
import { sendProblem } from './problem.js';

export interface RateLimitSettings {
  /** Failed authentications (401) one client address, or one presented key, may make per window. */
  authFailures: number;
  /** Refused email-link requests (unknown, forged, used, expired) per window. */
  linkFailures: number;
  windowMs: number;
}

export const defaultRateLimits: RateLimitSettings = { authFailures: 30, linkFailures: 30, windowMs: 60_000 };

/**
 * The key a request presents and whether it is good. With it, the limiter
 * counts failures per key as well as per address, and lets a good key through
 * an address that someone else made fail: colleagues behind one NAT or proxy
 * are not locked out by one guesser among them.
 */
export interface PresentedKeys {
  keyOf(req: Request): string | undefined;
  isValid(key: string): Promise<boolean>;
}

/** Counters are kept per key hash, never per key: the memory holds no secret. */
const fingerprintOf = (key: string) => createHash('sha256').update(key).digest('base64url').slice(0, 22);

function failureCounter(limit: number, windowMs: number) {
  const failures = new RateLimiterMemory({ points: limit, duration: Math.ceil(windowMs / 1000) });
  return {
    /** The counter's state when it has reached the limit; null while it has not. */
    async exhausted(id: string): Promise<RateLimiterRes | null> {
      const seen = await failures.get(id);
      return seen && seen.consumedPoints >= limit ? seen : null;
    },
    count(id: string) {
      failures.penalty(id, 1).catch(() => {});
    },
  };
}

function refuse(res: Response, state: RateLimiterRes, what: string) {
  res.set('Retry-After', String(Math.max(1, Math.ceil(state.msBeforeNext / 1000))));
  sendProblem(res, 429, 'Too many requests', `Too many ${what}; wait a minute before trying again.`);
}

/**
 * Slows down guessing of keys or link tokens. Only failures are counted, and
 * only once their answer is known, so a busy legitimate client — even one
 * with many requests in flight — is never limited. Per client address: behind
 * a reverse proxy, `TRUST_PROXY` names it so that this is the real client.
 */
function failureLimiter(limit: number, windowMs: number, failed: (status: number) => boolean, what: string, presented?: PresentedKeys): RequestHandler {
  const byAddress = failureCounter(limit, windowMs);
  const byKey = failureCounter(limit, windowMs);
  return async (req, res, next) => {
    const address = req.ip ?? 'unknown';
    const key = presented?.keyOf(req);
    const fingerprint = key ? fingerprintOf(key) : undefined;
    // A key refused this often is refused from anywhere, without a look-up.
    const keyExhausted = fingerprint ? await byKey.exhausted(fingerprint) : null;
    if (keyExhausted) return refuse(res, keyExhausted, what);
    const addressExhausted = await byAddress.exhausted(address);
    // Keys are 256-bit random secrets: letting a good one through tells a guesser nothing it can use.
    if (addressExhausted && !(key && (await presented!.isValid(key)))) return refuse(res, addressExhausted, what);
    res.on('finish', () => {
      if (!failed(res.statusCode)) return;
      byAddress.count(address);
      if (fingerprint) byKey.count(fingerprint);
    });
    next();
  };
}

export function authFailureLimiter(settings: RateLimitSettings = defaultRateLimits, presented?: PresentedKeys): RequestHandler {
  return failureLimiter(settings.authFailures, settings.windowMs, (status) => status === 401, 'failed authentications', presented);
}

export function linkFailureLimiter(settings: RateLimitSettings = defaultRateLimits): RequestHandler {
  return failureLimiter(settings.linkFailures, settings.windowMs, (status) => status === 404 || status === 410, 'invalid links');
}
