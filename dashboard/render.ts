import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import { formatDuration, formatInstant } from './format.js';
import { DEFAULT_LOCALE, fill, labelOf, stringsFor, type Locale } from './i18n.js';

const views = fileURLToPath(new URL('./views', import.meta.url));
const eta = new Eta({ views, autoEscape: true, cache: true });

/** What every template can use besides its own data: the language's strings and formatters. */
function helpers(locale: Locale) {
  const strings = stringsFor(locale);
  return {
    lang: locale,
    s: strings,
    fill,
    label: labelOf,
    time: (at: string | Date | null | undefined) => formatInstant(locale, at),
    duration: (seconds: number) => formatDuration(strings, seconds),
  };
}

/**
 * Renders a view (or the layout, given `body`) in the shared look. Without a
 * `lang` it renders in Simplified Chinese, so pages outside the signed-in
 * dashboard can reuse the layout with their own data only.
 */
export function renderPage(view: string, data: Record<string, unknown>): string {
  const locale = data.lang === 'en' ? 'en' : DEFAULT_LOCALE;
  return eta.render(`./${view}`, { ...helpers(locale), ...data });
}
