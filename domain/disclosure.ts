/**
 * Who sees a debtor's identifier in full. Every caller of the JSON API that
 * may see the listing at all does: the court, the coordinating office, and a
 * department for the subjects of its own tasks (its systems apply the
 * measures by that number, and each such disclosure is logged). Pages,
 * emails, logs and workflow payloads show it masked or not at all.
 */
import type { Role } from './access.js';

const KEEP_START = 6;
const KEEP_END = 4;
const SHORT_KEEP_END = 2;

/**
 * Hides the middle of an identifier: `640104********123X`. The first six characters (region or
 * registration authority) and the last four are enough to tell two records apart by eye. A string too
 * short to keep both ends keeps only its last two characters, and one of three or fewer characters is
 * hidden entirely, so no short value is ever shown whole.
 */
export function maskIdentifier(s: string): string {
  const characters = Array.from(s);
  const length = characters.length;
  if (length > KEEP_START + KEEP_END) {
    return characters.slice(0, KEEP_START).join('') + '*'.repeat(length - KEEP_START - KEEP_END) + characters.slice(-KEEP_END).join('');
  }
  if (length > SHORT_KEEP_END + 1) {
    return '*'.repeat(length - SHORT_KEEP_END) + characters.slice(-SHORT_KEEP_END).join('');
  }
  return '*'.repeat(length);
}

// Resident ID numbers (17 digits and a check character) and unified social credit codes (18 characters).
const IDENTIFIER = /(?<![0-9A-Za-z])(?:\d{17}[\dXx]|[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10})(?![0-9A-Za-z])/g;

/** Free text typed by people (notes, references) may quote an identifier; it is masked like any other. */
export function maskIdentifiersIn(text: string): string {
  return text.replace(IDENTIFIER, (identifier) => maskIdentifier(identifier));
}

/** Where an identifier is shown. */
export type Audience = { channel: 'api'; role: Role } | { channel: 'page' } | { channel: 'email' };

/** What a channel is: the JSON API speaks to one caller's system; pages and emails are read by people. */
export type Channel = Audience['channel'];

const seesInFull = (audience: Audience) => audience.channel === 'api';

export function disclosedIdentifier(audience: Audience, idNumber: string): string {
  return seesInFull(audience) ? idNumber : maskIdentifier(idNumber);
}

/** Text people typed (notes, references, actors): shown whole through the API, with identifiers masked on pages. */
export function disclosedText(audience: Audience, text: string): string {
  return audience.channel === 'api' ? text : maskIdentifiersIn(text);
}

/** Fields that hold identifiers: log lines censor them whole, whatever their depth. */
export const IDENTIFIER_FIELDS = ['idNumber', 'debtorIdNumber', 'legalRepIdNumber'] as const;
