import { daysInMonth, fromChinaWallClock, toChinaWallClock } from './china-time.js';

export const ASSET_KINDS = ['deposit', 'securities', 'insurance', 'real-estate', 'vehicle', 'other'] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

/**
 * 《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》 (2022 revision) art. 485 (art. 487 before): a bank
 * deposit may be frozen for at most one year, seized movables held for at most two, real estate and other
 * property rights for at most three; each renewal, made before expiry, for at most the same period again.
 * Securities and insurance policies are property rights; a vehicle is a movable.
 */
const MAX_FREEZE_YEARS: Readonly<Record<AssetKind, number>> = {
  deposit: 1,
  vehicle: 2,
  'real-estate': 3,
  securities: 3,
  insurance: 3,
  other: 3,
};

const DESCRIPTIONS: Readonly<Record<AssetKind, string>> = {
  deposit: 'a bank deposit',
  vehicle: 'a vehicle (movable property)',
  'real-estate': 'real estate',
  securities: 'securities',
  insurance: 'an insurance policy',
  other: 'a property right',
};

export function maxFreezeYears(kind: AssetKind): number {
  return MAX_FREEZE_YEARS[kind];
}

/**
 * The last instant a freeze of `kind` taking effect at `from` may last to: the same China-local date and time of
 * day the maximum number of years later, 29 February becoming 28 February in a common year. A renewal is bounded
 * the same way, from the instant it runs from.
 */
export function latestFreezeEnd(kind: AssetKind, from: Date): Date {
  const wallClock = toChinaWallClock(from);
  const year = wallClock.getUTCFullYear() + maxFreezeYears(kind);
  const month = wallClock.getUTCMonth();
  const end = new Date(wallClock.getTime());
  end.setUTCFullYear(year, month, Math.min(wallClock.getUTCDate(), daysInMonth(year, month + 1)));
  return fromChinaWallClock(end);
}

/** Why a freeze of `kind` from `from` may not last until `until`; null when it may. */
export function freezeEndProblem(kind: AssetKind, from: Date, until: Date): string | null {
  if (!isValidDate(from)) return 'the freeze has no valid start';
  if (!isValidDate(until)) return 'the freeze has no valid end';
  if (until.getTime() <= from.getTime()) {
    return `the freeze must end after it takes effect (${chinaIsoTime(from)}), not at ${chinaIsoTime(until)}`;
  }
  const latest = latestFreezeEnd(kind, from);
  if (until.getTime() > latest.getTime()) {
    const years = maxFreezeYears(kind);
    return `a freeze of ${DESCRIPTIONS[kind]} may last at most ${years} ${years === 1 ? 'year' : 'years'}: it must end by ${chinaIsoTime(latest)}, not ${chinaIsoTime(until)}`;
  }
  return null;
}

function isValidDate(value: Date): boolean {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

/** ISO 8601 in China time (`2025-03-01T10:00:00+08:00`), milliseconds only when there are any to tell apart. */
function chinaIsoTime(instant: Date): string {
  const wallClock = toChinaWallClock(instant);
  return `${wallClock.toISOString().slice(0, wallClock.getUTCMilliseconds() === 0 ? 19 : 23)}+08:00`;
}
