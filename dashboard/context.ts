import type { Request, RequestHandler, Response } from 'express';
import type { Principal } from '../domain/access.js';
import type { DownPart } from '../platform/dependency-status.js';
import { COOKIES, cookieOptions, readCookie } from './cookies.js';
import { DEFAULT_LOCALE, isLocale, stringsFor, type Locale, type Strings } from './i18n.js';

/** What every dashboard page knows about the request it answers. */
export interface PageContext {
  locale: Locale;
  strings: Strings;
  hasMailCatcher: boolean;
  /** What is down while the page is rendered: a banner says so, since answers may not go through. */
  outage: DownPart[];
  principal: Principal | null;
  csrfToken: string | null;
}

const ONE_YEAR_MS = 365 * 24 * 60 * 60 * 1000;

export function contextOf(res: Response): PageContext {
  const context = res.locals.dashboard as PageContext | undefined;
  if (!context) throw new Error('dashboard page without its context middleware');
  return context;
}

/** `?lang=` picks the language and is remembered in a cookie; Simplified Chinese otherwise. */
function localeOf(req: Request, res: Response): Locale {
  const requested = req.query.lang;
  if (isLocale(requested)) {
    res.cookie(COOKIES.lang, requested, cookieOptions(req, ONE_YEAR_MS));
    return requested;
  }
  const remembered = readCookie(req, COOKIES.lang);
  return isLocale(remembered) ? remembered : DEFAULT_LOCALE;
}

// Every asset is served from this origin, so nothing else may load, frame or be posted to.
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export function pageContext(hasMailCatcher: boolean, outage: () => DownPart[] = () => []): RequestHandler {
  return (req, res, next) => {
    const locale = localeOf(req, res);
    res.locals.dashboard = { locale, strings: stringsFor(locale), hasMailCatcher, outage: outage(), principal: null, csrfToken: null } satisfies PageContext;
    res.set({
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'same-origin',
      'Content-Language': locale,
    });
    next();
  };
}
