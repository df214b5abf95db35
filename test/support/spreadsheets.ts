// Listings spreadsheets as courts keep them: Chinese headers, one debtor a row.
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { IMPORT_COLUMNS, type ColumnKey } from '../../imports/columns.js';
import { creditCode, residentId } from './fixtures.js';

export type SheetRow = Partial<Record<ColumnKey, string | number>>;

export const HEADERS = IMPORT_COLUMNS.map((column) => column.header);

/**
 * `count` distinct, valid rows for one court: three persons (item 1, no term)
 * for every entity (item 3, two years, with a legal representative).
 */
export function listingRows(count: number, { court = 'NX-YC-01', caseOffset = 0 } = {}): SheetRow[] {
  return Array.from({ length: count }, (_, index) => {
    const n = index + caseOffset;
    const base = { caseNumber: `（2026）宁01执${10_000 + n}号`, courtCode: court, obligationDescription: '支付货款', obligationAmountYuan: 1000 + n };
    return n % 4 === 3
      ? { ...base, debtorKind: '法人或其他组织', debtorName: `宁夏某某商贸有限公司${n}`, debtorIdNumber: creditCode(n), legalRepName: '王五', legalRepIdNumber: residentId('19700101', n % 1000), circumstance: '3', periodYears: 2 }
      : { ...base, debtorKind: '自然人', debtorName: `债务人${n}`, debtorIdNumber: residentId(`1980${String(1 + (Math.floor(n / 1000) % 12)).padStart(2, '0')}01`, n), circumstance: '有履行能力而拒不履行生效法律文书确定义务的', securityProvided: '否', seizedAssetsSufficient: '否' };
  });
}

const cellsOf = (row: SheetRow) => IMPORT_COLUMNS.map((column) => row[column.key] ?? '');

export function toCsv(rows: SheetRow[], headers = HEADERS): Buffer {
  return Buffer.from(stringify([headers, ...rows.map(cellsOf)]), 'utf8');
}

export async function toXlsx(rows: SheetRow[], headers = HEADERS): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('名单');
  sheet.addRow(headers);
  for (const row of rows) sheet.addRow(cellsOf(row));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
