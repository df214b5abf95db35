import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SHEET_LIMITS, readSheet, UnreadableSheet, type SheetLimits } from '../../imports/read-sheet.js';
import { columnName, rowXml, sheetXmlOf, workbookParts, zipOf } from '../support/xlsx-parts.js';

const limits: SheetLimits = { ...DEFAULT_SHEET_LIMITS, maxRows: 5, maxColumns: 20, maxUnpackedBytes: 1024 * 1024 };

async function refusal(file: Buffer, given = limits): Promise<UnreadableSheet> {
  const error = await readSheet(file, 'xlsx', given).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(UnreadableSheet);
  return error as UnreadableSheet;
}

describe('an XLSX file is read within limits, as a stream', () => {
  it('refuses a part that inflates past the budget, having inflated no more than the budget', async () => {
    // 16 MB of spaces inside the worksheet deflate to about 16 KB.
    const padding = Buffer.alloc(16 * 1024 * 1024, 0x20);
    const sheet = Buffer.concat([Buffer.from(sheetXmlOf([rowXml(1, ['案号'])]).replace('<sheetData>', '<sheetData>')), padding]);
    const bomb = zipOf(workbookParts(sheet));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    const error = await refusal(bomb);
    expect(error.rule).toBe('max-unpacked-size');
    expect(error.message).toMatch(/unpacks to more than 1 MB/);
    // Nothing near the 16 MB was kept.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 * 1024 * 1024);
  });

  it('refuses a part whose declared size is over the budget before inflating it', async () => {
    const sheet = sheetXmlOf([rowXml(1, ['案号']), ...Array.from({ length: 3 }, (_, index) => rowXml(index + 2, ['x'.repeat(600_000)]))]);
    expect((await refusal(zipOf(workbookParts(sheet)))).rule).toBe('max-unpacked-size');
  });

  it('refuses a value beyond the last column allowed, without walking the columns before it', async () => {
    const farRight = `<row r="2"><c r="A2" t="inlineStr"><is><t>a</t></is></c><c r="XFD2" t="inlineStr"><is><t>far</t></is></c></row>`;
    const error = await refusal(zipOf(workbookParts(sheetXmlOf([rowXml(1, ['案号']), farRight]))));
    expect(error.rule).toBe('max-columns');
    expect(error.message).toMatch(/Row 2 has a value in column 16384; .* at most 20 columns/);
  });

  it('keeps formatted empty cells far to the right out of the row', async () => {
    const formatted = `<row r="2"><c r="A2" t="inlineStr"><is><t>a</t></is></c><c r="XFD2" s="1"/></row>`;
    const sheet = await readSheet(zipOf(workbookParts(sheetXmlOf([rowXml(1, ['案号']), formatted]))), 'xlsx', limits);
    expect(sheet.rows).toEqual([{ row: 2, cells: ['a'] }]);
  });

  it('stops at the first row past the limit and reads no further', async () => {
    const rows = [rowXml(1, ['案号']), ...Array.from({ length: limits.maxRows + 1 }, (_, index) => rowXml(index + 2, [`row ${index}`]))];
    // What follows the row past the limit is not XML: a reader that went on would call the file unreadable.
    const sheet = sheetXmlOf(rows).replace('</sheetData>', '<row r="99"><c <<< not xml');
    const error = await refusal(zipOf(workbookParts(sheet)));
    expect(error.rule).toBe('max-rows');
    expect(error.message).toBe('The file has more than 5 rows; split it into files of at most 5.');
  });

  it('counts blank rows out of the limit', async () => {
    const rows = [rowXml(1, ['案号']), ...Array.from({ length: limits.maxRows }, (_, index) => rowXml(index + 2, ['x'])), rowXml(20, ['  '])];
    const sheet = await readSheet(zipOf(workbookParts(sheetXmlOf(rows))), 'xlsx', limits);
    expect(sheet.rows).toHaveLength(limits.maxRows);
  });

  it('refuses an archive of more parts than a spreadsheet has', async () => {
    const parts = [...workbookParts(sheetXmlOf([rowXml(1, ['案号'])])), ...Array.from({ length: 20 }, (_, index) => ({ name: `junk/${index}.xml`, content: '<a/>' }))];
    expect((await refusal(zipOf(parts), { ...limits, maxEntries: 10 })).rule).toBe('max-parts');
  });

  it('refuses a CSV file wider or longer than the limits', async () => {
    const wide = Buffer.from(`案号\na${','.repeat(30)}far\n`);
    await expect(readSheet(wide, 'csv', limits)).rejects.toMatchObject({ rule: 'max-columns' });
    const long = Buffer.from(['案号', ...Array.from({ length: 6 }, (_, index) => `r${index}`)].join('\n'));
    await expect(readSheet(long, 'csv', limits)).rejects.toMatchObject({ rule: 'max-rows', message: 'The file has 6 rows; split it into files of at most 5.' });
  });
});

describe('what a spreadsheet program writes is read as a clerk sees it', () => {
  it('reads shared and rich text, numbers, dates, booleans, formulas, hyperlinks and errors', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('名单');
    sheet.addRow(['案号', '数额', '日期', '布尔', '公式', '链接', '富文本', '错误']);
    sheet.addRow([
      '（2026）宁01执1号',
      1234.5,
      new Date(Date.UTC(2026, 11, 1)),
      true,
      { formula: 'B2*2', result: 2469 },
      { text: '说明', hyperlink: 'https://example.org' },
      { richText: [{ text: '宁夏' }, { text: '某某', font: { bold: true } }] },
      { error: '#N/A' },
    ]);
    sheet.getCell(`${columnName(12)}3`).value = '第三行';
    const read = await readSheet(Buffer.from(await workbook.xlsx.writeBuffer()), 'xlsx');
    expect(read.headers).toEqual(['案号', '数额', '日期', '布尔', '公式', '链接', '富文本', '错误']);
    expect(read.rows).toEqual([
      { row: 2, cells: ['（2026）宁01执1号', 1234.5, '2026-12-01', 'TRUE', 2469, '说明', '宁夏某某', '#N/A'] },
      { row: 3, cells: [null, null, null, null, null, null, null, null, null, null, null, '第三行'] },
    ]);
  });
});
