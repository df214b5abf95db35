import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Request, RequestHandler, Response } from 'express';
import { idempotencyKeySchema } from '../app/schemas.js';
import type { IdempotentRequestStore } from '../db/idempotent-requests.js';
import { sendProblem } from './problem.js';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The same JSON body however its members are ordered or spaced; null for a
 * body that has no canonical form (a lone surrogate, nesting deeper than the
 * stack): every route refuses such a body, and a refusal is not kept anyway.
 */
function bodyHashOf(body: unknown): string | null {
  try {
    return createHash('sha256').update(canonicalize(body ?? null) ?? 'null').digest('hex');
  } catch {
    return null;
  }
}

/**
 * `Idempotency-Key` on state-changing API requests: the first request with a
 * key runs and its answer is kept (24 h); a repeat with the same key, method,
 * path and body from the same API key gets that answer again, marked
 * `Idempotent-Replayed: true`, and changes nothing. A repeat while the first
 * still runs is 409; the key with another request is 422. Refusals (4xx) and
 * failures (5xx) are not kept: they changed nothing, so a request refused
 * writes nothing here either, and its repeat runs again. Requests without the
 * header are untouched. Mounted after authentication and body
 * parsing: keys are per API key, and the body is part of the request.
 */
export function idempotentRequests(store: IdempotentRequestStore, { exempt = () => false }: { exempt?: (req: Request) => boolean } = {}): RequestHandler {
  return async (req, res, next) => {
    const key = req.get(IDEMPOTENCY_KEY_HEADER);
    if (key === undefined || !STATE_CHANGING.has(req.method) || exempt(req)) return next();
    const checked = idempotencyKeySchema.safeParse(key);
    if (!checked.success) {
      return sendProblem(res, 400, 'Invalid request', `Bad ${IDEMPOTENCY_KEY_HEADER} header.`, {
        errors: [{ field: IDEMPOTENCY_KEY_HEADER, message: checked.error.issues[0]?.message ?? 'invalid' }],
      });
    }
    const apiKeyId = (res.locals.principal as { keyId?: string } | undefined)?.keyId;
    const bodyHash = bodyHashOf(req.body);
    if (!apiKeyId || bodyHash === null) return next();
    const identity = { apiKeyId, key, method: req.method, path: req.originalUrl, bodyHash };
    const claim = await store.claim(identity);
    if (claim.state === 'replay') {
      res.status(claim.answer.status).set(REPLAYED_HEADER, 'true');
      if (claim.answer.contentType) res.type(claim.answer.contentType);
      if (claim.answer.location) res.location(claim.answer.location);
      return res.send(claim.answer.body);
    }
    if (claim.state === 'in-progress') {
      res.set('Retry-After', '1');
      return sendProblem(res, 409, 'Conflict', `A request with this ${IDEMPOTENCY_KEY_HEADER} is still in progress; repeat it shortly to get its answer.`, {
        errors: [{ field: IDEMPOTENCY_KEY_HEADER, message: 'a request with this key is in progress' }],
      });
    }
    if (claim.state === 'mismatch') {
      return sendProblem(res, 422, 'Unprocessable content', `This ${IDEMPOTENCY_KEY_HEADER} was used for another request (${claim.method} ${claim.path}, or another body); use a new key for a new request.`, {
        errors: [{ field: IDEMPOTENCY_KEY_HEADER, message: 'already used with another method, path or body' }],
      });
    }
    keepAnswer(res, (status, body) =>
      status >= 400
        ? store.release(identity)
        : store.complete(identity, { status, body, contentType: res.get('Content-Type') ?? null, location: res.get('Location') ?? null }),
    );
    next();
  };
}

/**
 * Calls `keep` with the status and body once the answer is complete, and only
 * then sends it: a repeat that arrives the moment the client has the answer
 * finds it kept. The answer is kept even when the client has gone (the lost
 * response a repeat is for).
 */
function keepAnswer(res: Response, keep: (status: number, body: string) => Promise<void>): void {
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.end = ((...args: unknown[]) => {
    const [chunk, encoding] = args;
    const body = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : '';
    keep(res.statusCode, body)
      .catch((error: unknown) => (res.req as Request & { log?: { warn: (o: unknown, m: string) => void } }).log?.warn({ err: error }, 'idempotent answer not kept'))
      .finally(() => end(...args));
    return res;
  }) as Response['end'];
}
