import { daysInMonth, fromChinaWallClock, toChinaWallClock } from './china-time.js';

// The six circumstances of art. 1 of the SPC listing rules (2017 revision), in statutory order.
export const CIRCUMSTANCE_CODES = [
  'refuses-despite-ability',
  'obstructs-enforcement',
  'evades-enforcement',
  'breaches-asset-reporting',
  'breaches-consumption-order',
  'breaches-settlement',
] as const;

export type CircumstanceCode = (typeof CIRCUMSTANCE_CODES)[number];

export interface Circumstance {
  code: CircumstanceCode;
  /** Item of art. 1, 1–6. */
  item: number;
  /** Code of the same circumstance in the catalog's `listing_rules`. */
  catalogCode: string;
  zh: string;
  en: string;
  /** False only for item 1, which lasts until performance (art. 2). */
  fixedPeriod: boolean;
}

export const CIRCUMSTANCES: Readonly<Record<CircumstanceCode, Circumstance>> = {
  'refuses-despite-ability': {
    code: 'refuses-despite-ability', item: 1, catalogCode: 'L1', fixedPeriod: false,
    zh: '有履行能力而拒不履行生效法律文书确定义务的',
    en: 'Refuses to perform the obligations of an effective legal document despite being able to',
  },
  'obstructs-enforcement': {
    code: 'obstructs-enforcement', item: 2, catalogCode: 'L2', fixedPeriod: true,
    zh: '以伪造证据、暴力、威胁等方法妨碍、抗拒执行的',
    en: 'Obstructs or resists enforcement by forged evidence, violence, threats or similar means',
  },
  'evades-enforcement': {
    code: 'evades-enforcement', item: 3, catalogCode: 'L3', fixedPeriod: true,
    zh: '以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行的',
    en: 'Evades enforcement by false litigation, false arbitration, or hiding or transferring assets',
  },
  'breaches-asset-reporting': {
    code: 'breaches-asset-reporting', item: 4, catalogCode: 'L4', fixedPeriod: true,
    zh: '违反财产报告制度的',
    en: 'Breaches the duty to report assets',
  },
  'breaches-consumption-order': {
    code: 'breaches-consumption-order', item: 5, catalogCode: 'L5', fixedPeriod: true,
    zh: '违反限制消费令的',
    en: 'Breaches a consumption restriction order',
  },
  'breaches-settlement': {
    code: 'breaches-settlement', item: 6, catalogCode: 'L6', fixedPeriod: true,
    zh: '无正当理由拒不履行执行和解协议的',
    en: 'Refuses without good reason to perform an enforcement settlement agreement',
  },
};

/** Art. 2: a fixed-term listing lasts 2 years, extendable by 1–3 years for serious or repeated acts. */
export const LISTING_PERIOD_YEARS = 2;
export const LISTING_EXTENSION_YEARS = { min: 1, max: 3 } as const;

export function isCircumstanceCode(value: unknown): value is CircumstanceCode {
  return typeof value === 'string' && (CIRCUMSTANCE_CODES as readonly string[]).includes(value);
}

/** Listing period in years, or null when the circumstance has no fixed term; extensionYears 0 means none. */
export function listingPeriodYears(circumstance: CircumstanceCode, extensionYears = 0): number | null {
  const entry = CIRCUMSTANCES[circumstance];
  if (!entry) throw new RangeError(`unknown circumstance "${circumstance}"`);
  const { min, max } = LISTING_EXTENSION_YEARS;
  if (!Number.isInteger(extensionYears) || extensionYears < 0 || extensionYears > max) {
    throw new RangeError(`an extension must be a whole number of years from ${min} to ${max}, got ${extensionYears}`);
  }
  if (!entry.fixedPeriod) {
    if (extensionYears > 0) throw new RangeError(`"${circumstance}" has no fixed term to extend`);
    return null;
  }
  return LISTING_PERIOD_YEARS + extensionYears;
}

/**
 * The same China-local date and time `years` later, or null for no fixed term. A listing made on
 * 29 February ends on 28 February in a common year: a period without a corresponding day ends on the last
 * day of that month (民法典 art. 202).
 */
export function expiryOf(listedAt: Date, years: number | null): Date | null {
  if (years === null) return null;
  if (!Number.isInteger(years) || years < 0) {
    throw new RangeError(`a listing period must be a whole number of years, got ${years}`);
  }
  const wallClock = toChinaWallClock(listedAt);
  const year = wallClock.getUTCFullYear() + years;
  const month = wallClock.getUTCMonth();
  const day = Math.min(wallClock.getUTCDate(), daysInMonth(year, month + 1));
  const expiry = new Date(wallClock.getTime());
  expiry.setUTCFullYear(year, month, day);
  return fromChinaWallClock(expiry);
}
