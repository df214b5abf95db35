import express, { Router, type RequestHandler } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import type { ApiKeyService } from '../app/api-keys.js';
import { forbidden, invalid, unauthenticated } from '../app/errors.js';
import { parseInput } from '../app/validate.js';
import { may } from '../domain/access.js';
import { authFailureLimiter, type RateLimitSettings } from './rate-limits.js';

/**
 * Temporal's remote codec protocol, so that the Temporal UI (and `temporal
 * --codec-endpoint`) show the clear text of the payloads the coordinator
 * seals: POST /codec/decode and /codec/encode take and answer
 * `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }`.
 * What it decodes names debtors and staff, so only an administrator's key
 * (`Authorization: Bearer …`) is served; browsers only from the configured
 * origins (the Temporal UI's).
 */
export interface CodecEndpointOptions {
  codec: PayloadCodec;
  apiKeys: Pick<ApiKeyService, 'resolve'>;
  /** Origins allowed to call from a browser (TEMPORAL_CODEC_CORS_ORIGIN). */
  corsOrigins: readonly string[];
  rateLimits: RateLimitSettings;
}

const payloadsBody = z.object({
  payloads: z
    .array(
      z.object({
        metadata: z.record(z.string(), z.base64()).optional(),
        data: z.base64().optional(),
      }),
    )
    .max(1000),
});

type JsonPayload = z.infer<typeof payloadsBody>['payloads'][number];

const fromJson = (payload: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
  data: Buffer.from(payload.data ?? '', 'base64'),
});

const base64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('base64');
const toJson = (payload: Payload) => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, base64(value)])),
  data: base64(payload.data),
});

/** The Temporal UI calls from its own origin, with the key in a header: a preflight precedes each call. */
function cors(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.headers.origin;
    res.vary('Origin');
    if (origin && allowed.has(origin)) {
      res.set({
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type, X-Namespace',
        'Access-Control-Max-Age': '600',
      });
    }
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next();
  };
}

function requireDecodePermission(apiKeys: CodecEndpointOptions['apiKeys']): RequestHandler {
  return async (req, res, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!match?.[1]) throw unauthenticated('Send an administrator API key as "Authorization: Bearer <key>".');
    const principal = await apiKeys.resolve(match[1]);
    if (!principal) throw unauthenticated('The API key is unknown or revoked.');
    if (!may(principal, 'payloads:decode')) throw forbidden(`Only an administrator may read Temporal payloads; the key has the role ${principal.role}.`);
    next();
  };
}

export function codecEndpoint({ codec, apiKeys, corsOrigins, rateLimits }: CodecEndpointOptions): Router {
  const router = Router();
  router.use(cors(corsOrigins));
  router.use(authFailureLimiter(rateLimits), requireDecodePermission(apiKeys));
  router.use(express.json({ limit: '4mb', strict: true }));
  const transform = (direction: 'encode' | 'decode'): RequestHandler => async (req, res) => {
    const body = parseInput(payloadsBody, req.body, 'request body');
    const payloads = body.payloads.map(fromJson);
    // One at a time, so that the payload that cannot be read is named.
    const results = await Promise.all(
      payloads.map(async (payload, index) => {
        try {
          const [result] = await codec[direction]([payload]);
          return result!;
        } catch (error) {
          throw invalid(`payload ${index} cannot be ${direction}d: ${(error as Error).message}`, [
            { field: `payloads.${index}`, message: (error as Error).message },
          ]);
        }
      }),
    );
    res.json({ payloads: results.map(toJson) });
  };
  router.post('/decode', transform('decode'));
  router.post('/encode', transform('encode'));
  return router;
}
