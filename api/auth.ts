import type { RequestHandler, Response } from 'express';
import { rolesFor, type Permission, type Principal } from '../domain/access.js';
import { forbidden, unauthenticated } from '../app/errors.js';
import type { ApiKeyService } from '../app/api-keys.js';

const SEND_A_KEY = 'Send an API key as "Authorization: Bearer <key>".';

export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw unauthenticated(SEND_A_KEY);
  return principal;
}

/** Resolves the bearer key; a missing or unknown key is refused before any route runs. */
export function authenticate(keys: Pick<ApiKeyService, 'resolve'>): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw unauthenticated(SEND_A_KEY);
    const principal = await keys.resolve(match[1]);
    if (!principal) throw unauthenticated('The API key is unknown, revoked or expired.');
    res.locals.principal = principal;
    next();
  };
}

/** The route is open to the roles that hold the permission (domain/access.ts). */
export function permit(permission: Permission): RequestHandler {
  const roles = rolesFor(permission);
  return (_req, res, next) => {
    const principal = principalOf(res);
    if (!roles.includes(principal.role)) {
      throw forbidden(`This needs the role ${roles.join(' or ')}; the key has the role ${principal.role}.`);
    }
    next();
  };
}
