import { invalid } from './errors.js';

/**
 * Opaque page cursors for keyset paging: the sort key of a page's last row,
 * base64url-encoded. A client passes it back unchanged; only a cursor this
 * service wrote decodes, anything else is a 400 naming `cursor`.
 */
export type CursorPart = 'instant' | 'code' | 'uuid';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const partIsValid: Record<CursorPart, (value: string) => boolean> = {
  instant: (value) => {
    const at = new Date(value);
    return !Number.isNaN(at.getTime()) && at.toISOString() === value;
  },
  code: (value) => /^[A-Za-z0-9._-]{1,40}$/.test(value),
  uuid: (value) => UUID.test(value),
};

export function encodeCursor(parts: readonly (Date | string)[]): string {
  return Buffer.from(parts.map((part) => (part instanceof Date ? part.toISOString() : part)).join('|')).toString('base64url');
}

/** The parts of a cursor written by encodeCursor for rows sorted by `shape`. */
export function decodeCursor(cursor: string, shape: readonly CursorPart[]): string[] {
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const valid = /^[A-Za-z0-9_-]+$/.test(cursor) && parts.length === shape.length && shape.every((kind, index) => partIsValid[kind](parts[index]!));
  if (!valid) throw invalid('Bad cursor.', [{ field: 'cursor', message: 'use the nextCursor of a previous page' }]);
  return parts;
}
