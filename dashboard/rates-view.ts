import type { Request } from 'express';
import type { DepartmentRates, Figures, Rate, RatesReport, RatesService } from '../app/rates.js';
import type { Principal } from '../domain/access.js';
import { formatDuration } from './format.js';
import { fill, type Locale, type Strings } from './i18n.js';
import { lineChart } from './line-chart.js';

/** The query parameter that picks the department of the trend chart. */
export const RATES_DEPARTMENT_PARAM = 'ratesDepartment';

const percent = (rate: Rate) => (rate.rate === null ? null : `${Math.round(rate.rate * 1000) / 10}%`);

/** A rate as a table cell: the percentage, and the counts it is made of. */
const rateCell = (strings: Strings, rate: Rate) => ({ text: percent(rate) ?? strings.none, counts: rate.denominator === 0 ? '' : `${rate.numerator}/${rate.denominator}` });

function figureCells(strings: Strings, all: Figures) {
  const hours = (value: number | null) => (value === null ? strings.none : formatDuration(strings, value * 3600));
  return {
    dispatched: all.dispatched,
    response: rateCell(strings, all.responseRate),
    feedback: rateCell(strings, all.feedbackRate),
    completion: rateCell(strings, all.completionOnTimeRate),
    // Lift tasks only, whichever kind the figures are of.
    lift: rateCell(strings, all.liftOnTimeRate),
    medianToAcknowledge: hours(all.medianHoursToAcknowledge),
    medianToComplete: hours(all.medianHoursToComplete),
  };
}

/** The trend of one department (or all together), month by month. */
function trendChart(strings: Strings, report: RatesReport, source: RatesReport['overall'], name: string) {
  const s = strings.rates;
  const line = (label: string, className: string, rateOf: (month: RatesReport['overall']['months'][number]) => Rate) => ({
    label,
    className,
    values: source.months.map((month) => rateOf(month).rate),
    describe: (index: number) => {
      const rate = rateOf(source.months[index]!);
      return `${percent(rate) ?? strings.none} (${rate.numerator}/${rate.denominator})`;
    },
  });
  return lineChart({
    title: fill(s.chartTitle, { department: name }),
    description: fill(s.chartDescription, { from: report.from, to: report.to }),
    categories: report.months,
    series: [
      line(s.responseRate, 'line-response', (month) => month.all.responseRate),
      line(s.feedbackRate, 'line-feedback', (month) => month.all.feedbackRate),
      line(s.completionOnTime, 'line-completion', (month) => month.all.completionOnTimeRate),
      line(s.liftOnTime, 'line-lift', (month) => month.lift.liftOnTimeRate),
    ],
  });
}

/**
 * The rates section of a home page: a supervisor sees every department that
 * has had tasks and picks the chart's department with ?ratesDepartment=; a
 * department sees its own.
 */
export async function ratesSection(rates: RatesService, principal: Principal, { locale, strings, query }: { locale: Locale; strings: Strings; query: Request['query'] }) {
  const report = await rates.report(principal, {});
  const nameOf = (row: DepartmentRates) => (locale === 'en' ? row.nameEn : row.nameZh);
  const selectable = principal.role === 'supervisor';
  const requested = query[RATES_DEPARTMENT_PARAM];
  const selected = selectable ? (report.departments.find((row) => row.departmentCode === requested) ?? null) : (report.departments[0] ?? null);
  const chartSource = selected ?? report.overall;
  const shown = selectable ? report.departments.filter((row) => row.total.all.dispatched > 0 || row.now.open > 0) : report.departments;
  const latest = report.months.at(-1)!;
  return {
    intro: fill(strings.rates.intro, { from: report.from, to: report.to }),
    selector: selectable
      ? {
          // The page's other filters travel with the form.
          keep: Object.entries(query).flatMap(([name, value]) => (name !== RATES_DEPARTMENT_PARAM && name !== 'lang' && typeof value === 'string' && value !== '' ? [{ name, value }] : [])),
          options: report.departments.map((row) => ({ code: row.departmentCode, name: nameOf(row), selected: row === selected })),
        }
      : null,
    chart: trendChart(strings, report, chartSource, selected ? `${selected.departmentCode} ${nameOf(selected)}` : strings.rates.allDepartments),
    chartRows: chartSource.months.map((month) => ({ month: month.month, ...figureCells(strings, month.all) })),
    rows: shown.map((row) => ({
      code: row.departmentCode,
      name: nameOf(row),
      selected: selectable && row === selected,
      open: row.now.open,
      overdue: row.now.overdue,
      periods: [
        { label: latest, ...figureCells(strings, row.months.at(-1)!.all) },
        { label: fill(strings.rates.range, { from: report.from, to: report.to }), ...figureCells(strings, row.total.all) },
      ],
    })),
    definitions: Object.values(strings.rates.definitions),
  };
}

export type RatesSection = Awaited<ReturnType<typeof ratesSection>>;
