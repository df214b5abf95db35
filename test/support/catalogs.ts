import { defaultCatalog, parseCatalog, type Catalog } from '../../domain/catalog.js';

/**
 * A two-department catalog for deadline tests: every measure of the default
 * catalog that applies to entities, assigned to D05 or D06. Deadline tests
 * then follow two tasks instead of forty.
 */
export function twoDepartmentCatalog(): Catalog {
  const measures = defaultCatalog.measures
    .filter((measure) => measure.applies_to.includes('entity'))
    .slice(0, 4)
    .map((measure, index) => ({ ...measure, departments: [index % 2 === 0 ? 'D05' : 'D06'] }));
  return parseCatalog({ ...defaultCatalog, measures });
}
