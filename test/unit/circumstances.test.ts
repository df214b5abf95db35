import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defaultCatalog } from '../../domain/catalog.js';
import {
  CIRCUMSTANCE_CODES, CIRCUMSTANCES, expiryOf, isCircumstanceCode, listingPeriodYears,
} from '../../domain/circumstances.js';

const cst = (local: string) => new Date(`${local}+08:00`);

describe('circumstances', () => {
  it('lists the six statutory codes in order, usable by z.enum', () => {
    expect(CIRCUMSTANCE_CODES).toEqual([
      'refuses-despite-ability',
      'obstructs-enforcement',
      'evades-enforcement',
      'breaches-asset-reporting',
      'breaches-consumption-order',
      'breaches-settlement',
    ]);
    const schema = z.enum(CIRCUMSTANCE_CODES);
    expect(schema.parse('evades-enforcement')).toBe('evades-enforcement');
    expect(schema.safeParse('unknown').success).toBe(false);
  });

  it('describes each code, only the first without a fixed term', () => {
    CIRCUMSTANCE_CODES.forEach((code, index) => {
      const entry = CIRCUMSTANCES[code];
      expect(entry.code).toBe(code);
      expect(entry.item).toBe(index + 1);
      expect(entry.zh).not.toBe('');
      expect(entry.en).not.toBe('');
      expect(entry.fixedPeriod).toBe(index !== 0);
    });
  });

  it('agrees with the listing rules carried in the catalog', () => {
    const rules = (defaultCatalog as unknown as {
      listing_rules: { circumstances: { code: string; zh: string; fixed_period: boolean }[] };
    }).listing_rules.circumstances;
    for (const code of CIRCUMSTANCE_CODES) {
      const rule = rules.find((candidate) => candidate.code === CIRCUMSTANCES[code].catalogCode);
      expect(rule?.zh).toBe(CIRCUMSTANCES[code].zh);
      expect(rule?.fixed_period).toBe(CIRCUMSTANCES[code].fixedPeriod);
    }
  });

  it('recognises codes', () => {
    expect(isCircumstanceCode('breaches-settlement')).toBe(true);
    expect(isCircumstanceCode('L1')).toBe(false);
    expect(isCircumstanceCode(undefined)).toBe(false);
  });
});

describe('listingPeriodYears', () => {
  it('has no fixed term for refusal despite ability', () => {
    expect(listingPeriodYears('refuses-despite-ability')).toBeNull();
    expect(() => listingPeriodYears('refuses-despite-ability', 1)).toThrow(/no fixed term/);
  });

  it('lists the other circumstances for 2 years, extendable by 1–3', () => {
    for (const code of CIRCUMSTANCE_CODES.slice(1)) {
      expect(listingPeriodYears(code)).toBe(2);
      expect(listingPeriodYears(code, 0)).toBe(2);
      expect(listingPeriodYears(code, 1)).toBe(3);
      expect(listingPeriodYears(code, 3)).toBe(5);
    }
  });

  it.each([4, -1, 1.5, Number.NaN])('rejects an extension of %s years', (extension) => {
    expect(() => listingPeriodYears('obstructs-enforcement', extension)).toThrow(/from 1 to 3/);
  });
});

describe('expiryOf', () => {
  it('is null without a fixed term', () => {
    expect(expiryOf(cst('2026-03-15T10:00:00'), null)).toBeNull();
  });

  it('falls on the same China-local date and time years later', () => {
    expect(expiryOf(cst('2026-03-15T10:00:00'), 2)).toEqual(cst('2028-03-15T10:00:00'));
    // 00:30 on New Year's Day in China is still 31 December in UTC.
    expect(expiryOf(cst('2027-01-01T00:30:00'), 2)).toEqual(cst('2029-01-01T00:30:00'));
  });

  it('ends a period begun on 29 February on 28 February of a common year', () => {
    expect(expiryOf(cst('2024-02-29T11:00:00'), 2)).toEqual(cst('2026-02-28T11:00:00'));
    expect(expiryOf(cst('2024-02-29T11:00:00'), 4)).toEqual(cst('2028-02-29T11:00:00'));
  });

  it('rejects a fractional or negative number of years', () => {
    expect(() => expiryOf(cst('2026-03-15T10:00:00'), 1.5)).toThrow(RangeError);
    expect(() => expiryOf(cst('2026-03-15T10:00:00'), -2)).toThrow(RangeError);
  });
});
