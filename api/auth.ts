import type { RequestHandler, Response } from 'express';
import { HttpProblem, forbidden } from '../http/problem.js';
import type { ApiKeyService } from '../app/api-keys.js';

export type Role = 'clerk' | 'department' | 'supervisor' | 'admin';
export const ROLES = ['clerk', 'department', 'supervisor', 'admin'] as const;

/** Who is calling, as their API key says. */
export interface Principal {
  keyId: string;
  name: string;
  role: Role;
  departmentCode: string | null;
  courtCode: string | null;
}

export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new HttpProblem(401, 'Unauthorized', 'Send an API key as "Authorization: Bearer <key>".');
  return principal;
}

/** Resolves the bearer key; a missing or unknown key is 401 before any route runs. */
export function authenticate(keys: ApiKeyService): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) {
      throw new HttpProblem(401, 'Unauthorized', 'Send an API key as "Authorization: Bearer <key>".');
    }
    const principal = await keys.resolve(match[1]);
    if (!principal) throw new HttpProblem(401, 'Unauthorized', 'The API key is unknown or revoked.');
    res.locals.principal = principal;
    next();
  };
}

export function requireRole(...roles: Role[]): RequestHandler {
  return (_req, res, next) => {
    const principal = principalOf(res);
    if (!roles.includes(principal.role)) {
      throw forbidden(`This needs the role ${roles.join(' or ')}; the key has the role ${principal.role}.`);
    }
    next();
  };
}
