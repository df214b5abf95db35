import type { Request, Response } from 'express';
import type { Principal } from '../../domain/access.js';
import { normalizeCaseNumber } from '../../domain/case-numbers.js';
import { barChart } from '../bar-chart.js';
import { contextOf } from '../context.js';
import type { DashboardDeps } from '../deps.js';
import type { Locale } from '../i18n.js';
import { formatDuration } from '../format.js';
import { departmentNames, measureNames, nameOf } from '../lookups.js';
import { sendPage } from '../page.js';
import { ratesSection } from '../rates-view.js';

const FILTERS = ['departmentCode', 'kind', 'level'] as const;

/** The filter form's values that are set, as the overdue query takes them. */
function filtersOf(query: Request['query']): Record<string, string> {
  const filters: Record<string, string> = {};
  for (const name of FILTERS) {
    const value = query[name];
    if (typeof value === 'string' && value.trim() !== '') filters[name] = value.trim();
  }
  return filters;
}

/**
 * What waits for a supervisor's decision: tasks declined as "not ours",
 * requests for more time, completions to verify (with their feedback).
 */
async function reviewQueues(useCases: DashboardDeps['useCases'], locale: Locale) {
  const [declined, extensions, awaiting, names, { catalog }] = await Promise.all([
    useCases.taskReview.declined(),
    useCases.taskReview.extensions({ status: 'requested' }),
    useCases.taskReview.awaitingVerification(),
    departmentNames(useCases.catalogs, locale),
    useCases.catalogs.current(),
  ]);
  const measureNameOf = measureNames(catalog, locale);
  const department = (code: string | null) => (code ? `${code} ${nameOf(names, code)}` : '');
  const caseNumbers = new Map(
    await Promise.all([...new Set(extensions.map((row) => row.listingId))].map(async (id) => [id, (await useCases.listings.caseNumberOf(id)) ?? ''] as const)),
  );
  const feedbackOf = (feedback: unknown) =>
    (Array.isArray(feedback) ? (feedback as { measure: string; result: string; reference?: string; detail?: string }[]) : []).map((entry) => ({
      ...entry,
      measureName: nameOf(measureNameOf, entry.measure),
    }));
  return {
    declined: declined.map((row) => ({ ...row, department: department(row.departmentCode), suggestedDepartment: department(row.suggestedDepartmentCode) })),
    extensions: extensions.map((row) => ({ ...row, department: department(row.departmentCode), caseNumber: caseNumbers.get(row.listingId) ?? '' })),
    awaitingVerification: awaiting.map((row) => ({ ...row, department: department(row.departmentCode), answer: { feedback: feedbackOf(row.feedback), verifiedAt: null } })),
  };
}

/** Freezes in force ending within this many days are watched. */
const EXPIRING_WITHIN_DAYS = 30;

/**
 * What institutions owe in online asset query and control (网络执行查控):
 * answers and confirmations past their deadline, most overdue first, and
 * freezes ending soon, soonest first, marked when no renewal is ordered.
 */
async function assetWatch(useCases: DashboardDeps['useCases'], principal: Principal) {
  const [overdue, expiring, directory] = await Promise.all([
    useCases.assetSupervision.overdue(principal),
    useCases.controlOrders.freezes(principal, { expiringWithinDays: String(EXPIRING_WITHIN_DAYS) }),
    useCases.institutions.list(),
  ]);
  const names = new Map(directory.institutions.map((institution) => [institution.code, institution.name]));
  const institution = (code: string) => (names.has(code) ? `${code} ${names.get(code)}` : code);
  // A search names its case as the clerk typed it, not its listing: the listings page finds the case's listings by the normalised number.
  const caseHref = (caseNumber: string) => `/listings?q=${encodeURIComponent(normalizeCaseNumber(caseNumber))}`;
  return {
    expiringWithinDays: EXPIRING_WITHIN_DAYS,
    overdueRequests: overdue.requests.map((row) => ({ ...row, institution: institution(row.institutionCode), caseHref: caseHref(row.caseNumber) })),
    overdueOrders: overdue.orders.map((row) => ({ ...row, institution: institution(row.institutionCode) })),
    expiringFreezes: expiring.map((row) => ({ ...row, institution: institution(row.institutionCode), caseHref: caseHref(row.caseNumber) })),
  };
}

/** Overdue tasks, most overdue first, what institutions owe in asset control, and how each department is doing. */
export function supervisorHome({ useCases }: DashboardDeps) {
  return async (req: Request, res: Response) => {
    const { locale, strings, principal } = contextOf(res);
    const filters = filtersOf(req.query);
    const [overdue, overdueObjections, stats, undelivered, names, levels, calendar, review, assets] = await Promise.all([
      // The most overdue 1,000 (the largest page): a supervisor narrows the filters for the rest.
      useCases.supervision.overdue({ ...filters, limit: '1000' }).then((page) => page.items),
      useCases.objections.overdue(),
      useCases.supervision.stats(),
      useCases.supervision.undeliveredMail(),
      departmentNames(useCases.catalogs, locale),
      useCases.supervision.highestEscalationLevel(),
      useCases.calendar.view(),
      reviewQueues(useCases, locale),
      assetWatch(useCases, principal!),
    ]);
    const active = stats.filter((row) => row.tasks > 0).map((row) => ({ ...row, name: nameOf(names, row.departmentCode) }));
    const label = (row: { departmentCode: string; name: string }) => `${row.departmentCode} ${row.name}`;
    const countChart = barChart({
      title: strings.supervisor.chartCounts,
      series: [
        { label: strings.columns.acknowledgedOnTime, className: 'series-good' },
        { label: strings.columns.overdue, className: 'series-bad' },
      ],
      rows: active.map((row) => ({ label: label(row), values: [row.acknowledgedOnTime, row.overdue] })),
      format: (value) => String(value ?? 0),
    });
    const medianChart = barChart({
      title: strings.supervisor.chartMedian,
      series: [{ label: strings.columns.medianToAcknowledge, className: 'series-time' }],
      rows: active.map((row) => ({ label: label(row), values: [row.medianSecondsToAcknowledge] })),
      format: (value) => (value === null ? strings.none : formatDuration(strings, value)),
    });
    const rates = await ratesSection(useCases.rates, principal!, { locale, strings, query: req.query });
    const maxLevel = Math.max(2, levels);
    sendPage(req, res, 'supervisor-home', {
      title: strings.supervisor.title,
      data: {
        overdue: overdue.map((row) => ({ ...row, departmentName: nameOf(names, row.departmentCode) })),
        overdueObjections,
        stats: active,
        undelivered: undelivered.map((row) => ({ ...row, departmentName: row.departmentCode ? nameOf(names, row.departmentCode) : '' })),
        charts: [countChart, medianChart],
        filters,
        departments: [...names].map(([code, name]) => ({ code, name })),
        levels: Array.from({ length: maxLevel + 1 }, (_, level) => level),
        calendar,
        rates,
        assets,
        ...review,
      },
    });
  };
}
