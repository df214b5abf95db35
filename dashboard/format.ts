import { fill, type Locale, type Strings } from './i18n.js';

const instantFormats: Record<Locale, Intl.DateTimeFormat> = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
  }),
  en: new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
  }),
};

/** Deadlines are Beijing time, the time the courts and departments work in. */
export function formatInstant(locale: Locale, at: string | Date | null | undefined): string {
  if (at == null) return '';
  const date = typeof at === 'string' ? new Date(at) : at;
  return Number.isNaN(date.getTime()) ? '' : instantFormats[locale].format(date);
}

const UNITS = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
] as const;

/**
 * "2天3小时", "2 d 3 h": the two largest non-zero units are precise enough to
 * compare how late tasks are, and short enough for a table cell.
 */
export function formatDuration(strings: Strings, totalSeconds: number): string {
  let rest = Math.max(0, Math.floor(totalSeconds));
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || (unit === 'second' && parts.length === 0)) parts.push(fill(strings.duration[unit], { n }));
    if (parts.length === 2) break;
    // Only adjacent units: "1 d 5 s" reads as a typo.
    if (parts.length === 1 && n === 0) break;
  }
  return parts.join(strings.duration.separator);
}
