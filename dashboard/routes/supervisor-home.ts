import type { Request, Response } from 'express';
import { barChart } from '../bar-chart.js';
import { contextOf } from '../context.js';
import type { DashboardDeps } from '../deps.js';
import { formatDuration } from '../format.js';
import { departmentNames, nameOf } from '../lookups.js';
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

/** Overdue tasks, most overdue first, and how each department is doing. */
export function supervisorHome({ useCases }: DashboardDeps) {
  return async (req: Request, res: Response) => {
    const { locale, strings } = contextOf(res);
    const filters = filtersOf(req.query);
    const [overdue, overdueObjections, stats, undelivered, names, levels, calendar] = await Promise.all([
      useCases.supervision.overdue(filters),
      useCases.objections.overdue(),
      useCases.supervision.stats(),
      useCases.supervision.undeliveredMail(),
      departmentNames(useCases.catalogs, locale),
      useCases.supervision.highestEscalationLevel(),
      useCases.calendar.view(),
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
    const rates = await ratesSection(useCases.rates, contextOf(res).principal!, { locale, strings, query: req.query });
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
      },
    });
  };
}
