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
  /** The completion form, which carries a result and a reference for each measure of the task. */
  feedbackForm: RequestHandler[];
  /** The sign-in form, which is checked against its own pre-session token. */
  loginForm: RequestHandler[];
}

export function chains(deps: DashboardDeps): Chains {
  const page = [pageContext(Boolean(deps.mailbox), deps.outage)];
  const formBody = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });
  // Three fields per measure (a task has at most 100), besides the form's own.
  const feedbackBody = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 320 });
  const signedIn = [...page, requireSession(deps)];
  return {
    page,
    signedIn,
    form: [...signedIn, formBody, requireCsrf(deps)],
    feedbackForm: [...signedIn, feedbackBody, requireCsrf(deps)],
    loginForm: [...page, formBody],
  };
}
