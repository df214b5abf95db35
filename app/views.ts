import { disclosedIdentifier, type Audience } from '../domain/disclosure.js';
import type { Listing, Task } from '../prisma/generated/client.js';
import { boundPersonsOf } from '../db/restrictions.js';

/** The JSON shapes of API.md, built from read-model rows. */
type TaskFields = Pick<
  Task,
  'id' | 'listingId' | 'departmentCode' | 'kind' | 'measures' | 'status' | 'acknowledgeDueAt' | 'completeDueAt' | 'acknowledgedAt' | 'completedAt' | 'escalationLevel'
>;

export type TaskView = ReturnType<typeof taskView>;
export type ListingView = ReturnType<typeof listingView>;

/** What departments and supervisors said about a task besides acknowledging it, where the row carries it. */
type TaskAnswerFields = Partial<Pick<Task, 'feedback' | 'declineReason' | 'suggestedDepartmentCode' | 'reassignedFromId' | 'verifiedAt' | 'sentBackCount'>>;

function answersOf(task: TaskAnswerFields) {
  if (!('feedback' in task)) return {};
  return {
    feedback: task.feedback ?? null,
    declineReason: task.declineReason ?? null,
    suggestedDepartmentCode: task.suggestedDepartmentCode ?? null,
    reassignedFromId: task.reassignedFromId ?? null,
    verifiedAt: task.verifiedAt?.toISOString() ?? null,
    sentBackCount: task.sentBackCount ?? 0,
  };
}

export function taskView(task: TaskFields & TaskAnswerFields) {
  return {
    id: task.id,
    listingId: task.listingId,
    departmentCode: task.departmentCode,
    kind: task.kind,
    measures: task.measures,
    status: task.status,
    acknowledgeDueAt: task.acknowledgeDueAt.toISOString(),
    completeDueAt: task.completeDueAt.toISOString(),
    acknowledgedAt: task.acknowledgedAt?.toISOString() ?? null,
    completedAt: task.completedAt?.toISOString() ?? null,
    escalationLevel: task.escalationLevel,
    ...answersOf(task),
  };
}


/** The listing as `audience` may see it: identifiers in full only for the court's and supervisors' API callers. */
export function listingView(listing: Listing, tasks: Task[] | null, audience: Audience) {
  return {
    id: listing.id,
    status: listing.status,
    caseNumber: listing.caseNumber,
    courtCode: listing.courtCode,
    debtor: {
      kind: listing.debtorKind,
      name: listing.debtorName,
      idType: listing.debtorIdType,
      idNumber: disclosedIdentifier(audience, listing.debtorIdNumber),
      ...(listing.debtorIdCountry ? { country: listing.debtorIdCountry } : {}),
      ...(listing.legalRepName && listing.legalRepIdNumber
        ? { legalRepresentative: { name: listing.legalRepName, idNumber: disclosedIdentifier(audience, listing.legalRepIdNumber) } }
        : {}),
      ...(listing.debtorKind === 'entity'
        ? { boundPersons: boundPersonsOf(listing).map((person) => ({ ...person, idNumber: disclosedIdentifier(audience, person.idNumber) })) }
        : {}),
      ...(listing.publicRole ? { publicRole: listing.publicRole } : {}),
    },
    ...(listing.enforcementBasisIssuer ? { enforcementBasis: { issuer: listing.enforcementBasisIssuer, documentNumber: listing.enforcementBasisNumber } } : {}),
    filedAt: listing.filedAt?.toISOString() ?? null,
    decidedAt: listing.decidedAt?.toISOString() ?? null,
    circumstance: listing.circumstance,
    obligation: {
      description: listing.obligationDescription,
      ...(listing.obligationAmountYuan != null ? { amountYuan: Number(listing.obligationAmountYuan) } : {}),
    },
    periodYears: listing.periodYears,
    listedAt: listing.listedAt.toISOString(),
    expiresAt: listing.expiresAt?.toISOString() ?? null,
    liftReason: listing.liftReason,
    deletionGround: listing.deletionGround,
    liftDecidedAt: listing.liftDecidedAt?.toISOString() ?? null,
    performedAt: listing.performedAt?.toISOString() ?? null,
    closedAt: listing.closedAt?.toISOString() ?? null,
    catalogVersion: listing.catalogVersion,
    ...(tasks ? { tasks: tasks.map(taskView) } : {}),
  };
}
