import type { PrismaClient } from '../prisma/generated/client.js';
import { courtScopeOf, type Principal } from '../domain/access.js';
import { assetStatsQuerySchema } from './asset-schemas.js';
import { parseInput } from './validate.js';

/** A month of online asset query and control, as the regional reports give it. */
export interface AssetMonth {
  month: string;
  searches: number;
  requests: number;
  /** Answered by their deadline, of the requests whose deadline passed or that were answered. */
  answeredOnTime: number;
  onTimeRate: number | null;
  /** Institutions asked that month, and those that answered every request by its deadline. */
  institutionsAsked: number;
  institutionsOnTime: number;
  /** Requests answered with at least one finding, and the findings. */
  hits: number;
  findings: number;
  frozen: number;
  frozenYuan: number;
  renewed: number;
  lapsed: number;
  lapsedYuan: number;
  deductedYuan: number;
  released: number;
}

// Months are China-local: the columns hold UTC.
const MONTH_OF = (column: string) => `to_char(${column} + interval '8 hours', 'YYYY-MM')`;

/**
 * What supervisors watch of asset searches and control: answers and
 * confirmations overdue (beside overdue tasks), and monthly figures —
 * searches, institutions answering on time, hits, amounts frozen, renewed,
 * lapsed and deducted.
 */
