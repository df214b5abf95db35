import { describe, expect, it } from 'vitest';
import { defaultCatalog, parseCatalog } from '../../domain/catalog.js';
import { diffCatalogs, isEmptyDiff } from '../../domain/catalog-diff.js';

describe('catalog diff', () => {
  it('finds nothing between a catalog and itself', () => {
    expect(isEmptyDiff(diffCatalogs(defaultCatalog, defaultCatalog))).toBe(true);
  });

  it('names added, removed and changed measures and departments, field by field', () => {
    const next = parseCatalog({
      ...defaultCatalog,
      measures: defaultCatalog.measures
        .filter((m) => m.code !== 'M41')
        .map((m) => (m.code === 'M01' ? { ...m, departments: ['D05'] } : m)),
      departments: defaultCatalog.departments.map((d) => (d.code === 'D06' ? { ...d, contactEmail: 'new@d06.example', locale: 'en' } : d)),
    });
    const diff = diffCatalogs(defaultCatalog, next);
    expect(diff.measures).toEqual({ added: [], removed: ['M41'], changed: [{ code: 'M01', fields: ['departments'] }] });
    expect(diff.departments.changed).toEqual([{ code: 'D06', fields: ['contactEmail', 'locale'] }]);
    expect(isEmptyDiff(diff)).toBe(false);
  });
});
