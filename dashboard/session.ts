import type { Request, RequestHandler, Response } from 'express';
import type { Keyring } from '../platform/signing.js';
import { may, type Principal } from '../domain/access.js';
import { contextOf } from './context.js';
import { COOKIES, cookieOptions, readCookie } from './cookies.js';
import { csrfToken, csrfTokenMatches } from './csrf.js';
import type { DashboardDeps } from './deps.js';
import { sendErrorPage } from './page.js';
import { SESSION_LIFETIME_MS, newSession, openSession, sealSession, type Session } from './session-token.js';

export function startSession(req: Request, res: Response, keyring: Keyring, principal: Principal): void {
  const session = newSession(principal.keyId, Date.now());
  res.cookie(COOKIES.session, sealSession(keyring, session), cookieOptions(req, SESSION_LIFETIME_MS));
}

export function endSession(req: Request, res: Response): void {
  res.clearCookie(COOKIES.session, cookieOptions(req));
}

/** Only same-site paths, so a crafted sign-in link cannot send the user elsewhere. */
export function localPath(value: unknown, fallback = '/'): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) && !/[\s\\]/.test(value) ? value : fallback;
}

/**
 * Pages behind sign-in: the session cookie must verify and its API key must
 * still be valid. Otherwise the browser goes to /login (and comes back after).
 */
export function requireSession({ useCases, keyring }: DashboardDeps): RequestHandler {
  return async (req, res, next) => {
    const token = readCookie(req, COOKIES.session);
    const session = token ? openSession(keyring, token, Date.now()) : null;
    const principal = session ? await useCases.apiKeys.byId(session.keyId) : null;
    if (!session || !principal || !may(principal, 'dashboard:sign-in')) {
      if (token) endSession(req, res);
      const back = req.method === 'GET' && req.originalUrl !== '/' ? `?next=${encodeURIComponent(req.originalUrl)}` : '';
      return res.redirect(303, `/login${back}`);
    }
    const context = contextOf(res);
    context.principal = principal;
    context.csrfToken = csrfToken(keyring, session.nonce);
    res.locals.session = session satisfies Session;
    // Case data must not stay in shared caches or the back-forward cache after sign-out.
    res.set('Cache-Control', 'no-store');
    next();
  };
}

/** Every state-changing form carries the session's CSRF token; without it the request is refused. */
export function requireCsrf({ keyring }: DashboardDeps): RequestHandler {
  return async (req, res, next) => {
    const session = res.locals.session as Session | undefined;
    const submitted = (req.body as Record<string, unknown> | undefined)?._csrf;
    if (!session || !csrfTokenMatches(keyring, session.nonce, submitted)) {
      return sendErrorPage(req, res, 403, contextOf(res).strings.errors.csrf);
    }
    next();
  };
}
