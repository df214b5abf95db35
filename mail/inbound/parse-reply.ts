import { storableText } from '../../domain/text.js';
import { convert } from 'html-to-text';

/**
 * Reads the command out of a reply to a task email. Only the text the sender
 * wrote counts: the quoted original (which itself mentions every command) and
 * the signature are cut off first.
 */
export type ReplyAction = 'acknowledge' | 'complete';

/** "延期 2026-12-20" / "EXTEND 2026-12-20" on the first line asks for more time; the lines after it give the reason. */
export type ParsedReply = { action: ReplyAction; note: string | undefined } | { action: 'extend'; until: string; note: string | undefined } | { action: null };

const EXTEND = /^(?:延期|EXTEND)\s*[:：]?\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/u;

export const NOTE_MAX_LENGTH = 2000;

const COMMANDS: Record<string, ReplyAction> = {
  确认: 'acknowledge',
  ACK: 'acknowledge',
  CONFIRM: 'acknowledge',
  完成: 'complete',
  DONE: 'complete',
};

// Not question marks: "完成？" asks rather than reports.
const TRAILING_PUNCTUATION = /[\s.!,;:~。！，；：、～…]+$/u;

/** A line from which on everything is the quoted original. */
const QUOTE_STARTS: RegExp[] = [
  /^>/,
  /^-{2,}\s*(Original Message|原始邮件|原邮件|Forwarded message|转发邮件)\s*-{2,}$/i,
  /^[-_=]{10,}$/, // Outlook's rule above the header block
  /^(发件人|寄件者|發件人)\s*[:：]/,
];

/** Clients wrap "On <date>, <name> <address> wrote:" over two lines when it is long. */
const ATTRIBUTION_OPENINGS = [/^On\s/i, /^在/];
const ATTRIBUTION_ENDINGS = [/\bwrote\s*:\s*$/i, /写道\s*[:：]\s*$/];

/** Outlook's English header block: "From: …" directly followed by Sent/Date/To. */
const HEADER_BLOCK_FROM = /^From\s*:/i;
const HEADER_BLOCK_NEXT = /^(Sent|Date|To|Subject|发送时间|收件人)\s*[:：]/i;

/** Signature delimiters (RFC 3676 "-- ", often stripped to "--") and mobile footers. */
const SIGNATURE_STARTS: RegExp[] = [/^--\s*$/, /^Sent from my\s/i, /^(发自我的|从我的).{0,30}$/];

function isQuoteStart(lines: string[], index: number): boolean {
  const line = lines[index]!.trim();
  if (QUOTE_STARTS.some((pattern) => pattern.test(line))) return true;
  if (ATTRIBUTION_OPENINGS.some((pattern) => pattern.test(line))) {
    const next = lines[index + 1]?.trim() ?? '';
    if (ATTRIBUTION_ENDINGS.some((pattern) => pattern.test(line) || pattern.test(next))) return true;
  }
  if (HEADER_BLOCK_FROM.test(line)) {
    const next = lines.slice(index + 1).find((candidate) => candidate.trim() !== '')?.trim() ?? '';
    if (HEADER_BLOCK_NEXT.test(next)) return true;
  }
  return false;
}

/** The lines the sender wrote, before any quote or signature. */
export function newTextLines(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').replace(/^\uFEFF/, '').split('\n');
  const kept: string[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (isQuoteStart(lines, index) || SIGNATURE_STARTS.some((pattern) => pattern.test(line.trim()))) break;
    kept.push(line.replace(/[\s\u200B]+$/u, ''));
  }
  return kept;
}

function commandOf(line: string): ReplyAction | null {
  const word = line.normalize('NFKC').replace(/[\u200B\uFEFF]/g, '').trim().replace(TRAILING_PUNCTUATION, '').toUpperCase();
  return COMMANDS[word] ?? null;
}

function clip(raw: string): string | undefined {
  const note = storableText(raw);
  if (note === '') return undefined;
  if (note.length <= NOTE_MAX_LENGTH) return note;
  // Never leave half of a surrogate pair at the cut.
  return note.slice(0, NOTE_MAX_LENGTH).replace(/[\uD800-\uDBFF]$/, '').trimEnd();
}

function htmlAsText(html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
    ],
  });
}

/** Plain text first; the HTML part only when the plain text is empty. */
export function parseReply(body: { text?: string | null | undefined; html?: string | null | undefined }): ParsedReply {
  const text = body.text?.trim() ? body.text : body.html ? htmlAsText(body.html) : '';
  const lines = newTextLines(text);
  const first = lines.findIndex((line) => line.trim() !== '');
  if (first === -1) return { action: null };
  const note = clip(lines.slice(first + 1).join('\n').trim());
  const extension = EXTEND.exec(lines[first]!.normalize('NFKC').trim().replace(TRAILING_PUNCTUATION, '').toUpperCase());
  if (extension) {
    const [, year, month, day] = extension;
    return { action: 'extend', until: `${year}-${month!.padStart(2, '0')}-${day!.padStart(2, '0')}`, note };
  }
  const action = commandOf(lines[first]!);
  if (!action) return { action: null };
  return { action, note };
}
