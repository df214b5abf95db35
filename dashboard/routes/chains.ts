import express, { type RequestHandler } from 'express';
import { pageContext } from '../context.js';
import type { DashboardDeps } from '../deps.js';
import { requireCsrf, requireSession } from '../session.js';

/** The middleware in front of each kind of dashboard route. */
export interface Chains {
  /** Any page: language, security headers. */
  page: RequestHandler[];
  /** A page behind sign-in. */
  signedIn: RequestHandler[];
  /** A form posted from a signed-in page: parsed, and refused without the session's CSRF token. */
  form: RequestHandler[];
  /** The sign-in form, which is checked against its own pre-session token. */
  loginForm: RequestHandler[];
}

export function chains(deps: DashboardDeps): Chains {
  const page = [pageContext(Boolean(deps.mailbox))];
  const formBody = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });
  const signedIn = [...page, requireSession(deps)];
  return {
    page,
    signedIn,
    form: [...signedIn, formBody, requireCsrf(deps)],
    loginForm: [...page, formBody],
  };
}
