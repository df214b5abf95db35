import { z } from 'zod';
import catalogJson from './catalog-data/catalog.json' with { type: 'json' };
import type { PlannedTask } from './tasks.js';

// The catalog is operator data (every measure → department link is a reconstruction), so its schema is
// loose: unknown fields such as sources and listing rules pass through untouched.

export const DEBTOR_KINDS = ['individual', 'entity'] as const;
export type DebtorKind = (typeof DEBTOR_KINDS)[number];

/** Whom a measure can bind (the catalog's `applies_to_values`); the dispatch rules below read three of them. */
export const MEASURE_SUBJECTS = [
  'individual',
  'entity',
  'legal_representative',
  'principal_responsible_person',
  'actual_controller',
  'directly_responsible_person',
  'director_supervisor_senior_manager',
] as const;
export type MeasureSubject = (typeof MEASURE_SUBJECTS)[number];

const code = z.string().min(1);
const text = z.string().min(1);

export const categorySchema = z.looseObject({
  code,
  key: text,
  name_zh: text,
  name_en: text,
});

export const measureSchema = z.looseObject({
  code,
  category: code,
  name_zh: text,
  name_en: text,
  description_en: z.string().optional(),
  applies_to: z.array(z.enum(MEASURE_SUBJECTS)).min(1),
  departments: z.array(code).min(1),
  triggered_by: z.array(z.string()).optional(),
  status: z.string().optional(),
  source: z.string().optional(),
});

export const departmentSchema = z.looseObject({
  code,
  name_zh: text,
  name_en: text,
  role: z.string().optional(),
  contactEmail: z.email(),
  supervisorEmail: z.email(),
  locale: z.string().optional(),
  note: z.string().optional(),
  national_counterpart: z.string().optional(),
});

export const coordinatingOfficeSchema = z.looseObject({
  name_zh: text,
  name_en: text,
  email: z.email(),
});

export const catalogSchema = z
  .looseObject({
    categories: z.array(categorySchema).min(1),
    measures: z.array(measureSchema).min(1),
    departments: z.array(departmentSchema).min(1),
    coordinatingOffice: coordinatingOfficeSchema,
  })
  .superRefine((catalog, ctx) => {
    for (const list of ['categories', 'measures', 'departments'] as const) {
      const seen = new Set<string>();
      catalog[list].forEach((entry, index) => {
        if (seen.has(entry.code)) {
          ctx.addIssue({ code: 'custom', path: [list, index, 'code'], message: `duplicate code ${entry.code}` });
        }
        seen.add(entry.code);
      });
    }
    const categories = new Set(catalog.categories.map((category) => category.code));
    const departments = new Set(catalog.departments.map((department) => department.code));
    catalog.measures.forEach((measure, index) => {
      if (!categories.has(measure.category)) {
        ctx.addIssue({
          code: 'custom',
          path: ['measures', index, 'category'],
          message: `measure ${measure.code} names unknown category ${measure.category}`,
        });
      }
      measure.departments.forEach((department, position) => {
        if (!departments.has(department)) {
          ctx.addIssue({
            code: 'custom',
            path: ['measures', index, 'departments', position],
            message: `measure ${measure.code} names unknown department ${department}`,
          });
        }
      });
    });
  });

export type Catalog = z.infer<typeof catalogSchema>;
export type Category = z.infer<typeof categorySchema>;
export type Measure = z.infer<typeof measureSchema>;
export type Department = z.infer<typeof departmentSchema>;

/** Validates a catalog; the error lists every problem with its path. */
export function parseCatalog(json: unknown): Catalog {
  const result = catalogSchema.safeParse(json);
  if (!result.success) throw new Error(`invalid catalog:\n${z.prettifyError(result.error)}`);
  return result.data;
}

export const defaultCatalog: Catalog = parseCatalog(catalogJson);

/** One department's task in a listing's plan. */
export type DispatchPlanEntry = PlannedTask;

export interface DispatchSubject {
  debtorKind: DebtorKind;
  /** For an entity: whether a legal representative is named, whose own measures then apply too. */
  hasLegalRepresentative?: boolean;
  /** For an entity: the catalog subjects of the persons it binds (legal representative, principal, …). */
  boundSubjects?: readonly MeasureSubject[];
}

/** Subjects whose measures a listing of this debtor triggers. */
export function subjectsFor({ debtorKind, hasLegalRepresentative = false, boundSubjects = [] }: DispatchSubject): MeasureSubject[] {
  if (debtorKind === 'individual') return ['individual'];
  const bound = new Set<MeasureSubject>(boundSubjects);
  if (hasLegalRepresentative) bound.add('legal_representative');
  return ['entity', ...MEASURE_SUBJECTS.filter((subject) => bound.has(subject))];
}

/**
 * One entry per responsible department with the measures it must apply, entries ordered by department
 * code and measures by code, so the same listing always yields the same tasks.
 */
export function dispatchPlan(catalog: Catalog, subject: DispatchSubject): DispatchPlanEntry[] {
  const subjects = new Set<string>(subjectsFor(subject));
  const byDepartment = new Map<string, Set<string>>();
  for (const measure of catalog.measures) {
    if (!measure.applies_to.some((appliesTo) => subjects.has(appliesTo))) continue;
    for (const departmentCode of measure.departments) {
      const measures = byDepartment.get(departmentCode) ?? new Set<string>();
      measures.add(measure.code);
      byDepartment.set(departmentCode, measures);
    }
  }
  return [...byDepartment.entries()]
    .map(([departmentCode, measures]) => ({ departmentCode, measures: [...measures].sort(compareCodes) }))
    .sort((a, b) => compareCodes(a.departmentCode, b.departmentCode));
}

/** Plain code-unit order: locale-independent, so plans never differ between machines. */
function compareCodes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
