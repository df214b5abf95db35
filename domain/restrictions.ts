/**
 * Who a listing restricts, and for what. A restriction is a (subject,
 * measure) pair: the debtor is bound by the measures the catalog gives its
 * kind (individual or entity), and an entity's legal representative by the
 * measures the catalog gives legal representatives. It holds while the listing
 * is active and ends the moment the court records a lift.
 */
import type { Catalog, DebtorKind, MeasureSubject } from './catalog.js';

/** The persons an entity's listing binds, and the catalog subject whose measures bind each. */
export const BOUND_ROLE_SUBJECTS = {
  'legal-representative': 'legal_representative',
  principal: 'principal_responsible_person',
  'directly-responsible': 'directly_responsible_person',
  'actual-controller': 'actual_controller',
} as const satisfies Record<string, MeasureSubject>;
export type BoundRole = keyof typeof BOUND_ROLE_SUBJECTS;

export const SUBJECT_ROLES = ['debtor', ...(Object.keys(BOUND_ROLE_SUBJECTS) as BoundRole[])] as const;
export type SubjectRole = (typeof SUBJECT_ROLES)[number];

export interface BoundPerson {
  role: BoundRole;
  name: string;
  idNumber: string;
}

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
  boundPersons: readonly BoundPerson[];
}

const measuresFor = (catalog: Catalog, subject: MeasureSubject) =>
  catalog.measures.filter((measure) => measure.applies_to.includes(subject)).map((measure) => measure.code).sort();

/** The catalog subjects of an entity's bound persons: whose measures its listing dispatches. */
export const boundSubjectsOf = (persons: readonly BoundPerson[]): MeasureSubject[] => [...new Set(persons.map((person) => BOUND_ROLE_SUBJECTS[person.role]))];

/**
 * The subjects a listing restricts, each with its measures, in a fixed order:
 * the debtor, then each person an entity binds (the consumption restriction
 * binds its legal representative, principal, directly responsible persons
 * and actual controller).
 */
export function restrictedSubjects(catalog: Catalog, listing: ListedDebtor): RestrictedSubjectPlan[] {
  const debtorSubject: MeasureSubject = listing.debtorKind === 'entity' ? 'entity' : 'individual';
  const subjects: RestrictedSubjectPlan[] = [
    { role: 'debtor', idNumber: listing.debtorIdNumber, name: listing.debtorName, measures: measuresFor(catalog, debtorSubject) },
  ];
  if (listing.debtorKind === 'entity') {
    for (const person of listing.boundPersons) {
      subjects.push({ role: person.role, idNumber: person.idNumber, name: person.name, measures: measuresFor(catalog, BOUND_ROLE_SUBJECTS[person.role]) });
    }
  }
  const seen = new Set<string>();
  return subjects.filter((subject) => {
    const key = `${subject.role}\u0000${subject.idNumber}`;
    if (seen.has(key) || subject.measures.length === 0) return false;
    seen.add(key);
    return true;
  });
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
