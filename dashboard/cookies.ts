import type { CookieOptions, Request } from 'express';
import { parseCookie } from 'cookie';

export const COOKIES = {
  session: 'jsc_session',
  /** Nonce of the sign-in form's CSRF token, before there is a session. */
  login: 'jsc_login',
  flash: 'jsc_flash',
  lang: 'jsc_lang',
} as const;

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  return parseCookie(header)[name];
}

/**
 * HttpOnly and SameSite=Strict for everything the dashboard sets: no script
 * reads them and no other site's request carries them. Secure whenever the
 * request came over HTTPS (directly or through the trusted proxy).
 */
export function cookieOptions(req: Request, maxAgeMs?: number): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: req.secure,
    ...(maxAgeMs !== undefined ? { maxAge: maxAgeMs } : {}),
  };
}
