import { describe, expect, it } from 'vitest';
import { IMPORT_COLUMNS, circumstanceOf, columnOfField, columnOfHeader, debtorKindOf } from '../../imports/columns.js';
import { decodeText, sniffFormat, UnreadableSheet } from '../../imports/read-sheet.js';
import { columnLetter, sheetToRequests } from '../../imports/sheet-to-requests.js';

describe('the column layout', () => {
  it('knows each column by its Chinese header, its field name and common spellings, whatever the width of brackets and spaces', () => {
    expect(columnOfHeader('未履行金额（元）')?.key).toBe('obligationAmountYuan');
    expect(columnOfHeader(' 未履行金额 (元) ')?.key).toBe('obligationAmountYuan');
    expect(columnOfHeader('debtor.idNumber')?.key).toBe('debtorIdNumber');
    expect(columnOfHeader('统一社会信用代码')?.key).toBe('debtorIdNumber');
    expect(columnOfHeader('备注')).toBeUndefined();
    expect(new Set(IMPORT_COLUMNS.flatMap((c) => [c.header, ...c.aliases]).map((h) => columnOfHeader(h)?.key)).size).toBe(IMPORT_COLUMNS.length);
  });

  it('maps an API field back to the column that fills it', () => {
    expect(columnOfField('debtor.idNumber')?.header).toBe('证件号码');
    expect(columnOfField('debtor.legalRepresentative')?.header).toBe('法定代表人或负责人');
    expect(columnOfField('nothing')).toBeUndefined();
  });

  it('reads debtor kinds and circumstances the way clerks write them', () => {
    expect(['自然人', '个人', 'individual'].map(debtorKindOf)).toEqual(['individual', 'individual', 'individual']);
    expect(['法人或其他组织', '单位', 'Entity'].map(debtorKindOf)).toEqual(['entity', 'entity', 'entity']);
    expect(debtorKindOf('公司')).toBeUndefined();
    expect(['1', '第一项', '一', 'refuses-despite-ability', '有履行能力而拒不履行生效法律文书确定义务的', '有履行能力而拒不履行生效法律文书确定义务'].map(circumstanceOf)).toEqual(
      Array(6).fill('refuses-despite-ability'),
    );
    expect(circumstanceOf('6')).toBe('breaches-settlement');
    expect(circumstanceOf('7')).toBeUndefined();
  });

  it('names spreadsheet columns by letter', () => {
    expect([0, 25, 26, 27, 701, 702].map(columnLetter)).toEqual(['A', 'Z', 'AA', 'AB', 'ZZ', 'AAA']);
  });
});

describe('reading a file', () => {
  it('tells XLSX from CSV by content and refuses the old binary format', () => {
    expect(sniffFormat(Buffer.from('案号\n'))).toBe('csv');
    expect(sniffFormat(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0]))).toBe('xlsx');
    expect(() => sniffFormat(Buffer.from([0xd0, 0xcf, 0x11, 0xe0]))).toThrow(UnreadableSheet);
  });

  it('reads UTF-8, and GB 18030 when the bytes are not UTF-8', () => {
    expect(decodeText(Buffer.from('案号', 'utf8'))).toBe('案号');
    expect(decodeText(Buffer.from([0xb0, 0xb8, 0xba, 0xc5]))).toBe('案号');
  });

  it('reports a value under a column without a header, and skips blank rows', () => {
    const headers = IMPORT_COLUMNS.map((column) => column.header);
    const { errors } = sheetToRequests({ headers: [...headers, ''], rows: [{ row: 2, cells: [...headers.map(() => ''), 'x'] }] });
    expect(errors).toEqual([expect.objectContaining({ row: 1, column: columnLetter(headers.length), rule: 'unnamed-column' })]);
  });
});
