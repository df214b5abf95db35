import { SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE, ATTR_URL_PATH } from '@opentelemetry/semantic-conventions';
import type { RequestHandler } from 'express';
import { redactPath } from './log-paths.js';
import { matchedRoute } from './matched-route.js';

/**
 * A server span per request, continuing a caller's W3C `traceparent`, active
 * while the route runs so the Temporal client's spans become its children.
 * Made here rather than by @opentelemetry/instrumentation-http/-express: the
 * express instrumentation of the OpenTelemetry 1.x line does not support
 * Express 5, and the http one only patches when registered before `http` is
 * first loaded, which ESM imports make fragile. Without a tracer provider
 * (tracing off) the span is a no-op.
 */
export function requestSpans(skip: (path: string) => boolean): RequestHandler {
  return (req, res, next) => {
    if (skip(req.path)) return next();
    const parent = propagation.extract(context.active(), req.headers);
    const span = trace.getTracer('sanctions-api').startSpan(
      req.method,
      { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: req.method, [ATTR_URL_PATH]: redactPath(req.originalUrl) } },
      parent,
    );
    res.once('close', () => {
      const route = matchedRoute(req);
      if (route) span.updateName(`${req.method} ${route}`).setAttribute(ATTR_HTTP_ROUTE, route);
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}
