import type { Request } from 'express';

/**
 * The route pattern that answered a request (`/api/listings/:id`), or
 * undefined when none matched: a bounded name for metrics and spans, unlike
 * the path with its ids.
 */
export function matchedRoute(req: Request): string | undefined {
  return req.route?.path ? `${req.baseUrl}${req.route.path}` : undefined;
}
