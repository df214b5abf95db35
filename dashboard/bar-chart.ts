/**
 * Geometry of a horizontal grouped bar chart, rendered as inline SVG by
 * views/partials/bar-chart.eta: one row per category, one bar per series,
 * each series scaled to the largest value in the chart.
 */
export interface BarSeries {
  label: string;
  /** CSS class that colours the series. */
  className: string;
}

export interface BarChartInput {
  title: string;
  series: BarSeries[];
  rows: { label: string; values: (number | null)[] }[];
  format: (value: number | null) => string;
}

export interface Bar {
  x: number;
  y: number;
  width: number;
  height: number;
  className: string;
  text: string;
  textX: number;
  textY: number;
}

export interface BarChart {
  title: string;
  width: number;
  height: number;
  legend: { label: string; className: string; x: number; y: number }[];
  rows: { label: string; fullLabel: string; y: number; bars: Bar[] }[];
  plotX: number;
  plotTop: number;
}

const LABEL_WIDTH = 190;
const PLOT_WIDTH = 340;
const VALUE_SPACE = 90;
const BAR_HEIGHT = 12;
const BAR_GAP = 2;
const ROW_GAP = 10;
const LEGEND_HEIGHT = 30;
const LABEL_BUDGET = LABEL_WIDTH - 12;

// SVG text does not wrap or clip: labels are cut to an estimated width at 12px,
// where a CJK character is about twice as wide as a Latin one.
const charWidth = (char: string) => (/[\u2E80-\uFFEF]/.test(char) ? 12 : 7);

function shorten(label: string): string {
  const chars = Array.from(label);
  if (chars.reduce((width, char) => width + charWidth(char), 0) <= LABEL_BUDGET) return label;
  let width = charWidth('…');
  const kept: string[] = [];
  for (const char of chars) {
    width += charWidth(char);
    if (width > LABEL_BUDGET) break;
    kept.push(char);
  }
  return `${kept.join('').trimEnd()}…`;
}

export function barChart({ title, series, rows, format }: BarChartInput): BarChart {
  const max = Math.max(0, ...rows.flatMap((row) => row.values.map((value) => value ?? 0)));
  const rowHeight = series.length * (BAR_HEIGHT + BAR_GAP) - BAR_GAP + ROW_GAP;
  const legend = series.map((s, index) => ({ label: s.label, className: s.className, x: LABEL_WIDTH + index * 170, y: 14 }));
  return {
    title,
    width: LABEL_WIDTH + PLOT_WIDTH + VALUE_SPACE,
    height: LEGEND_HEIGHT + rows.length * rowHeight,
    legend,
    plotX: LABEL_WIDTH,
    plotTop: LEGEND_HEIGHT - ROW_GAP / 2,
    rows: rows.map((row, rowIndex) => {
      const y = LEGEND_HEIGHT + rowIndex * rowHeight;
      return {
        label: shorten(row.label),
        fullLabel: row.label,
        y: y + (rowHeight - ROW_GAP) / 2,
        bars: series.map((s, index) => {
          const value = row.values[index] ?? null;
          const width = max > 0 && value ? Math.max(1, Math.round((value / max) * PLOT_WIDTH)) : 0;
          const barY = y + index * (BAR_HEIGHT + BAR_GAP);
          return {
            x: LABEL_WIDTH,
            y: barY,
            width,
            height: BAR_HEIGHT,
            className: s.className,
            text: format(value),
            textX: LABEL_WIDTH + width + 4,
            textY: barY + BAR_HEIGHT - 2,
          };
        }),
      };
    }),
  };
}
