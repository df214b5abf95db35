import type { Catalog } from '../domain/catalog.js';
import { departmentsApplying, restrictedSubjects, type BoundPerson, type ListedDebtor } from '../domain/restrictions.js';
import type { Prisma } from '../prisma/generated/client.js';

/**
 * The restrictions a listing imposes and the change feed departments' systems
 * read. Every writer of the feed takes one transaction-scoped advisory lock,
 * numbers its rows after the highest number committed so far and keeps the
 * lock until it commits: numbers are gap-free and commits happen in number
 * order, so a reader paging by number sees every change exactly once.
 */
const FEED_LOCK = 0x6a73_6366; // 'jscf'

export type ChangeType = 'imposed' | 'lifted' | 'updated';

interface NewChange {
  type: ChangeType;
  listingId: string;
  idNumber: string;
  role: string;
  name: string;
  measures: string[];
  catalogVersion: number;
  departmentCodes: string[];
  at: Date;
}

/** Appends to the feed; call it last in the transaction, since it holds the feed until the commit. */
async function appendChanges(tx: Prisma.TransactionClient, changes: NewChange[]): Promise<void> {
  if (changes.length === 0) return;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${FEED_LOCK})`;
  const [{ last }] = await tx.$queryRaw<[{ last: bigint }]>`SELECT coalesce(max(seq), 0)::bigint AS last FROM "RestrictionChange"`;
  await tx.restrictionChange.createMany({ data: changes.map((change, index) => ({ ...change, seq: last + BigInt(index + 1) })) });
}

export type ListingToRestrict = Omit<ListedDebtor, 'boundPersons'> & { id: string; catalogVersion: number; boundPersons: Prisma.JsonValue };

/** The persons a stored listing binds (a JSON column). */
export const boundPersonsOf = (listing: { boundPersons: Prisma.JsonValue }): BoundPerson[] => (Array.isArray(listing.boundPersons) ? (listing.boundPersons as unknown as BoundPerson[]) : []);

/** The listing's subjects become restricted from `at`; the feed says so. Inside the listing's own transaction. */
export async function imposeRestrictions(tx: Prisma.TransactionClient, listing: ListingToRestrict, catalog: Catalog, at: Date): Promise<void> {
  const subjects = restrictedSubjects(catalog, { ...listing, boundPersons: boundPersonsOf(listing) });
  const created = await tx.restrictedSubject.createMany({
    data: subjects.map((subject) => ({ listingId: listing.id, ...subject, catalogVersion: listing.catalogVersion, since: at })),
    skipDuplicates: true,
  });
  // A repeat (the relay imposing what an earlier attempt already did) adds nothing to the feed either.
  if (created.count === 0) return;
  await appendChanges(
    tx,
    subjects.map((subject) => ({
      type: 'imposed',
      listingId: listing.id,
      ...subject,
      catalogVersion: listing.catalogVersion,
      departmentCodes: departmentsApplying(catalog, subject.measures),
      at,
    })),
  );
}

/**
 * Ends every restriction of the listing still in force, at `at`: the moment
 * the court recorded the lift. Idempotent: a second call finds nothing in force.
 */
export async function endRestrictions(tx: Prisma.TransactionClient, listingId: string, at: Date, catalogOf: (version: number) => Promise<Catalog>): Promise<number> {
  const ended = await tx.$queryRaw<{ idNumber: string; role: string; name: string; measures: string[]; catalogVersion: number }[]>`
    UPDATE "RestrictedSubject" SET "endedAt" = ${at}
    WHERE "listingId" = ${listingId}::uuid AND "endedAt" IS NULL
    RETURNING "idNumber", role, name, measures, "catalogVersion"`;
  const changes: NewChange[] = [];
  for (const subject of ended.sort((a, b) => a.role.localeCompare(b.role) || a.idNumber.localeCompare(b.idNumber))) {
    const catalog = await catalogOf(subject.catalogVersion);
    changes.push({ type: 'lifted', listingId, ...subject, departmentCodes: departmentsApplying(catalog, subject.measures), at });
  }
  await appendChanges(tx, changes);
  return ended.length;
}

/**
 * After a correction (art. 9), the listing restricts its subjects as they are
 * now: a subject no longer bound (a wrong ID number, a person removed) is
 * lifted, a new one imposed, one whose name or measures changed updated; the
 * feed says each. Inside the correction's transaction; a repeat changes nothing.
 */
export async function correctRestrictions(tx: Prisma.TransactionClient, listing: ListingToRestrict, catalog: Catalog, at: Date): Promise<void> {
  const wanted = restrictedSubjects(catalog, { ...listing, boundPersons: boundPersonsOf(listing) });
  const inForce = await tx.restrictedSubject.findMany({ where: { listingId: listing.id, endedAt: null } });
  const keyOf = (subject: { role: string; idNumber: string }) => `${subject.role}\u0000${subject.idNumber}`;
  const wantedByKey = new Map(wanted.map((subject) => [keyOf(subject), subject]));
  const inForceByKey = new Map(inForce.map((subject) => [keyOf(subject), subject]));
  const changes: NewChange[] = [];
  const change = (type: ChangeType, subject: { role: string; idNumber: string; name: string; measures: string[] }) =>
    changes.push({ type, listingId: listing.id, role: subject.role, idNumber: subject.idNumber, name: subject.name, measures: subject.measures, catalogVersion: listing.catalogVersion, departmentCodes: departmentsApplying(catalog, subject.measures), at });

  for (const subject of inForce) {
    if (wantedByKey.has(keyOf(subject))) continue;
    await tx.restrictedSubject.update({ where: { listingId_role_idNumber: { listingId: listing.id, role: subject.role, idNumber: subject.idNumber } }, data: { endedAt: at } });
    change('lifted', subject);
  }
  for (const subject of wanted) {
    const current = inForceByKey.get(keyOf(subject));
    const where = { listingId_role_idNumber: { listingId: listing.id, role: subject.role, idNumber: subject.idNumber } };
    if (!current) {
      // A subject lifted by an earlier correction and bound again is restricted again from now.
      await tx.restrictedSubject.upsert({
        where,
        create: { listingId: listing.id, ...subject, catalogVersion: listing.catalogVersion, since: at },
        update: { name: subject.name, measures: subject.measures, since: at, endedAt: null },
      });
      change('imposed', subject);
    } else if (current.name !== subject.name || current.measures.join() !== subject.measures.join()) {
      await tx.restrictedSubject.update({ where, data: { name: subject.name, measures: subject.measures } });
      change('updated', subject);
    }
  }
  await appendChanges(tx, changes);
}
