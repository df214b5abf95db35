import type { Catalog } from '../domain/catalog.js';
import { departmentsApplying, restrictedSubjects, type ListedDebtor } from '../domain/restrictions.js';
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

export interface ListingToRestrict extends ListedDebtor {
  id: string;
  catalogVersion: number;
}

/** The listing's subjects become restricted from `at`; the feed says so. Inside the listing's own transaction. */
export async function imposeRestrictions(tx: Prisma.TransactionClient, listing: ListingToRestrict, catalog: Catalog, at: Date): Promise<void> {
  const subjects = restrictedSubjects(catalog, listing);
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
