import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { bearerTokenOf } from './bearer-token.js';
import { sendProblem } from './problem.js';

export interface MetricsAccessOptions {
  /** METRICS_TOKEN: what a Prometheus scraper sends as its bearer token. */
  token: string | undefined;
  /** The role of an API key, or null when the key is unknown or revoked. */
  roleOfKey(key: string): Promise<string | null>;
}

/** Compared as digests, so neither the length nor the content leaks through timing. */
const sameSecret = (a: string, b: string) => timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

/**
 * /metrics tells how much work each department has and how the mail fares:
 * it answers the metrics token or an administrator's key, nobody else.
 */
export function metricsAccess({ token, roleOfKey }: MetricsAccessOptions): RequestHandler {
  return async (req, res, next) => {
    const presented = bearerTokenOf(req);
    if (presented && token && sameSecret(presented, token)) return next();
    const role = presented ? await roleOfKey(presented) : null;
    if (role === 'admin') return next();
    if (role) return sendProblem(res, 403, 'Forbidden', `Metrics are for the metrics token (METRICS_TOKEN) or an admin key; the key has the role ${role}.`);
    res.set('WWW-Authenticate', 'Bearer realm="metrics"');
    sendProblem(res, 401, 'Unauthorized', 'Send the metrics token (METRICS_TOKEN) or an admin API key as "Authorization: Bearer <token>".');
  };
}

/** Whether a presented token opens /metrics: lets a good one through the failure limiter. */
export const isMetricsCredential = ({ token, roleOfKey }: MetricsAccessOptions) => async (presented: string) =>
  Boolean(token && sameSecret(presented, token)) || (await roleOfKey(presented)) !== null;
