import { describe, expect, it } from 'vitest';
import { ASSET_KINDS, freezeEndProblem, latestFreezeEnd, maxFreezeYears } from '../../domain/freeze-periods.js';

const cst = (local: string) => new Date(`${local}+08:00`);

describe('legal maximum freeze periods', () => {
  it('are one year for deposits, two for vehicles and three for real estate and other property rights', () => {
    expect(ASSET_KINDS).toEqual(['deposit', 'securities', 'insurance', 'real-estate', 'vehicle', 'other']);
    expect(Object.fromEntries(ASSET_KINDS.map((kind) => [kind, maxFreezeYears(kind)]))).toEqual({
      deposit: 1, securities: 3, insurance: 3, 'real-estate': 3, vehicle: 2, other: 3,
    });
  });

  it('end on the same China-local date and time of day that many years later', () => {
    const from = cst('2024-03-01T10:15:30.250');
    expect(latestFreezeEnd('deposit', from)).toEqual(cst('2025-03-01T10:15:30.250'));
    expect(latestFreezeEnd('vehicle', from)).toEqual(cst('2026-03-01T10:15:30.250'));
    expect(latestFreezeEnd('real-estate', from)).toEqual(cst('2027-03-01T10:15:30.250'));
    expect(latestFreezeEnd('securities', from)).toEqual(cst('2027-03-01T10:15:30.250'));
  });

  it('count the date in China time, not UTC', () => {
    // 31 December 20:00 UTC is already 1 January in China.
    expect(latestFreezeEnd('deposit', new Date('2024-12-31T20:00:00Z'))).toEqual(cst('2026-01-01T04:00'));
  });

  it('end a freeze from 29 February on 28 February of a common year', () => {
    const leapDay = cst('2024-02-29T09:00');
    expect(latestFreezeEnd('deposit', leapDay)).toEqual(cst('2025-02-28T09:00'));
    expect(latestFreezeEnd('vehicle', leapDay)).toEqual(cst('2026-02-28T09:00'));
    expect(latestFreezeEnd('insurance', leapDay)).toEqual(cst('2027-02-28T09:00'));
    expect(latestFreezeEnd('other', cst('2027-02-28T09:00'))).toEqual(cst('2030-02-28T09:00'));
  });
});

describe('freezeEndProblem', () => {
  const from = cst('2024-03-01T10:00');

  it('accepts any end after the start up to the legal maximum, inclusive', () => {
    expect(freezeEndProblem('deposit', from, cst('2024-03-01T10:00:00.001'))).toBeNull();
    expect(freezeEndProblem('deposit', from, cst('2025-03-01T10:00'))).toBeNull();
    expect(freezeEndProblem('real-estate', from, cst('2027-03-01T10:00'))).toBeNull();
  });

  it('names the latest end and the years when the end is beyond the maximum', () => {
    expect(freezeEndProblem('deposit', from, cst('2025-03-01T10:00:00.001'))).toBe(
      'a freeze of a bank deposit may last at most 1 year: it must end by 2025-03-01T10:00:00+08:00, not 2025-03-01T10:00:00.001+08:00',
    );
    expect(freezeEndProblem('vehicle', from, cst('2027-01-01T00:00'))).toMatch(/at most 2 years: it must end by 2026-03-01T10:00:00\+08:00, not 2027-01-01T00:00:00\+08:00/);
    expect(freezeEndProblem('securities', cst('2024-02-29T09:00'), cst('2027-03-01T00:00'))).toMatch(/at most 3 years: it must end by 2027-02-28T09:00:00\+08:00/);
  });

  it('refuses an end that is not after the start', () => {
    expect(freezeEndProblem('deposit', from, from)).toMatch(/must end after it takes effect \(2024-03-01T10:00:00\+08:00\)/);
    expect(freezeEndProblem('deposit', from, cst('2024-02-01T10:00'))).toMatch(/must end after it takes effect/);
  });

  it('refuses dates that are not dates', () => {
    expect(freezeEndProblem('deposit', from, new Date('not a date'))).toMatch(/no valid end/);
    expect(freezeEndProblem('deposit', new Date(Number.NaN), from)).toMatch(/no valid start/);
  });
});
