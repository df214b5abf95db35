import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { redactPath } from './log-paths.js';

/** A caller's request id is kept only when it is a short token: it is echoed in a header and logged. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The id of a request: the caller's `X-Request-Id` when it is sane (a proxy or
 * client correlating its own logs), else a new UUID. Echoed back in the
 * response so a caller reporting a problem can quote it.
 */
export function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const offered = req.headers['x-request-id'];
  const id = typeof offered === 'string' && SANE_REQUEST_ID.test(offered) ? offered : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * One line per request with its id, method, path (no query, no link token),
 * status and duration; `req.log` carries the id (`reqId`) into every line
 * logged while handling it.
 */
export function requestLogger(log: Logger, unlogged: (path: string) => boolean) {
  return pinoHttp({
    logger: log,
    genReqId: requestIdOf,
    quietReqLogger: true,
    autoLogging: { ignore: (req) => unlogged(redactPath(req.url ?? '')) },
    // Query strings may carry identifiers (search) and link paths carry tokens: neither is logged.
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, path: redactPath(req.url) }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
}
