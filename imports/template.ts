import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { CIRCUMSTANCES, CIRCUMSTANCE_CODES } from '../domain/circumstances.js';
import { IMPORT_COLUMNS } from './columns.js';

const UTF8_BOM = '\uFEFF';
/** Rows of the template that carry drop-down lists and text formatting. */
const TEMPLATE_ROWS = 5000;

/** The header row alone; the BOM makes Excel open the Chinese headers as UTF-8. */
export function csvTemplate(): Buffer {
  return Buffer.from(UTF8_BOM + stringify([IMPORT_COLUMNS.map((column) => column.header)]), 'utf8');
}

const requiredText = {
  always: '必填 required',
  'when-key-names-no-court': '密钥未绑定法院时必填 required unless the key names a court',
  no: '选填 optional',
} as const;

/**
 * A workbook a clerk can fill in: identifier columns are text (so Excel keeps
 * all 18 characters), kind and circumstance are drop-down lists, and a second
 * sheet explains every column.
 */
export async function xlsxTemplate(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('失信被执行人');
  sheet.columns = IMPORT_COLUMNS.map((column) => ({
    header: column.header,
    key: column.key,
    width: Math.max(14, column.header.length * 2 + 4),
    style: column.key === 'debtorIdNumber' || column.key === 'legalRepIdNumber' || column.key === 'caseNumber' ? { numFmt: '@' } : {},
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];

  const guide = workbook.addWorksheet('填写说明');
  guide.columns = [
    { header: '列名 Column', width: 24 },
    { header: '是否必填 Required', width: 30 },
    { header: '说明', width: 60 },
    { header: 'Notes', width: 60 },
  ];
  for (const column of IMPORT_COLUMNS) guide.addRow([column.header, requiredText[column.required], column.guideZh, column.guideEn]);
  guide.addRow([]);
  guide.addRow(['失信情形 Circumstances']);
  for (const code of CIRCUMSTANCE_CODES) guide.addRow([String(CIRCUMSTANCES[code].item), code, CIRCUMSTANCES[code].zh, CIRCUMSTANCES[code].en]);
  guide.getRow(1).font = { bold: true };

  const kinds = IMPORT_COLUMNS.findIndex((column) => column.key === 'debtorKind') + 1;
  const circumstances = IMPORT_COLUMNS.findIndex((column) => column.key === 'circumstance') + 1;
  const circumstanceList = `'填写说明'!$B$${IMPORT_COLUMNS.length + 4}:$B$${IMPORT_COLUMNS.length + 3 + CIRCUMSTANCE_CODES.length}`;
  for (let row = 2; row <= TEMPLATE_ROWS; row += 1) {
    sheet.getCell(row, kinds).dataValidation = { type: 'list', allowBlank: true, formulae: ['"自然人,法人或其他组织"'] };
    sheet.getCell(row, circumstances).dataValidation = { type: 'list', allowBlank: true, formulae: [circumstanceList] };
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
