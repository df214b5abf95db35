/**
 * Geometry of a line chart of fractions (0–100 %) over categories such as
 * months, rendered as inline SVG by views/partials/line-chart.eta. A missing
 * value breaks its line; every point carries its own title.
 */
export interface LineSeries {
  label: string;
  /** CSS class that colours (and dashes) the series. */
  className: string;
  values: (number | null)[];
  /** What a point's title says, e.g. "80% (8/10)". */
  describe: (index: number) => string;
}

export interface LineChartInput {
  title: string;
  description: string;
  categories: string[];
  series: LineSeries[];
}

export interface LineChart {
  title: string;
  description: string;
  width: number;
  height: number;
  plot: { left: number; right: number; top: number; bottom: number };
  grid: { y: number; label: string }[];
  ticks: { x: number; label: string }[];
  legend: { label: string; className: string; x: number; y: number }[];
  series: { label: string; className: string; paths: string[]; points: { x: number; y: number; title: string }[] }[];
}

const WIDTH = 640;
const MARGIN = { left: 44, right: 32, bottom: 28 };
const PLOT_HEIGHT = 180;
const LEGEND_ROW = 18;
const LEGEND_SWATCH = 22;
const TICK_LABEL_WIDTH = 56;

// SVG text does not wrap: widths are estimated at 12px, a CJK character about twice a Latin one.
const textWidth = (text: string) => Array.from(text).reduce((width, char) => width + (/[\u2E80-\uFFEF]/.test(char) ? 12 : 7), 0);

/** Legend entries left to right, wrapping onto further rows. */
function legendOf(series: LineSeries[]) {
  const legend: LineChart['legend'] = [];
  let [x, row] = [MARGIN.left, 0];
  for (const entry of series) {
    const width = LEGEND_SWATCH + textWidth(entry.label) + 18;
    if (x + width > WIDTH && x > MARGIN.left) [x, row] = [MARGIN.left, row + 1];
    legend.push({ label: entry.label, className: entry.className, x, y: 14 + row * LEGEND_ROW });
    x += width;
  }
  return legend;
}

export function lineChart({ title, description, categories, series }: LineChartInput): LineChart {
  const legend = legendOf(series);
  const top = (legend.at(-1)?.y ?? 0) + 16;
  const plot = { left: MARGIN.left, right: WIDTH - MARGIN.right, top, bottom: top + PLOT_HEIGHT };
  const step = categories.length > 1 ? (plot.right - plot.left) / (categories.length - 1) : 0;
  const xOf = (index: number) => Math.round(categories.length > 1 ? plot.left + index * step : (plot.left + plot.right) / 2);
  const yOf = (value: number) => Math.round(plot.bottom - Math.min(1, Math.max(0, value)) * PLOT_HEIGHT);
  // Every n-th category is labelled, so labels never overlap.
  const every = Math.max(1, Math.ceil(TICK_LABEL_WIDTH / Math.max(step, 1)));
  return {
    title,
    description,
    width: WIDTH,
    height: plot.bottom + MARGIN.bottom,
    plot,
    grid: [0, 0.25, 0.5, 0.75, 1].map((value) => ({ y: yOf(value), label: `${value * 100}%` })),
    ticks: categories.flatMap((label, index) => (index % every === 0 ? [{ x: xOf(index), label }] : [])),
    legend,
    series: series.map((entry) => {
      const points: { x: number; y: number; title: string }[] = [];
      const paths: string[] = [];
      let segment: string[] = [];
      entry.values.forEach((value, index) => {
        if (value === null) {
          if (segment.length > 1) paths.push(segment.join(' '));
          segment = [];
          return;
        }
        const [x, y] = [xOf(index), yOf(value)];
        segment.push(`${segment.length === 0 ? 'M' : 'L'}${x} ${y}`);
        points.push({ x, y, title: `${categories[index]} · ${entry.label}: ${entry.describe(index)}` });
      });
      if (segment.length > 1) paths.push(segment.join(' '));
      return { label: entry.label, className: entry.className, paths, points };
    }),
  };
}
