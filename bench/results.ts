// The benchmark's targets as one record: bench-results.json, and the summary
// table printed at the very end of `npm run bench`.

export interface Baseline {
  value: number | null;
  unit: string;
  what: string;
}

export interface Measure {
  /** null: not measured in this run (the part was skipped or failed). */
  value: number | null;
  unit: string;
  baseline?: Baseline;
  target: string;
  /** null when there is no target, or nothing was measured. */
  met: boolean | null;
  /** The product's worker processes, for the throughput figures that depend on them. */
  workers?: number;
}

export type Results = Record<string, Measure>;

const finite = (value: number | null | undefined): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** A measure with a target: met when `value` passes `test`; null when there is no value. */
export function measure(value: number | null | undefined, unit: string, target: string, test: ((value: number) => boolean) | null, extra: Partial<Measure> = {}): Measure {
  const known = finite(value);
  return { value: known, unit, ...extra, target, met: known === null || test === null ? null : test(known) };
}

function figure(value: number | null, unit: string): string {
  if (value === null) return 'not measured';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`;
}

export function summaryTable(results: Results): string {
  const lines = ['| measure | value | baseline | target | met |', '|---|---|---|---|---|'];
  for (const [name, { value, unit, baseline, target, met }] of Object.entries(results)) {
    const base = baseline ? `${figure(baseline.value, baseline.unit)} (${baseline.what})` : '';
    lines.push(`| ${name} | ${figure(value, unit)} | ${base} | ${target} | ${met === null ? '—' : met ? 'yes' : 'NO'} |`);
  }
  return lines.join('\n');
}

export interface SupervisionFigures {
  text: string | null;
  statsP95Ms: number | null;
  overduePageP95Ms: number | null;
}

/**
 * What the supervision benchmark returned: its printable table alone, or an
 * object holding the table beside figures (at its top or one level down).
 * Figures it does not give read as not measured.
 */
export function supervisionFigures(result: unknown): SupervisionFigures {
  if (typeof result === 'string') return { text: result, statsP95Ms: null, overduePageP95Ms: null };
  if (result === null || typeof result !== 'object') return { text: null, statsP95Ms: null, overduePageP95Ms: null };
  const record = result as Record<string, unknown>;
  const nested = Object.values(record).filter((value): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value));
  const numberNamed = (name: string): number | null => {
    for (const place of [record, ...nested]) {
      const value = finite(place[name] as number | undefined);
      if (value !== null) return value;
    }
    return null;
  };
  const named = ['text', 'table', 'report'].map((name) => record[name]).find((value) => typeof value === 'string');
  const text = (named ?? Object.values(record).find((value) => typeof value === 'string') ?? null) as string | null;
  return { text, statsP95Ms: numberNamed('statsP95Ms'), overduePageP95Ms: numberNamed('overduePageP95Ms') };
}
