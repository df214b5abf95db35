import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import zhCN from './i18n/zh-CN.json' with { type: 'json' };
import en from './i18n/en.json' with { type: 'json' };

const views = fileURLToPath(new URL('./templates', import.meta.url));

// HTML parts escape every value; plain-text parts must not, or a debtor named
// "A&B" would read "A&amp;B".
const html = new Eta({ views, autoEscape: true, autoTrim: false, cache: true });
const text = new Eta({ views, autoEscape: false, autoTrim: false, cache: true });

export type MailLocale = 'zh-CN' | 'en';
export type MailStrings = typeof zhCN;

/** The words of each language; a department's `locale` picks one, Simplified Chinese by default. */
export const MAIL_STRINGS: Record<MailLocale, MailStrings> = { 'zh-CN': zhCN, en };

export function mailStrings(locale: string | null | undefined): MailStrings {
  return locale === 'en' ? MAIL_STRINGS.en : MAIL_STRINGS['zh-CN'];
}

/** Fills `{name}` placeholders. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

/** Renders `<name>-html.eta` and `<name>-text.eta` with the same data. */
export function renderMail(name: string, subject: string, data: Record<string, unknown>): RenderedMail {
  const it = { ...data, subject };
  return { subject, html: html.render(`./${name}-html`, it), text: text.render(`./${name}-text`, it) };
}

const formatters: Record<MailLocale, Intl.DateTimeFormat> = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }),
  en: new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false }),
};

/** Deadlines are shown in Beijing time, the time the departments work in. */
export function formatChinaTime(at: Date, locale: MailLocale = 'zh-CN'): string {
  return `${formatters[locale].format(at)}${MAIL_STRINGS[locale].timeZoneNote}`;
}
