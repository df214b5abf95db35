import { describe, expect, it } from 'vitest';
import {
  ageOn, birthDateOfResidentId, isMinorOn, isValidResidentId, isValidSocialCreditCode, residentIdProblem,
  organizationCodeProblem, socialCreditCodeProblem,
} from '../../domain/identifiers.js';
import { maskIdentifier } from '../../domain/disclosure.js';

const VALID_RESIDENT_ID = '11010519491231002X';
const VALID_CREDIT_CODE = '91350100M000100Y43';

/** Independent oracle for test fixtures: appends the GB 11643 check character to 17 digits. */
function withCheckCharacter(first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((total, digit, index) => total + Number(digit) * weights[index]!, 0);
  return first17 + '10X98765432'[sum % 11];
}

const residentIdBornOn = (yyyymmdd: string) => withCheckCharacter(`110105${yyyymmdd}002`);

describe('resident ID number (GB 11643-1999)', () => {
  it('accepts the documented example and generated valid numbers', () => {
    expect(residentIdProblem(VALID_RESIDENT_ID)).toBeNull();
    expect(isValidResidentId(VALID_RESIDENT_ID)).toBe(true);
    expect(isValidResidentId(residentIdBornOn('20000229'))).toBe(true);
    expect(isValidResidentId(residentIdBornOn('19800101'))).toBe(true);
  });

  it('rejects a wrong check character and says which one is expected', () => {
    expect(residentIdProblem('110105194912310021')).toBe('check character should be X, not 1');
    expect(isValidResidentId('110105194912310021')).toBe(false);
  });

  it('rejects a lowercase x check character', () => {
    expect(residentIdProblem('11010519491231002x')).toMatch(/digit or an uppercase X/);
  });

  it.each([
    ['', 0],
    ['11010519491231002', 17],
    ['11010519491231002X1', 19],
  ])('rejects %j as the wrong length', (value, length) => {
    expect(residentIdProblem(value)).toBe(`must be 18 characters (got ${length})`);
  });

  it('rejects letters among the first 17 characters', () => {
    expect(residentIdProblem('1101051949123100AX')).toBe('the first 17 characters must be digits');
    expect(residentIdProblem('11010519491231 02X')).toBe('the first 17 characters must be digits');
  });

  it.each(['19491331', '19490229', '19490431', '19490000', '00000101'])(
    'rejects the impossible birth date %s even with a matching check character',
    (birth) => {
      expect(residentIdProblem(residentIdBornOn(birth))).toBe(`birth date ${birth} is not a date`);
    },
  );

  it('reads the birth date', () => {
    expect(birthDateOfResidentId(VALID_RESIDENT_ID)).toEqual({ year: 1949, month: 12, day: 31 });
    expect(() => birthDateOfResidentId('110105194912310021')).toThrow(/check character should be X/);
  });
});

describe('age on a date (China time)', () => {
  const bornOn20081127 = residentIdBornOn('20081127');

  it('completes a year on the birthday, counted on the China-local date', () => {
    // 2026-11-27 00:00 China time is 2026-11-26 16:00 UTC.
    expect(ageOn(bornOn20081127, new Date('2026-11-26T15:59:59Z'))).toBe(17);
    expect(ageOn(bornOn20081127, new Date('2026-11-26T16:00:00Z'))).toBe(18);
    expect(ageOn(VALID_RESIDENT_ID, new Date('2026-06-01T00:00:00Z'))).toBe(76);
  });

  it('tells minors from adults', () => {
    expect(isMinorOn(bornOn20081127, new Date('2026-11-26T15:59:59Z'))).toBe(true);
    expect(isMinorOn(bornOn20081127, new Date('2026-11-26T16:00:00Z'))).toBe(false);
    expect(isMinorOn(residentIdBornOn('20150601'), new Date('2026-11-27T00:00:00Z'))).toBe(true);
    expect(isMinorOn(VALID_RESIDENT_ID, new Date('2026-11-27T00:00:00Z'))).toBe(false);
  });

  it('lets someone born on 29 February complete the year on 1 March in a common year', () => {
    const leapling = residentIdBornOn('20080229');
    expect(ageOn(leapling, new Date('2026-02-28T12:00:00+08:00'))).toBe(17);
    expect(ageOn(leapling, new Date('2026-03-01T00:00:00+08:00'))).toBe(18);
    expect(ageOn(leapling, new Date('2028-02-29T00:00:00+08:00'))).toBe(20);
  });

  it('refuses to compute an age from an invalid number', () => {
    expect(() => ageOn('123', new Date())).toThrow(/must be 18 characters/);
  });
});

describe('unified social credit code (GB 32100-2015)', () => {
  it('accepts the documented example', () => {
    expect(socialCreditCodeProblem(VALID_CREDIT_CODE)).toBeNull();
    expect(isValidSocialCreditCode(VALID_CREDIT_CODE)).toBe(true);
  });

  it('rejects a wrong check character and says which one is expected', () => {
    expect(socialCreditCodeProblem('91350100M000100Y44')).toBe('check character should be 3, not 4');
    expect(isValidSocialCreditCode('91350100M000100Y44')).toBe(false);
  });

  it('rejects a bad length', () => {
    expect(socialCreditCodeProblem('91350100M000100Y4')).toBe('must be 18 characters (got 17)');
    expect(socialCreditCodeProblem('91350100M000100Y433')).toBe('must be 18 characters (got 19)');
  });

  it.each([
    ['91350100M000100I43', 16, 'I'],
    ['O1350100M000100Y43', 1, 'O'],
    ['91350100S000100Y43', 9, 'S'],
    ['91350100m000100Y43', 9, 'm'],
    ['913501-0M000100Y43', 7, '-'],
  ])('rejects %s: character %i (%s) is outside the alphabet', (code, position, character) => {
    expect(socialCreditCodeProblem(code)).toBe(
      `character ${position} ("${character}") is not allowed: use digits and uppercase letters other than I, O, S, V and Z`,
    );
  });

  it('does not take a resident ID number for a credit code', () => {
    expect(isValidSocialCreditCode(VALID_RESIDENT_ID)).toBe(false);
  });
});

describe('maskIdentifier', () => {
  it('keeps the first six and last four characters of an 18-character identifier', () => {
    expect(maskIdentifier('64010419900101123X')).toBe('640104********123X');
    expect(maskIdentifier(VALID_CREDIT_CODE)).toBe('913501********0Y43');
  });

  it('never shows a short value whole', () => {
    expect(maskIdentifier('12345678901')).toBe('123456*8901');
    expect(maskIdentifier('1234567890')).toBe('********90');
    expect(maskIdentifier('1234')).toBe('**34');
    expect(maskIdentifier('123')).toBe('***');
    expect(maskIdentifier('')).toBe('');
  });
});

describe('organisation codes (GB 11714, listing rules art. 6: entities registered before the credit code)', () => {
  it('accepts the check character the standard gives, with or without the hyphen, X and 0 included', () => {
    // Worked by hand: weights 3 7 9 10 5 8 4 2, check = 11 − (sum mod 11), 10 → X, 11 → 0, letters A = 10 …
    for (const code of ['12345678-8', '123456788', '00000006-X', '00000000-0', 'A0000000-3']) expect(organizationCodeProblem(code)).toBeNull();
  });

  it('names the right check character, and refuses lowercase and other shapes', () => {
    expect(organizationCodeProblem('12345678-9')).toBe('check character should be 8, not 9');
    expect(organizationCodeProblem('a0000000-3')).toMatch(/uppercase/);
    expect(organizationCodeProblem('1234567-8')).toMatch(/must be 8/);
  });
});