export function createAssetSupervision({ prisma, now = () => new Date() }: { prisma: PrismaClient; now?: () => Date }) {
  return {
    /** GET /api/supervision/asset-overdue — unanswered requests and unconfirmed orders past their deadline, most overdue first. */
    async overdue(principal: Principal) {
      const at = now();
      const court = courtScopeOf(principal);
      const requests = await prisma.assetRequest.findMany({
        where: { status: 'open', dueAt: { lt: at }, ...(court ? { search: { courtCode: court } } : {}) },
        include: { search: { select: { caseNumber: true, courtCode: true } } },
        orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
        take: 1000,
      });
      const orders = await prisma.controlOrder.findMany({
        where: { status: 'open', dueAt: { lt: at }, ...(court ? { courtCode: court } : {}) },
        include: { freeze: { select: { caseNumber: true } } },
        orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
        take: 1000,
      });
      const hoursLate = (dueAt: Date) => Math.floor((at.getTime() - dueAt.getTime()) / 3_600_000);
      return {
        requests: requests.map((request) => ({
          id: request.id,
          searchId: request.searchId,
          caseNumber: request.search.caseNumber,
          courtCode: request.search.courtCode,
          institutionCode: request.institutionCode,
          dueAt: request.dueAt.toISOString(),
          hoursLate: hoursLate(request.dueAt),
          escalationLevel: request.escalationLevel,
        })),
        orders: orders.map((order) => ({
          id: order.id,
          freezeId: order.freezeId,
          caseNumber: order.freeze.caseNumber,
          courtCode: order.courtCode,
          institutionCode: order.institutionCode,
          action: order.action,
          dueAt: order.dueAt.toISOString(),
          hoursLate: hoursLate(order.dueAt),
          escalationLevel: order.escalationLevel,
        })),
      };
    },

    /** GET /api/supervision/asset-stats?month= — one row per month (China time), newest first. */
    async stats(principal: Principal, query: unknown): Promise<AssetMonth[]> {
      const input = parseInput(assetStatsQuerySchema, query, 'query');
      const court = courtScopeOf(principal);
      const at = now().toISOString();
      const rows = await prisma.$queryRawUnsafe<Record<string, unknown>[]>(
        `
        WITH searches AS (
          SELECT ${MONTH_OF('s."createdAt"')} AS month, count(*)::int AS searches FROM "AssetSearch" s WHERE ($1::text IS NULL OR s."courtCode" = $1) GROUP BY 1
        ), requests AS (
          SELECT ${MONTH_OF('s."createdAt"')} AS month, count(*)::int AS requests,
            count(*) FILTER (WHERE r."answeredAt" IS NOT NULL AND r."answeredAt" <= r."dueAt")::int AS on_time,
            count(*) FILTER (WHERE r."answeredAt" IS NOT NULL OR r."dueAt" < $2::timestamp)::int AS due,
            count(DISTINCT r."institutionCode")::int AS institutions_asked,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM "AssetFinding" f WHERE f."requestId" = r.id))::int AS hits
          FROM "AssetRequest" r JOIN "AssetSearch" s ON s.id = r."searchId" WHERE ($1::text IS NULL OR s."courtCode" = $1) GROUP BY 1
        ), findings AS (
          SELECT ${MONTH_OF('s."createdAt"')} AS month, count(*)::int AS findings
          FROM "AssetFinding" f JOIN "AssetSearch" s ON s.id = f."searchId" WHERE ($1::text IS NULL OR s."courtCode" = $1) GROUP BY 1
        ), late_institutions AS (
          SELECT ${MONTH_OF('s."createdAt"')} AS month, count(DISTINCT r."institutionCode")::int AS late
          FROM "AssetRequest" r JOIN "AssetSearch" s ON s.id = r."searchId"
          WHERE ($1::text IS NULL OR s."courtCode" = $1) AND ((r."answeredAt" IS NOT NULL AND r."answeredAt" > r."dueAt") OR (r."answeredAt" IS NULL AND r."dueAt" < $2::timestamp))
          GROUP BY 1
        ), orders AS (
          SELECT ${MONTH_OF('o."effectiveAt"')} AS month,
            count(*) FILTER (WHERE o.action = 'freeze')::int AS frozen,
            coalesce(sum(o."confirmedAmountYuan") FILTER (WHERE o.action = 'freeze'), 0)::float8 AS frozen_yuan,
            count(*) FILTER (WHERE o.action = 'renew')::int AS renewed,
            coalesce(sum(o."confirmedAmountYuan") FILTER (WHERE o.action = 'deduct'), 0)::float8 AS deducted_yuan,
            count(*) FILTER (WHERE o.action = 'release')::int AS released
          FROM "ControlOrder" o WHERE o.status = 'confirmed' AND ($1::text IS NULL OR o."courtCode" = $1) GROUP BY 1
        ), lapses AS (
          SELECT ${MONTH_OF('z."endedAt"')} AS month, count(*)::int AS lapsed, coalesce(sum(z."amountYuan" - z."deductedYuan"), 0)::float8 AS lapsed_yuan
          FROM "Freeze" z WHERE z.status = 'lapsed' AND ($1::text IS NULL OR z."courtCode" = $1) GROUP BY 1
        ), months AS (
          SELECT month FROM searches UNION SELECT month FROM orders UNION SELECT month FROM lapses
        )
        SELECT m.month, coalesce(s.searches, 0) AS searches, coalesce(r.requests, 0) AS requests, coalesce(r.on_time, 0) AS on_time,
          coalesce(r.due, 0) AS due, coalesce(r.institutions_asked, 0) AS institutions_asked, coalesce(l.late, 0) AS late,
          coalesce(r.hits, 0) AS hits, coalesce(f.findings, 0) AS findings, coalesce(o.frozen, 0) AS frozen, coalesce(o.frozen_yuan, 0) AS frozen_yuan,
          coalesce(o.renewed, 0) AS renewed, coalesce(x.lapsed, 0) AS lapsed, coalesce(x.lapsed_yuan, 0) AS lapsed_yuan,
          coalesce(o.deducted_yuan, 0) AS deducted_yuan, coalesce(o.released, 0) AS released
        FROM months m
        LEFT JOIN searches s USING (month) LEFT JOIN requests r USING (month) LEFT JOIN findings f USING (month) LEFT JOIN late_institutions l USING (month)
        LEFT JOIN orders o USING (month) LEFT JOIN lapses x USING (month)
        WHERE m.month IS NOT NULL AND ($3::text IS NULL OR m.month = $3)
        ORDER BY m.month DESC`,
        court,
        at,
        input.month ?? null,
      );
      return rows.map((row) => {
        const n = (name: string) => Number(row[name] ?? 0);
        return {
          month: String(row.month),
          searches: n('searches'),
          requests: n('requests'),
          answeredOnTime: n('on_time'),
          onTimeRate: n('due') > 0 ? Math.round((n('on_time') / n('due')) * 1000) / 1000 : null,
          institutionsAsked: n('institutions_asked'),
          institutionsOnTime: Math.max(n('institutions_asked') - n('late'), 0),
          hits: n('hits'),
          findings: n('findings'),
          frozen: n('frozen'),
          frozenYuan: n('frozen_yuan'),
          renewed: n('renewed'),
          lapsed: n('lapsed'),
          lapsedYuan: n('lapsed_yuan'),
          deductedYuan: n('deducted_yuan'),
          released: n('released'),
        };
      });
    },
  };
}

export type AssetSupervision = ReturnType<typeof createAssetSupervision>;
