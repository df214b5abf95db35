import type { CatalogService } from '../app/catalog.js';
import type { Catalog } from '../domain/catalog.js';
import type { Locale } from './i18n.js';

/** Department names in the page's language, by code. */
export async function departmentNames(catalogs: Pick<CatalogService, 'departmentNames'>, locale: Locale): Promise<Map<string, string>> {
  const rows = await catalogs.departmentNames();
  return new Map(rows.map((row) => [row.code, locale === 'en' ? row.nameEn : row.nameZh]));
}

/** Measure names in the page's language, by code, from one catalog version. */
export function measureNames(catalog: Catalog, locale: Locale): Map<string, string> {
  return new Map(catalog.measures.map((measure) => [measure.code, locale === 'en' ? measure.name_en : measure.name_zh]));
}

export const nameOf = (names: Map<string, string>, code: string) => names.get(code) ?? code;

/** Measure names for listings dispatched under different catalog versions. */
export async function measureNamesByVersion(
  catalogs: { version(version: number): Promise<Catalog> },
  versions: Iterable<number>,
  locale: Locale,
): Promise<Map<number, Map<string, string>>> {
  const distinct = [...new Set(versions)];
  const catalogsByVersion = await Promise.all(distinct.map((version) => catalogs.version(version)));
  return new Map(distinct.map((version, index) => [version, measureNames(catalogsByVersion[index]!, locale)]));
}
