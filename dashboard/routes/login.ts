import { Router, type Request, type Response } from 'express';
import { contextOf } from '../context.js';
import { COOKIES, cookieOptions, readCookie } from '../cookies.js';
import { csrfToken, csrfTokenMatches, newNonce } from '../csrf.js';
import type { DashboardDeps } from '../deps.js';
import { sendErrorPage, sendPage } from '../page.js';
import { may } from '../../domain/access.js';
import { endSession, localPath, startSession } from '../session.js';
import type { Chains } from './chains.js';

const LOGIN_FORM_LIFETIME_MS = 30 * 60 * 1000;

/** Sign-in with a pasted API key, and sign-out. */
export function loginRoutes(deps: DashboardDeps, { page, signedIn, form, loginForm }: Chains): Router {
  const router = Router();

  async function showLogin(req: Request, res: Response, status: number, error: string | null) {
    const { strings } = contextOf(res);
    const nonce = newNonce();
    res.cookie(COOKIES.login, nonce, cookieOptions(req, LOGIN_FORM_LIFETIME_MS));
    res.set('Cache-Control', 'no-store');
    const notice = req.query.reason === 'loggedOut' ? strings.login.loggedOut : null;
    sendPage(req, res, 'login', {
      title: strings.login.title,
      status,
      data: { loginToken: csrfToken(deps.keyring, nonce), next: localPath(req.query.next ?? req.body?.next, ''), error, notice },
    });
  }

  router.get('/login', ...page, (req, res) => showLogin(req, res, 200, null));

  router.post('/login', ...loginForm, async (req, res) => {
    const { strings } = contextOf(res);
    const body = req.body as Record<string, unknown>;
    const nonce = readCookie(req, COOKIES.login);
    if (!nonce || !csrfTokenMatches(deps.keyring, nonce, body._csrf)) {
      return sendErrorPage(req, res, 403, strings.errors.csrf);
    }
    const key = typeof body.key === 'string' ? body.key.trim() : '';
    const principal = key ? await deps.useCases.apiKeys.resolve(key) : null;
    if (!principal) return showLogin(req, res, 401, strings.login.badKey);
    if (!may(principal, 'dashboard:sign-in')) return sendErrorPage(req, res, 403, strings.login.adminRefused);
    res.clearCookie(COOKIES.login, cookieOptions(req));
    startSession(req, res, deps.keyring, principal);
    res.redirect(303, localPath(body.next));
  });

  router.get('/logout', ...signedIn, (req, res) => {
    sendPage(req, res, 'logout', { title: contextOf(res).strings.logout.title });
  });

  router.post('/logout', ...form, (req, res) => {
    endSession(req, res);
    res.redirect(303, '/login?reason=loggedOut');
  });

  return router;
}
