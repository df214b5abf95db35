import type { Request } from 'express';

/** The token of an `Authorization: Bearer <token>` header, if the request carries one. */
export function bearerTokenOf(req: Request): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}
