import { IMPORT_COLUMNS, circumstanceOf, columnOfHeader, debtorKindOf,
  yesNoOf, type ColumnKey, type ImportColumn } from './columns.js';
import { isBlank, type RawCell, type Sheet } from './read-sheet.js';

/** One thing wrong with a file: where (row and column, as a spreadsheet shows them) and which rule. */
export interface ImportError {
  row: number;
  column: string;
  /** The request field the column fills. */
  field: string;
  rule: string;
  message: string;
}

/** A row turned into the body of POST /api/listings, not yet checked against the listing rules. */
export interface RowRequest {
  row: number;
  body: Record<string, unknown>;
}

const HEADER_ROW = 1;

/**
 * Maps the header row to columns and every data row to a listing request.
 * What cannot become a request (unknown columns, a missing required column,
 * a word that is not a debtor kind, text where a number belongs) is reported
 * here; the listing rules are checked afterwards on the requests.
 */
export function sheetToRequests(sheet: Sheet): { requests: RowRequest[]; errors: ImportError[] } {
  const errors: ImportError[] = [];
  const columns = new Map<ColumnKey, number>();
  sheet.headers.forEach((header, index) => {
    if (header === '') {
      const filled = sheet.rows.find((row) => !isBlank(row.cells[index]));
      if (filled) errors.push({ row: HEADER_ROW, column: columnLetter(index), field: '(header)', rule: 'unnamed-column', message: `column ${columnLetter(index)} has values (row ${filled.row}) but no header` });
      return;
    }
    const column = columnOfHeader(header);
    if (!column) {
      errors.push({ row: HEADER_ROW, column: header, field: '(header)', rule: 'unknown-column', message: `unknown column "${header}"; the columns are ${IMPORT_COLUMNS.map((known) => known.header).join('、')}` });
    } else if (columns.has(column.key)) {
      errors.push({ row: HEADER_ROW, column: header, field: column.field, rule: 'duplicate-column', message: `"${header}" repeats the column ${column.header}` });
    } else {
      columns.set(column.key, index);
    }
  });
  for (const column of IMPORT_COLUMNS) {
    if (column.required === 'always' && !columns.has(column.key)) {
      errors.push({ row: HEADER_ROW, column: column.header, field: column.field, rule: 'missing-column', message: `the column ${column.header} is required` });
    }
  }
  if (errors.length > 0) return { requests: [], errors };

  const requests: RowRequest[] = [];
  for (const { row, cells } of sheet.rows) {
    const rowErrors: ImportError[] = [];
    const fail = (column: ImportColumn, rule: string, message: string) => rowErrors.push({ row, column: headerOf(sheet, columns, column), field: column.field, rule, message });
    const cell = (key: ColumnKey): RawCell => {
      const index = columns.get(key);
      return index === undefined ? null : (cells[index] ?? null);
    };
    const text = (key: ColumnKey): string | undefined => {
      const value = cell(key);
      if (isBlank(value)) return undefined;
      return String(value).trim();
    };
    /** An 18-character identifier Excel stored as a number has already lost its last digits. */
    const identifier = (key: ColumnKey): string | undefined => {
      const value = cell(key);
      if (typeof value === 'number') {
        fail(columnByKey(key), 'stored-as-number', 'the spreadsheet stored this identifier as a number, which loses its last digits: format the column as text and type it again');
        return undefined;
      }
      return text(key);
    };
    const number = (key: ColumnKey, integer: boolean): number | undefined => {
      const value = cell(key);
      if (isBlank(value)) return undefined;
      const parsed = typeof value === 'number' ? value : Number(String(value).replace(/[,，\s¥￥元年]/g, ''));
      if (!Number.isFinite(parsed) || (integer && !Number.isInteger(parsed))) {
        fail(columnByKey(key), integer ? 'integer' : 'number', `"${String(value)}" is not ${integer ? 'a whole number' : 'a number'}`);
        return undefined;
      }
      return parsed;
    };

    for (const column of IMPORT_COLUMNS) {
      if (column.required === 'always' && isBlank(cell(column.key))) fail(column, 'required', `${column.header} is required`);
    }
    const kindText = text('debtorKind');
    const kind = kindText === undefined ? undefined : debtorKindOf(kindText);
    if (kindText !== undefined && !kind) fail(columnByKey('debtorKind'), 'one-of', `"${kindText}" is not a debtor kind: write 自然人 or 法人或其他组织`);
    const circumstanceText = text('circumstance');
    const circumstance = circumstanceText === undefined ? undefined : circumstanceOf(circumstanceText);
    if (circumstanceText !== undefined && !circumstance) fail(columnByKey('circumstance'), 'one-of', `"${circumstanceText}" is not a circumstance of art. 1: write its item number 1–6 or its text`);

    const idNumber = identifier('debtorIdNumber');
    const legalRepName = text('legalRepName');
    const legalRepIdNumber = identifier('legalRepIdNumber');
    if (kind === 'individual' && (legalRepName !== undefined || legalRepIdNumber !== undefined)) {
      fail(columnByKey(legalRepName !== undefined ? 'legalRepName' : 'legalRepIdNumber'), 'individual-has-no-representative', 'a person has no legal representative: leave the column empty');
    }
    const amountYuan = number('obligationAmountYuan', false);
    const periodYears = number('periodYears', true);
    const yesNo = (key: ColumnKey): boolean | undefined => {
      const value = text(key);
      if (value === undefined) return undefined;
      const answer = yesNoOf(value);
      if (answer === undefined) fail(columnByKey(key), 'yes-no', `"${value}" is neither 是 nor 否`);
      return answer;
    };
    const securityProvided = yesNo('securityProvided');
    const seizedAssetsSufficient = yesNo('seizedAssetsSufficient');

    if (rowErrors.length > 0) {
      // Required cells that are blank were reported once; nothing more to say about this row.
      errors.push(...rowErrors);
      continue;
    }
    const courtCode = text('courtCode');
    const legalRepresentative = legalRepName !== undefined || legalRepIdNumber !== undefined ? { name: legalRepName, idNumber: legalRepIdNumber } : undefined;
    requests.push({
      row,
      body: {
        caseNumber: text('caseNumber'),
        ...(courtCode !== undefined ? { courtCode } : {}),
        debtor: { kind, name: text('debtorName'), idNumber, ...(kind === 'entity' && legalRepresentative ? { legalRepresentative } : {}) },
        circumstance,
        obligation: { description: text('obligationDescription'), ...(amountYuan !== undefined ? { amountYuan } : {}) },
        ...(periodYears !== undefined ? { periodYears } : {}),
        ...(securityProvided !== undefined ? { securityProvided } : {}),
        ...(seizedAssetsSufficient !== undefined ? { seizedAssetsSufficient } : {}),
      },
    });
  }
  return { requests, errors };
}

function columnByKey(key: ColumnKey): ImportColumn {
  return IMPORT_COLUMNS.find((column) => column.key === key)!;
}

/** Errors name the column the way the file does. */
function headerOf(sheet: Sheet, columns: Map<ColumnKey, number>, column: ImportColumn): string {
  const index = columns.get(column.key);
  return index === undefined ? column.header : (sheet.headers[index] ?? column.header);
}

/** A, B, …, Z, AA, … as spreadsheets name columns. */
export function columnLetter(index: number): string {
  let letters = '';
  for (let rest = index + 1; rest > 0; rest = Math.floor((rest - 1) / 26)) letters = String.fromCharCode(65 + ((rest - 1) % 26)) + letters;
  return letters;
}
