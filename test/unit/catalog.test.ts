import { describe, expect, it } from 'vitest';
import rawCatalog from '../../domain/catalog-data/catalog.json' with { type: 'json' };
import {
  defaultCatalog, dispatchPlan, parseCatalog, type Catalog, type DispatchSubject,
} from '../../domain/catalog.js';

type RawMeasure = { code: string; applies_to: string[]; departments: string[] };
const rawMeasures = rawCatalog.measures as RawMeasure[];

/** The plan computed straight from the JSON, independently of the module under test. */
function expectedPlan(subjects: string[]): Map<string, string[]> {
  const plan = new Map<string, string[]>();
  for (const measure of rawMeasures.filter((m) => m.applies_to.some((s) => subjects.includes(s)))) {
    for (const department of measure.departments) plan.set(department, [...(plan.get(department) ?? []), measure.code]);
  }
  return plan;
}

const copy = (): Record<string, any> => JSON.parse(JSON.stringify(rawCatalog));

describe('default catalog', () => {
  it('holds 12 categories, 42 measures (with the high-end office ban, consumption restriction art. 3(4)) and 45 departments', () => {
    expect(defaultCatalog.categories).toHaveLength(12);
    expect(defaultCatalog.measures).toHaveLength(42);
    expect(defaultCatalog.departments).toHaveLength(45);
  });

  it('keeps fields the schema does not name', () => {
    const loose = defaultCatalog as Catalog & Record<string, unknown>;
    expect(loose['meta']).toEqual(rawCatalog.meta);
    expect(loose['listing_rules']).toEqual(rawCatalog.listing_rules);
    expect(loose['sources']).toEqual(rawCatalog.sources);
    expect(defaultCatalog.measures[0]!.status).toBe(rawCatalog.measures[0]!.status);
  });

  it('gives every department a contact and a supervisor address on the reserved example domain', () => {
    for (const department of defaultCatalog.departments) {
      expect(department.contactEmail).toMatch(/\.example$/);
      expect(department.supervisorEmail).toMatch(/\.example$/);
    }
    expect(defaultCatalog.coordinatingOffice.email).toMatch(/\.example$/);
  });
});

describe('parseCatalog', () => {
  it('names a measure whose category or department does not exist', () => {
    const catalog = copy();
    catalog.measures[0].category = 'C99';
    catalog.measures[1].departments.push('D99');
    expect(() => parseCatalog(catalog)).toThrow(/measure M01 names unknown category C99/);
    expect(() => parseCatalog(catalog)).toThrow(/measure M02 names unknown department D99[\s\S]*measures\[1\]\.departments/);
  });

  it('rejects duplicate codes, bad addresses, unknown subjects and a missing coordinating office', () => {
    const catalog = copy();
    catalog.departments[1].code = catalog.departments[0].code;
    catalog.departments[2].contactEmail = 'not an address';
    catalog.measures[3].applies_to = ['individal'];
    delete catalog.coordinatingOffice;
    let message = '';
    try {
      parseCatalog(catalog);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^invalid catalog:/);
    expect(message).toMatch(/departments\[2\]\.contactEmail/);
    expect(message).toMatch(/measures\[3\]\.applies_to\[0\]/);
    expect(message).toMatch(/coordinatingOffice/);
  });

  it('reports duplicate codes once the shape is valid', () => {
    const catalog = copy();
    catalog.departments[1].code = catalog.departments[0].code;
    expect(() => parseCatalog(catalog)).toThrow(/duplicate code D01/);
  });

  it('rejects what is not a catalog', () => {
    expect(() => parseCatalog(null)).toThrow(/invalid catalog/);
    expect(() => parseCatalog({ categories: [], measures: [], departments: [] })).toThrow(/invalid catalog/);
  });
});

describe('dispatchPlan', () => {
  const departmentCodes = new Set(defaultCatalog.departments.map((department) => department.code));
  const cases: [string, DispatchSubject, string[], number][] = [
    ['an individual', { debtorKind: 'individual', hasLegalRepresentative: false }, ['individual'], 41],
    ['an entity', { debtorKind: 'entity', hasLegalRepresentative: false }, ['entity'], 42],
    ['an entity with a legal representative', { debtorKind: 'entity', hasLegalRepresentative: true },
      ['entity', 'legal_representative'], 42],
  ];

  it.each(cases)('for %s, equals the union computed from the catalog JSON', (_, subject, subjects, count) => {
    const plan = dispatchPlan(defaultCatalog, subject);
    const expected = expectedPlan(subjects);
    expect(plan).toHaveLength(expected.size);
    expect(plan).toHaveLength(count);
    expect(new Set(plan.map((entry) => entry.departmentCode))).toEqual(new Set(expected.keys()));
    for (const entry of plan) {
      expect(departmentCodes.has(entry.departmentCode)).toBe(true);
      expect(entry.measures.length).toBeGreaterThan(0);
      expect(entry.measures).toEqual([...expected.get(entry.departmentCode)!].sort());
    }
  });

  it('orders entries by department code and measures by code', () => {
    const plan = dispatchPlan(defaultCatalog, { debtorKind: 'entity', hasLegalRepresentative: true });
    const codes = plan.map((entry) => entry.departmentCode);
    expect(codes).toEqual([...codes].sort());
    for (const entry of plan) expect(entry.measures).toEqual([...entry.measures].sort());
  });

  it('adds the legal representative measures to an entity only when one is named', () => {
    const without = dispatchPlan(defaultCatalog, { debtorKind: 'entity', hasLegalRepresentative: false });
    const withRep = dispatchPlan(defaultCatalog, { debtorKind: 'entity', hasLegalRepresentative: true });
    const measuresOf = (plan: typeof without) => new Set(plan.flatMap((entry) => entry.measures));
    const repOnly = rawMeasures.filter((m) => m.applies_to.includes('legal_representative') && !m.applies_to.includes('entity'));
    expect(repOnly.length).toBeGreaterThan(0);
    for (const measure of repOnly) {
      expect(measuresOf(without).has(measure.code)).toBe(false);
      expect(measuresOf(withRep).has(measure.code)).toBe(true);
    }
  });

  it('ignores a legal representative for an individual', () => {
    expect(dispatchPlan(defaultCatalog, { debtorKind: 'individual', hasLegalRepresentative: true })).toEqual(
      dispatchPlan(defaultCatalog, { debtorKind: 'individual', hasLegalRepresentative: false }),
    );
  });

  it('leaves out a department with no applicable measure', () => {
    const catalog = parseCatalog({
      ...copy(),
      measures: [{ ...copy().measures[0], code: 'X1', applies_to: ['entity'], departments: ['D02'] },
        { ...copy().measures[1], code: 'X2', applies_to: ['individual'], departments: ['D03', 'D02'] }],
    });
    expect(dispatchPlan(catalog, { debtorKind: 'individual', hasLegalRepresentative: false })).toEqual([
      { departmentCode: 'D02', measures: ['X2'] },
      { departmentCode: 'D03', measures: ['X2'] },
    ]);
  });
});
