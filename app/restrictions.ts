import type { DisclosureLog } from '../db/disclosure-log.js';
import type { Catalog } from '../domain/catalog.js';
import { departmentScopeOf, type Principal } from '../domain/access.js';
import { measuresOfDepartment, type SubjectRole } from '../domain/restrictions.js';
import type { DatabaseClient } from '../db/client.js';
import { Prisma, type PrismaClient } from '../prisma/generated/client.js';
import { parseInput } from './validate.js';
import { restrictionBatchCheckSchema, restrictionChangesQuerySchema, restrictionCheckQuerySchema } from './schemas.js';

interface RestrictionRow {
  idNumber: string;
  role: SubjectRole;
  measures: string[];
  catalogVersion: number;
  since: Date;
  listingId: string;
  caseNumber: string;
  courtCode: string;
}

interface ChangeRow {
  seq: bigint;
  type: string;
  idNumber: string;
  name: string;
  measures: string[];
  catalogVersion: number;
  listingId: string;
  at: Date;
}

export interface Restriction {
  measure: string;
  measureName: string;
  since: string;
  listingId: string;
  caseNumber: string;
  courtCode: string;
  role: SubjectRole;
}

export interface CheckResult {
  idNumber: string;
  restricted: boolean;
  restrictions: Restriction[];
  checkedAt: string;
}

const DEFAULT_PAGE = 100;

/**
 * What departments' own systems ask: is this person restricted for the
 * measures we apply, and what changed since we last asked. A department sees
 * its own measures, in full identifiers; a supervisor sees every measure.
 * Each full identifier shown to a department is logged (off the critical path).
 */
/** The check's lookup: one index scan on the identifier, joined to the listing for the case. */
const LOOKUP = `
  SELECT r."idNumber", r.role, r.measures, r."catalogVersion", r.since, r."listingId", l."caseNumber", l."courtCode"
  FROM "RestrictedSubject" r JOIN "Listing" l ON l.id = r."listingId"
  WHERE r."idNumber" = ANY($1) AND r."endedAt" IS NULL
  ORDER BY r.since, r."listingId"`;

export interface RestrictionDeps {
  prisma: PrismaClient;
  /** Plain SQL for the lookup: the check is the hottest read there is. */
  rows: DatabaseClient['rows'];
  catalogs: { get(version: number): Promise<Catalog> };
  disclosures: DisclosureLog;
  now?: () => Date;
}

export function createRestrictionService({ prisma, rows: query, catalogs, disclosures, now = () => new Date() }: RestrictionDeps) {
  /** Measure names per catalog version: versions never change once imported. */
  const measureNames = new Map<number, Map<string, string>>();
  async function namesOf(version: number): Promise<{ catalog: Catalog; names: Map<string, string> }> {
    const catalog = await catalogs.get(version);
    let names = measureNames.get(version);
    if (!names) measureNames.set(version, (names = new Map(catalog.measures.map((measure) => [measure.code, measure.name_zh]))));
    return { catalog, names };
  }

  /** The measures a principal sees in one catalog version, or null for all of them. */
  const measureFilters = new Map<string, Set<string>>();
  function visibleMeasures(principal: Principal, version: number, catalog: Catalog): Set<string> | null {
    const department = departmentScopeOf(principal);
    if (department === null) return null;
    const key = `${version}\u0000${department}`;
    let measures = measureFilters.get(key);
    if (!measures) measureFilters.set(key, (measures = measuresOfDepartment(catalog, department)));
    return measures;
  }

  async function restrictionsOf(principal: Principal, rows: RestrictionRow[]): Promise<Map<string, Restriction[]>> {
    const byId = new Map<string, Restriction[]>();
    for (const row of rows) {
      const { catalog, names } = await namesOf(row.catalogVersion);
      const visible = visibleMeasures(principal, row.catalogVersion, catalog);
      const restrictions = byId.get(row.idNumber) ?? [];
      for (const measure of row.measures) {
        if (visible && !visible.has(measure)) continue;
        restrictions.push({ measure, measureName: names.get(measure) ?? measure, since: row.since.toISOString(), listingId: row.listingId, caseNumber: row.caseNumber, courtCode: row.courtCode, role: row.role });
      }
      byId.set(row.idNumber, restrictions);
    }
    return byId;
  }

  async function check(principal: Principal, idNumbers: string[]): Promise<CheckResult[]> {
    const byId = await restrictionsOf(principal, await query<RestrictionRow>(LOOKUP, [idNumbers]));
    const checkedAt = now();
    return idNumbers.map((idNumber) => {
      const restrictions = byId.get(idNumber) ?? [];
      if (restrictions.length > 0) disclose(principal, idNumber, 'check', restrictions[0]!.listingId, checkedAt);
      return { idNumber, restricted: restrictions.length > 0, restrictions, checkedAt: checkedAt.toISOString() };
    });
  }

  function disclose(principal: Principal, idNumber: string, purpose: 'check' | 'feed', listingId: string, at: Date): void {
    const departmentCode = departmentScopeOf(principal);
    if (departmentCode !== null) disclosures.record({ departmentCode, keyId: principal.keyId, idNumber, purpose, listingId }, at);
  }

  return {
    /** GET /api/restrictions/check?idNumber= */
    async checkOne(principal: Principal, query: unknown): Promise<CheckResult> {
      const { idNumber } = parseInput(restrictionCheckQuerySchema, query, 'query');
      return (await check(principal, [idNumber]))[0]!;
    },

    /** POST /api/restrictions/check — in request order. */
    async checkMany(principal: Principal, body: unknown): Promise<{ results: CheckResult[] }> {
      const { idNumbers } = parseInput(restrictionBatchCheckSchema, body, 'check');
      return { results: await check(principal, idNumbers) };
    },

    /**
     * GET /api/restrictions/changes — the feed after a cursor, in commit
     * order; each change carries only the measures the caller applies.
     */
    async changes(principal: Principal, query: unknown) {
      const { after = '0', limit = DEFAULT_PAGE } = parseInput(restrictionChangesQuerySchema, query, 'query');
      const department = departmentScopeOf(principal);
      const rows = await prisma.$queryRaw<ChangeRow[]>`
        SELECT seq, type, "idNumber", name, measures, "catalogVersion", "listingId", at
        FROM "RestrictionChange"
        WHERE seq > ${BigInt(after)} ${department === null ? Prisma.empty : Prisma.sql`AND ${department} = ANY("departmentCodes")`}
        ORDER BY seq
        LIMIT ${limit}`;
      const items = [];
      for (const row of rows) {
        const catalog = await catalogs.get(row.catalogVersion);
        const visible = visibleMeasures(principal, row.catalogVersion, catalog);
        const measures = visible ? row.measures.filter((measure) => visible.has(measure)) : row.measures;
        disclose(principal, row.idNumber, 'feed', row.listingId, row.at);
        items.push({ seq: Number(row.seq), type: row.type, idNumber: row.idNumber, name: row.name, measures, listingId: row.listingId, at: row.at.toISOString() });
      }
      return { items, nextCursor: String(rows.at(-1)?.seq ?? after) };
    },
  };
}

export type RestrictionService = ReturnType<typeof createRestrictionService>;
