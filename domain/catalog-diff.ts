import type { Catalog } from './catalog.js';

/** What a new catalog changes, in terms an operator reviews before importing. */
export interface CatalogDiff {
  measures: { added: string[]; removed: string[]; changed: { code: string; fields: string[] }[] };
  departments: { added: string[]; removed: string[]; changed: { code: string; fields: string[] }[] };
  categories: { added: string[]; removed: string[] };
}

const MEASURE_FIELDS = ['category', 'name_zh', 'name_en', 'applies_to', 'departments', 'triggered_by'] as const;
const DEPARTMENT_FIELDS = ['name_zh', 'name_en', 'role', 'contactEmail', 'supervisorEmail', 'locale'] as const;

function compare<T extends { code: string }>(before: T[], after: T[], fields: readonly (keyof T & string)[]) {
  const old = new Map(before.map((item) => [item.code, item]));
  const now = new Map(after.map((item) => [item.code, item]));
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return {
    added: [...now.keys()].filter((code) => !old.has(code)).sort(),
    removed: [...old.keys()].filter((code) => !now.has(code)).sort(),
    changed: [...now.values()]
      .filter((item) => old.has(item.code))
      .map((item) => ({ code: item.code, fields: fields.filter((field) => !same(old.get(item.code)![field], item[field])) }))
      .filter((change) => change.fields.length > 0)
      .sort((a, b) => a.code.localeCompare(b.code)),
  };
}

export function diffCatalogs(before: Catalog, after: Catalog): CatalogDiff {
  const categories = compare(before.categories, after.categories, []);
  return {
    measures: compare(before.measures, after.measures, MEASURE_FIELDS),
    departments: compare(before.departments, after.departments, DEPARTMENT_FIELDS),
    categories: { added: categories.added, removed: categories.removed },
  };
}

export function isEmptyDiff(diff: CatalogDiff): boolean {
  return Object.values(diff).every((part) => part.added.length === 0 && part.removed.length === 0 && (!('changed' in part) || part.changed.length === 0));
}
