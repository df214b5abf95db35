import { chinaCalendarDate, isCalendarDate, type CalendarDate } from './china-time.js';

// Each `…Problem` function returns an English sentence fragment for an error message ("idNumber must be
// 18 characters"), or null when the identifier is valid, so request validation can say what is wrong.

const RESIDENT_ID_LENGTH = 18;
const RESIDENT_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const RESIDENT_ID_CHECK_CHARACTERS = '10X98765432';

const CREDIT_CODE_LENGTH = 18;
/** GB 32100-2015 leaves out I, O, S, V and Z, which are easily misread as digits or each other. */
const CREDIT_CODE_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/** Age of majority (民法典 art. 17); minors are never listed (listing rules art. 4). */
export const ADULT_AGE = 18;

/** Resident ID number, GB 11643-1999. */
export function residentIdProblem(s: string): string | null {
  if (typeof s !== 'string') return 'must be a string';
  if (s.length !== RESIDENT_ID_LENGTH) return `must be ${RESIDENT_ID_LENGTH} characters (got ${s.length})`;
  if (!/^\d{17}$/.test(s.slice(0, 17))) return 'the first 17 characters must be digits';
  const given = s.charAt(17);
  if (!/^[0-9X]$/.test(given)) return `check character must be a digit or an uppercase X (got "${given}")`;
  const birth = s.slice(6, 14);
  if (!birthDateParts(s)) return `birth date ${birth} is not a date`;
  const expected = residentIdCheckCharacter(s);
  if (given !== expected) return `check character should be ${expected}, not ${given}`;
  return null;
}

export function isValidResidentId(s: string): boolean {
  return residentIdProblem(s) === null;
}

/** Birth date encoded in a valid resident ID number; throws on an invalid one. */
export function birthDateOfResidentId(s: string): CalendarDate {
  const problem = residentIdProblem(s);
  const birth = problem === null ? birthDateParts(s) : null;
  if (!birth) throw new RangeError(`invalid resident ID number: ${problem}`);
  return birth;
}

/**
 * Age in full years on the China-local date of `date`. The birthday itself completes the year, as in civil
 * law; someone born on 29 February completes it on 1 March in common years.
 */
export function ageOn(idNumber: string, date: Date): number {
  const birth = birthDateOfResidentId(idNumber);
  const today = chinaCalendarDate(date);
  const birthdayPassed = today.month > birth.month || (today.month === birth.month && today.day >= birth.day);
  return today.year - birth.year - (birthdayPassed ? 0 : 1);
}

export function isMinorOn(idNumber: string, date: Date): boolean {
  return ageOn(idNumber, date) < ADULT_AGE;
}

/** Unified social credit code, GB 32100-2015. */
export function socialCreditCodeProblem(s: string): string | null {
  if (typeof s !== 'string') return 'must be a string';
  if (s.length !== CREDIT_CODE_LENGTH) return `must be ${CREDIT_CODE_LENGTH} characters (got ${s.length})`;
  const badIndex = [...s].findIndex((character) => !CREDIT_CODE_ALPHABET.includes(character));
  if (badIndex >= 0) {
    return (
      `character ${badIndex + 1} ("${s.charAt(badIndex)}") is not allowed: ` +
      'use digits and uppercase letters other than I, O, S, V and Z'
    );
  }
  const given = s.charAt(17);
  const expected = socialCreditCodeCheckCharacter(s);
  if (given !== expected) return `check character should be ${expected}, not ${given}`;
  return null;
}

export function isValidSocialCreditCode(s: string): boolean {
  return socialCreditCodeProblem(s) === null;
}

function residentIdCheckCharacter(s: string): string {
  const sum = RESIDENT_ID_WEIGHTS.reduce((total, weight, index) => total + weight * Number(s.charAt(index)), 0);
  return RESIDENT_ID_CHECK_CHARACTERS.charAt(sum % 11);
}

function socialCreditCodeCheckCharacter(s: string): string {
  const sum = CREDIT_CODE_WEIGHTS.reduce(
    (total, weight, index) => total + weight * CREDIT_CODE_ALPHABET.indexOf(s.charAt(index)),
    0,
  );
  return CREDIT_CODE_ALPHABET.charAt((31 - (sum % 31)) % 31);
}

function birthDateParts(s: string): CalendarDate | null {
  const year = Number(s.slice(6, 10));
  const month = Number(s.slice(10, 12));
  const day = Number(s.slice(12, 14));
  return isCalendarDate(year, month, day) ? { year, month, day } : null;
}

const ORGANIZATION_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/**
 * Organisation code, GB 11714-1997: 8 body characters (digits, uppercase letters A=10 … Z=35) and a check
 * character 11 − (Σ value × weight mod 11), written X for 10 and 0 for 11. Entities registered before the
 * unified social credit code may still carry only this. A hyphen before the check character is accepted.
 */
export function organizationCodeProblem(s: string): string | null {
  if (typeof s !== 'string') return 'must be a string';
  const code = s.replace(/^([0-9A-Z]{8})-([0-9X])$/, '$1$2');
  if (!/^[0-9A-Z]{8}[0-9X]$/.test(code)) return 'must be 8 digits or uppercase letters and a check character (a digit or X)';
  const sum = [...code.slice(0, 8)].reduce((total, char, index) => total + Number.parseInt(char, 36) * ORGANIZATION_CODE_WEIGHTS[index]!, 0);
  const value = 11 - (sum % 11);
  const expected = value === 10 ? 'X' : value === 11 ? '0' : String(value);
  return code.charAt(8) === expected ? null : `check character should be ${expected}, not ${code.charAt(8)}`;
}
