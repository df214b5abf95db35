import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';

/** A cell as the file holds it: XLSX keeps numbers apart from text, CSV has text only. */
export type RawCell = string | number | null;

export interface SheetRow {
  /** The row number a spreadsheet program shows; the header is row 1. */
  row: number;
  cells: RawCell[];
}

export interface Sheet {
  headers: string[];
  rows: SheetRow[];
}

export type SheetFormat = 'csv' | 'xlsx';

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Why a file could not be read at all, as opposed to a row that breaks a rule. */
export class UnreadableSheet extends Error {}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);

/** XLSX files are ZIP archives; anything else is read as CSV. */
export function sniffFormat(file: Buffer): SheetFormat {
  if (file.subarray(0, 4).equals(OLE_MAGIC)) {
    throw new UnreadableSheet('This is an Excel 97–2003 (.xls) file: save it as .xlsx or .csv and upload again.');
  }
  return file.subarray(0, 4).equals(ZIP_MAGIC) ? 'xlsx' : 'csv';
}

export async function readSheet(file: Buffer, format: SheetFormat = sniffFormat(file)): Promise<Sheet> {
  const grid = format === 'xlsx' ? await xlsxGrid(file) : csvGrid(file);
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

function csvGrid(file: Buffer): SheetRow[] {
  let records: string[][];
  try {
    records = parseCsv(decodeText(file), { bom: true, relax_column_count: true, skip_empty_lines: false }) as string[][];
  } catch (error) {
    throw new UnreadableSheet(`The CSV file cannot be read: ${(error as Error).message}`);
  }
  return records.map((cells, index) => ({ row: index + 1, cells }));
}

async function xlsxGrid(file: Buffer): Promise<SheetRow[]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(file as unknown as ArrayBuffer);
  } catch (error) {
    throw new UnreadableSheet(`The XLSX file cannot be read: ${(error as Error).message}`);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new UnreadableSheet('The XLSX file has no worksheet.');
  const rows: SheetRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: RawCell[] = [];
    for (let column = 1; column <= row.cellCount; column += 1) cells.push(cellValue(row.getCell(column).value));
    rows.push({ row: rowNumber, cells });
  });
  return rows;
}

/** The value a clerk sees in a cell, whatever Excel stores behind it. */
function cellValue(value: ExcelJS.CellValue): RawCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('formula' in value || 'sharedFormula' in value) return cellValue((value as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
  if ('hyperlink' in value) return value.text;
  if ('error' in value) return value.error;
  return null;
}
