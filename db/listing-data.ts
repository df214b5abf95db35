/**
 * The listing's data as a request states it and as a row stores it, both
 * ways: intake turns a request into columns; a correction turns the stored
 * row back into a request, applies the changes, and compares the columns.
 */
import { expiryOf } from '../domain/circumstances.js';
import { instantOf, periodOf } from '../domain/listing-rules.js';
import type { BoundPerson } from '../domain/restrictions.js';
import { boundPersonsOf } from './restrictions.js';
import { Prisma, type Listing } from '../prisma/generated/client.js';
import type { CreateListingRequest } from '../app/schemas.js';

/** The same person twice in one role is one bound person. */
function uniqueBoundPersons(persons: BoundPerson[]): BoundPerson[] {
  const seen = new Set<string>();
  return persons.filter((person) => {
    const key = `${person.role}\u001f${person.idNumber}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The persons an entity binds: the legal representative shorthand first, then the list. */
export function boundPersonsOfRequest(debtor: CreateListingRequest['debtor']): BoundPerson[] {
  if (debtor.kind !== 'entity') return [];
  return uniqueBoundPersons([...(debtor.legalRepresentative ? [{ role: 'legal-representative' as const, ...debtor.legalRepresentative }] : []), ...(debtor.boundPersons ?? [])]);
}

/** The columns a listing's data occupies; what a correction may change. */
export function listingDataOf(request: CreateListingRequest, listedAt: Date) {
  const { debtor } = request;
  const boundPersons = boundPersonsOfRequest(debtor);
  const legalRep = boundPersons.find((person) => person.role === 'legal-representative');
  const decidedAt = request.decidedAt === undefined ? null : instantOf(request.decidedAt);
  return {
    caseNumber: request.caseNumber,
    debtorName: debtor.name,
    debtorIdNumber: debtor.idNumber,
    debtorIdType: debtor.idType,
    debtorIdCountry: debtor.kind === 'individual' ? (debtor.country ?? null) : null,
    legalRepName: legalRep?.name ?? null,
    legalRepIdNumber: legalRep?.idNumber ?? null,
    boundPersons: boundPersons as unknown as Prisma.InputJsonValue,
    publicRole: debtor.kind === 'individual' && debtor.publicRole ? (debtor.publicRole as Prisma.InputJsonValue) : Prisma.DbNull,
    circumstance: request.circumstance,
    obligationDescription: request.obligation.description,
    obligationAmountYuan: request.obligation.amountYuan ?? null,
    periodYears: periodOf(request),
    enforcementBasisIssuer: request.enforcementBasis?.issuer ?? null,
    enforcementBasisNumber: request.enforcementBasis?.documentNumber ?? null,
    filedAt: request.filedAt === undefined ? null : instantOf(request.filedAt),
    decidedAt,
    securityProvided: request.securityProvided ?? null,
    seizedAssetsSufficient: request.seizedAssetsSufficient ?? null,
    // A fixed period counts from the decision to list, when the court gives it (art. 2).
    expiresAt: expiryOf(decidedAt ?? listedAt, periodOf(request)),
  };
}

export type ListingData = ReturnType<typeof listingDataOf>;
export type ListingDataColumn = keyof ListingData;

/** A stored listing as the request that would record it: what a correction's changes apply to. */
export function requestOfListing(listing: Listing): Record<string, unknown> {
  const persons = boundPersonsOf(listing);
  const legalRep = persons.find((person) => person.role === 'legal-representative');
  const others = persons.filter((person) => person !== legalRep);
  const debtor =
    listing.debtorKind === 'entity'
      ? {
          kind: 'entity',
          name: listing.debtorName,
          idType: listing.debtorIdType,
          idNumber: listing.debtorIdNumber,
          // The legal representative as the shorthand, the others as the list: a new list keeps the legal representative.
          ...(legalRep ? { legalRepresentative: { name: legalRep.name, idNumber: legalRep.idNumber } } : {}),
          ...(others.length > 0 ? { boundPersons: others } : {}),
        }
      : {
          kind: 'individual',
          name: listing.debtorName,
          idType: listing.debtorIdType,
          idNumber: listing.debtorIdNumber,
          ...(listing.debtorIdCountry ? { country: listing.debtorIdCountry } : {}),
          ...(listing.publicRole ? { publicRole: listing.publicRole } : {}),
        };
  const date = (at: Date | null) => (at ? { value: at.toISOString() } : null);
  return {
    caseNumber: listing.caseNumber,
    debtor,
    circumstance: listing.circumstance,
    obligation: { description: listing.obligationDescription, ...(listing.obligationAmountYuan != null ? { amountYuan: Number(listing.obligationAmountYuan) } : {}) },
    ...(listing.periodYears != null && listing.expiresAt ? { periodYears: listing.periodYears } : {}),
    ...(listing.enforcementBasisIssuer ? { enforcementBasis: { issuer: listing.enforcementBasisIssuer, documentNumber: listing.enforcementBasisNumber } } : {}),
    ...(date(listing.filedAt) ? { filedAt: date(listing.filedAt)!.value } : {}),
    ...(date(listing.decidedAt) ? { decidedAt: date(listing.decidedAt)!.value } : {}),
    ...(listing.securityProvided != null ? { securityProvided: listing.securityProvided } : {}),
    ...(listing.seizedAssetsSufficient != null ? { seizedAssetsSufficient: listing.seizedAssetsSufficient } : {}),
  };
}

/** A column's value as JSON, comparable and storable in a correction. */
function jsonValueOf(column: ListingDataColumn, value: unknown): unknown {
  if (value === undefined || value === null || value === Prisma.DbNull || value === Prisma.JsonNull) return null;
  if (value instanceof Date) return value.toISOString();
  if (column === 'obligationAmountYuan') return Number(value).toFixed(2);
  return value;
}

/** JSON with object keys sorted: the database keeps JSON keys in its own order. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A JSON value back as the column takes it. */
const DATE_COLUMNS = new Set<ListingDataColumn>(['filedAt', 'decidedAt', 'expiresAt']);
const JSON_COLUMNS = new Set<ListingDataColumn>(['boundPersons', 'publicRole']);

export function columnValueOf(column: string, value: unknown): unknown {
  if (DATE_COLUMNS.has(column as ListingDataColumn)) return value === null ? null : new Date(value as string);
  if (JSON_COLUMNS.has(column as ListingDataColumn)) return value === null ? Prisma.DbNull : value;
  if (column === 'obligationAmountYuan') return value === null ? null : new Prisma.Decimal(value as string);
  return value;
}

/** Each column whose value differs, with its value before and after, as JSON. */
export function changedColumns(current: Listing, next: ListingData): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const column of Object.keys(next) as ListingDataColumn[]) {
    const from = jsonValueOf(column, current[column]);
    const to = jsonValueOf(column, next[column]);
    if (canonical(from) !== canonical(to)) changes[column] = { from, to };
  }
  return changes;
}
