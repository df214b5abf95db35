/**
 * Text that PostgreSQL and the audit hash can store: no NUL character (a
 * PostgreSQL text value cannot hold one) and no unpaired UTF-16 surrogate
 * (not valid Unicode; canonical JSON refuses it).
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}

/** Free text from mail or forms: unstorable characters are dropped rather than refused. */
export function storableText(value: string): string {
  return value.replace(new RegExp(UNSTORABLE.source, 'g'), '');
}
