import type { Request, Response } from 'express';
import { COOKIES, cookieOptions, readCookie } from './cookies.js';
import { fill, type Strings } from './i18n.js';

/** What happened on the last POST, shown once on the page it redirects to. */
export type FlashKind = keyof Strings['flash'];

const KINDS: readonly FlashKind[] = ['acknowledged', 'completed', 'declined', 'extensionRequested', 'reassigned', 'returned', 'verified', 'sentBack', 'extensionGranted', 'extensionRefused', 'freezesReleased', 'noFreezeReleased'];

/** `<kind>|<count>|<case number>`; the count is for messages that say how many (release orders sent). */
export function setFlash(req: Request, res: Response, kind: FlashKind, caseNumber: string, count = 0): void {
  res.cookie(COOKIES.flash, `${kind}|${count}|${caseNumber}`, cookieOptions(req, 60_000));
}

/** The message to show, if any; reading it clears it. */
export function takeFlash(req: Request, res: Response, strings: Strings): string | null {
  const value = readCookie(req, COOKIES.flash);
  if (value === undefined) return null;
  res.clearCookie(COOKIES.flash, cookieOptions(req));
  const [, kind, count, caseNumber] = /^([^|]+)\|(\d{1,6})\|(.*)$/s.exec(value) ?? [];
  if (!kind || !KINDS.includes(kind as FlashKind)) return null;
  return fill(strings.flash[kind as FlashKind], { caseNumber: caseNumber!, count: Number(count) });
}
