import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';

const views = fileURLToPath(new URL('./templates', import.meta.url));

// HTML parts escape every value; plain-text parts must not, or a debtor named
// "A&B" would read "A&amp;B".
const html = new Eta({ views, autoEscape: true, autoTrim: false, cache: true });
const text = new Eta({ views, autoEscape: false, autoTrim: false, cache: true });

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

const chinaTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** Deadlines are shown in Beijing time, the time the departments work in. */
export function formatChinaTime(at: Date): string {
  return `${chinaTime.format(at)}（北京时间）`;
}
