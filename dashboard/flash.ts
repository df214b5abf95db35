import type { Request, Response } from 'express';
import { COOKIES, cookieOptions, readCookie } from './cookies.js';
import { fill, type Strings } from './i18n.js';

/** What happened on the last POST, shown once on the page it redirects to. */
export type FlashKind = keyof Strings['flash'];

const KINDS: readonly FlashKind[] = ['acknowledged', 'completed', 'declined', 'extensionRequested', 'reassigned', 'returned', 'verified', 'sentBack', 'extensionGranted', 'extensionRefused'];

export function setFlash(req: Request, res: Response, kind: FlashKind, caseNumber: string): void {
  res.cookie(COOKIES.flash, `${kind}|${caseNumber}`, cookieOptions(req, 60_000));
}

/** The message to show, if any; reading it clears it. */
export function takeFlash(req: Request, res: Response, strings: Strings): string | null {
  const value = readCookie(req, COOKIES.flash);
  if (value === undefined) return null;
  res.clearCookie(COOKIES.flash, cookieOptions(req));
  const separator = value.indexOf('|');
  const kind = value.slice(0, separator) as FlashKind;
  if (separator < 0 || !KINDS.includes(kind)) return null;
  return fill(strings.flash[kind], { caseNumber: value.slice(separator + 1) });
}
