/**
 * Who a listing restricts, and for what. A restriction is a (subject,
 * measure) pair: the debtor is bound by the measures the catalog gives its
 * kind (individual or entity), and an entity's legal representative by the
 * measures the catalog gives legal representatives. It holds while the listing
 * is active and ends the moment the court records a lift.
 */
import type { Catalog, DebtorKind, MeasureSubject } from './catalog.js';

export const SUBJECT_ROLES = ['debtor', 'legal-representative'] as const;
export type SubjectRole = (typeof SUBJECT_ROLES)[number];

export interface RestrictedSubjectPlan {
  role: SubjectRole;
  idNumber: string;
  name: string;
  measures: string[];
}

export interface ListedDebtor {
  debtorKind: DebtorKind | string;
  debtorIdNumber: string;
  debtorName: string;
  legalRepIdNumber?: string | null;
  legalRepName?: string | null;
}

const measuresFor = (catalog: Catalog, subject: MeasureSubject) =>
  catalog.measures.filter((measure) => measure.applies_to.includes(subject)).map((measure) => measure.code).sort();

/** The subjects a listing restricts, each with its measures, in a fixed order. */
export function restrictedSubjects(catalog: Catalog, listing: ListedDebtor): RestrictedSubjectPlan[] {
  const debtorSubject: MeasureSubject = listing.debtorKind === 'entity' ? 'entity' : 'individual';
  const subjects: RestrictedSubjectPlan[] = [
    { role: 'debtor', idNumber: listing.debtorIdNumber, name: listing.debtorName, measures: measuresFor(catalog, debtorSubject) },
  ];
  if (listing.debtorKind === 'entity' && listing.legalRepIdNumber && listing.legalRepName) {
    subjects.push({ role: 'legal-representative', idNumber: listing.legalRepIdNumber, name: listing.legalRepName, measures: measuresFor(catalog, 'legal_representative') });
  }
  return subjects.filter((subject) => subject.measures.length > 0);
}

/** The measures a department applies, in one catalog version. */
export function measuresOfDepartment(catalog: Catalog, departmentCode: string): Set<string> {
  return new Set(catalog.measures.filter((measure) => measure.departments.includes(departmentCode)).map((measure) => measure.code));
}

/** The departments that apply any of these measures: whose systems hear of a change to them. */
export function departmentsApplying(catalog: Catalog, measures: readonly string[]): string[] {
  const wanted = new Set(measures);
  return [...new Set(catalog.measures.filter((measure) => wanted.has(measure.code)).flatMap((measure) => measure.departments))].sort();
}
