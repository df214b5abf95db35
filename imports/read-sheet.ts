import { parse as parseCsv } from 'csv-parse/sync';
import type { RawCell, SheetRow } from './sheet-row.js';
import { UnreadableSheet } from './unreadable-sheet.js';
import { readXlsxRows } from './xlsx-rows.js';

export type { RawCell, SheetRow } from './sheet-row.js';
export { UnreadableSheet } from './unreadable-sheet.js';

export interface Sheet {
  headers: string[];
  rows: SheetRow[];
}

export type SheetFormat = 'csv' | 'xlsx';

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * What one file may cost to read. A court's yearly list fits many times over
 * in each; the spreadsheet template has 13 columns.
 */
export interface SheetLimits {
  /** Data rows after the header. */
  maxRows: number;
  maxColumns: number;
  /** What an XLSX archive may inflate to, all parts together. */
  maxUnpackedBytes: number;
  /** Parts of an XLSX archive; Excel writes about a dozen. */
  maxEntries: number;
}

export const DEFAULT_SHEET_LIMITS: SheetLimits = { maxRows: 10_000, maxColumns: 64, maxUnpackedBytes: 64 * 1024 * 1024, maxEntries: 1_000 };

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);

/** XLSX files are ZIP archives; anything else is read as CSV. */
export function sniffFormat(file: Buffer): SheetFormat {
  if (file.subarray(0, 4).equals(OLE_MAGIC)) {
    throw new UnreadableSheet('This is an Excel 97–2003 (.xls) file: save it as .xlsx or .csv and upload again.');
  }
  return file.subarray(0, 4).equals(ZIP_MAGIC) ? 'xlsx' : 'csv';
}

export async function readSheet(file: Buffer, format: SheetFormat = sniffFormat(file), limits: SheetLimits = DEFAULT_SHEET_LIMITS): Promise<Sheet> {
  const grid = format === 'xlsx' ? await readXlsxRows(file, limits) : csvGrid(file, limits);
  const [header, ...rows] = grid;
  if (!header || header.cells.every(isBlank)) throw new UnreadableSheet('The file has no header row: the first row must name the columns.');
  return {
    headers: header.cells.map((cell) => (cell === null ? '' : String(cell).trim())),
    rows: rows.filter((row) => !row.cells.every(isBlank)),
  };
}

export const isBlank = (cell: RawCell | undefined) => cell === null || cell === undefined || (typeof cell === 'string' && cell.trim() === '');

/**
 * Excel on a Chinese system saves CSV in GB 18030 unless told otherwise;
 * a file that is not valid UTF-8 is read as GB 18030.
 */
export function decodeText(file: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(file);
  } catch {
    return new TextDecoder('gb18030').decode(file);
  }
}

/** A CSV file is no larger than the upload, so it is parsed whole and then held to the same limits. */
function csvGrid(file: Buffer, limits: SheetLimits): SheetRow[] {
  let records: string[][];
  try {
    records = parseCsv(decodeText(file), { bom: true, relax_column_count: true, skip_empty_lines: false }) as string[][];
  } catch (error) {
    throw new UnreadableSheet(`The CSV file cannot be read: ${(error as Error).message}`);
  }
  const rows = records.map((cells, index) => ({ row: index + 1, cells }));
  const wide = rows.find((row) => row.cells.findLastIndex((cell) => !isBlank(cell)) >= limits.maxColumns);
  if (wide) {
    throw new UnreadableSheet(`Row ${wide.row} has a value in column ${wide.cells.findLastIndex((cell) => !isBlank(cell)) + 1}; a listing spreadsheet has at most ${limits.maxColumns} columns.`, 'max-columns');
  }
  const dataRows = rows.slice(1).filter((row) => !row.cells.every(isBlank)).length;
  if (dataRows > limits.maxRows) {
    throw new UnreadableSheet(`The file has ${dataRows} rows; split it into files of at most ${limits.maxRows}.`, 'max-rows');
  }
  return rows;
}
