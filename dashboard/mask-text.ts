import { maskIdentifier } from '../domain/mask.js';

// Resident ID numbers (17 digits and a check character) and unified social credit codes (18 characters).
const IDENTIFIER = /(?<![0-9A-Za-z])(?:\d{17}[\dXx]|[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10})(?![0-9A-Za-z])/g;

/** Free text typed by people (notes, references) may quote an identifier; it is masked like any other. */
export function maskIdentifiersIn(text: string): string {
  return text.replace(IDENTIFIER, (identifier) => maskIdentifier(identifier));
}
