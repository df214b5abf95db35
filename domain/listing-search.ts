/**
 * What the listing search (GET /api/listings?q=) may match. Courts and the
 * coordinating office find a listing by the debtor's identifier. A department
 * may not: its people see identifiers masked (`640104********123X` hides
 * exactly the birth date), and a search that answered "found" for the right
 * guess would confirm one in a few thousand tries, unlogged. A department's
 * systems look an identifier up through the restriction check, which answers
 * only for the department's own measures and logs every identifier it
 * discloses; the search matches case numbers and names only.
 */
import type { Role } from './access.js';

export const mayFindByIdentifier = (role: Role): boolean => role !== 'department';

/** Six digits in a row and no Chinese character: an identifier or a piece of one, never a name or a case number's usual parts. */
const IDENTIFIER_LIKE = /\d{6,}/;
const HAN = /\p{Script=Han}/u;

/** Why `q` is refused for this role, or null: a department is told where identifiers are looked up instead. */
export function identifierSearchRefusal(role: Role, q: string): string | null {
  if (mayFindByIdentifier(role) || !IDENTIFIER_LIKE.test(q) || HAN.test(q)) return null;
  return 'a department does not search listings by identifier: look it up with GET /api/restrictions/check?idNumber= (each lookup is logged), then read the listing it names';
}
