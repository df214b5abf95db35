import zhCN from './i18n/zh-CN.json' with { type: 'json' };
import en from './i18n/en.json' with { type: 'json' };

export type Locale = 'zh-CN' | 'en';
export type Strings = typeof zhCN;

export const DEFAULT_LOCALE: Locale = 'zh-CN';

/** Typed against the Chinese file, so a key missing from the English one fails the type check. */
const STRINGS: Record<Locale, Strings> = { 'zh-CN': zhCN, en };

export function isLocale(value: unknown): value is Locale {
  return value === 'zh-CN' || value === 'en';
}

export function stringsFor(locale: Locale): Strings {
  return STRINGS[locale];
}

/** Fills `{name}` placeholders; an unknown name stays visible rather than vanishing. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** A label from a string table keyed by codes, or the code itself when the table has none. */
export function labelOf(table: Record<string, string>, code: string): string {
  return Object.hasOwn(table, code) ? table[code]! : code;
}
