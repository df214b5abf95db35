import path from 'node:path';
import type { Readable } from 'node:stream';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { openXlsxArchive, type ArchiveLimits, type XlsxArchive } from './xlsx-archive.js';
import { UnreadableSheet } from './unreadable-sheet.js';
import type { RawCell, SheetRow } from './sheet-row.js';

/**
 * The first worksheet of an XLSX file, read as a stream of rows: the XML is
 * parsed as it is inflated, a row with a value beyond `maxColumns` is refused
 * where it stands, and reading stops at the first row past `maxRows`. So a
 * file's cost is bounded by the limits, not by what it claims to hold.
 */
export interface XlsxLimits extends ArchiveLimits {
  /** Data rows (not blank) after the header. */
  maxRows: number;
  maxColumns: number;
}

type TagHandlers = {
  open?: (tag: SaxesTagPlain) => void;
  close?: (name: string) => void;
  text?: (text: string) => void;
};

/** Feeds an entry through a SAX parser; an error thrown by a handler stops the read there. */
async function parseEntry(archive: XlsxArchive, name: string, handlers: TagHandlers): Promise<void> {
  const stream: Readable = await archive.open(name);
  stream.setEncoding('utf8');
  const parser = new SaxesParser();
  if (handlers.open) parser.on('opentag', handlers.open);
  if (handlers.close) parser.on('closetag', (tag) => handlers.close!(tag.name));
  if (handlers.text) parser.on('text', handlers.text);
  try {
    for await (const chunk of stream) parser.write(chunk as string);
    parser.close();
  } catch (error) {
    stream.destroy();
    if (error instanceof UnreadableSheet) throw error;
    throw new UnreadableSheet(`The XLSX file cannot be read: ${(error as Error).message}`);
  }
}

const attribute = (tag: SaxesTagPlain, name: string): string | undefined => tag.attributes[name];

/** The relationship id attribute, whatever prefix its namespace was given. */
function relationshipId(tag: SaxesTagPlain): string | undefined {
  const key = Object.keys(tag.attributes).find((name) => name.endsWith(':id'));
  return key === undefined ? undefined : tag.attributes[key];
}

interface WorkbookParts {
  sheet: string;
  sharedStrings: string | undefined;
  styles: string | undefined;
  date1904: boolean;
}

async function workbookParts(archive: XlsxArchive): Promise<WorkbookParts> {
  let firstSheetRel: string | undefined;
  let date1904 = false;
  await parseEntry(archive, 'xl/workbook.xml', {
    open(tag) {
      if (tag.name === 'sheet' && firstSheetRel === undefined) firstSheetRel = relationshipId(tag);
      if (tag.name === 'workbookPr') date1904 = ['1', 'true'].includes(attribute(tag, 'date1904') ?? '');
    },
  });
  const targets = new Map<string, { type: string; target: string }>();
  await parseEntry(archive, 'xl/_rels/workbook.xml.rels', {
    open(tag) {
      const id = attribute(tag, 'Id');
      const target = attribute(tag, 'Target');
      if (tag.name === 'Relationship' && id && target) targets.set(id, { type: attribute(tag, 'Type') ?? '', target });
    },
  });
  const resolve = (target: string) => (target.startsWith('/') ? target.slice(1) : path.posix.normalize(path.posix.join('xl', target)));
  const ofType = (suffix: string) => [...targets.values()].find((rel) => rel.type.endsWith(suffix));
  const sheet = firstSheetRel === undefined ? undefined : targets.get(firstSheetRel);
  if (!sheet) throw new UnreadableSheet('The XLSX file has no worksheet.');
  const sharedStrings = ofType('/sharedStrings');
  const styles = ofType('/styles');
  return {
    sheet: resolve(sheet.target),
    sharedStrings: sharedStrings && resolve(sharedStrings.target),
    styles: styles && resolve(styles.target),
    date1904,
  };
}

/** Each shared string's text; phonetic guides (`rPh`) are not part of what a clerk typed. */
async function sharedStrings(archive: XlsxArchive, name: string | undefined): Promise<string[]> {
  const strings: string[] = [];
  if (!name || !archive.has(name)) return strings;
  let current: string[] | null = null;
  let inText = false;
  let inPhonetic = false;
  await parseEntry(archive, name, {
    open(tag) {
      if (tag.name === 'si') current = [];
      else if (tag.name === 'rPh') inPhonetic = true;
      else if (tag.name === 't') inText = !inPhonetic;
    },
    text(text) {
      if (inText && current) current.push(text);
    },
    close(tagName) {
      if (tagName === 'si' && current) {
        strings.push(current.join(''));
        current = null;
      } else if (tagName === 'rPh') inPhonetic = false;
      else if (tagName === 't') inText = false;
    },
  });
  return strings;
}

/** Built-in number formats that show dates, in any locale Excel ships (ECMA-376 §18.8.30 and the CJK ids). */
const BUILT_IN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

/** A format code shows a date when, outside quoted text and [brackets], it has date or time letters. */
const isDateFormatCode = (code: string) => /[ymdhsb]/i.test(code.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));

/** Which cell style indexes (`s`) show their number as a date. */
async function dateStyles(archive: XlsxArchive, name: string | undefined): Promise<Set<number>> {
  const dates = new Set<number>();
  if (!name || !archive.has(name)) return dates;
  const customDateFormats = new Set<number>();
  let inCellXfs = false;
  let index = 0;
  await parseEntry(archive, name, {
    open(tag) {
      if (tag.name === 'numFmt' && isDateFormatCode(attribute(tag, 'formatCode') ?? '')) customDateFormats.add(Number(attribute(tag, 'numFmtId')));
      else if (tag.name === 'cellXfs') inCellXfs = true;
      else if (tag.name === 'xf' && inCellXfs) {
        const formatId = Number(attribute(tag, 'numFmtId') ?? 0);
        if (BUILT_IN_DATE_FORMATS.has(formatId) || customDateFormats.has(formatId)) dates.add(index);
        index += 1;
      }
    },
    close(tagName) {
      if (tagName === 'cellXfs') inCellXfs = false;
    },
  });
  return dates;
}

/** `AB12` → 28; 0 when the reference has no column. */
function columnOf(reference: string): number {
  let column = 0;
  for (const char of reference) {
    const code = char.charCodeAt(0);
    if (code < 65 || code > 90) break;
    column = column * 26 + (code - 64);
  }
  return column;
}

/** Excel's serial day to the date a clerk sees (the 1900 system counts a 29 February that never was). */
function serialToIsoDate(serial: number, date1904: boolean): string {
  const days = date1904 ? serial + 1462 : serial;
  return new Date(Math.round((days - 25569) * 86_400_000)).toISOString().slice(0, 10);
}

const isBlankCell = (cell: RawCell | undefined) => cell === null || cell === undefined || (typeof cell === 'string' && cell.trim() === '');

export async function readXlsxRows(file: Buffer, limits: XlsxLimits): Promise<SheetRow[]> {
  const archive = await openXlsxArchive(file, limits);
  try {
    const parts = await workbookParts(archive);
    const strings = await sharedStrings(archive, parts.sharedStrings);
    const dates = await dateStyles(archive, parts.styles);

    const rows: SheetRow[] = [];
    let dataRows = 0;
    let rowNumber = 0;
    let cells: RawCell[] | null = null;
    let cell: { column: number; type: string; style: number; text: string[]; inValue: boolean } | null = null;
    let lastColumn = 0;

    const valueOf = (type: string, style: number, text: string): RawCell => {
      if (type === 's') return strings[Number(text)] ?? null;
      if (type === 'inlineStr' || type === 'str' || type === 'e') return text;
      if (type === 'b') return text === '1' ? 'TRUE' : 'FALSE';
      if (type === 'd') return text.slice(0, 10);
      if (text.trim() === '') return null;
      const number = Number(text);
      if (Number.isNaN(number)) return text;
      return dates.has(style) ? serialToIsoDate(number, parts.date1904) : number;
    };

    await parseEntry(archive, parts.sheet, {
      open(tag) {
        if (tag.name === 'row') {
          rowNumber = Number(attribute(tag, 'r') ?? rowNumber + 1);
          cells = [];
          lastColumn = 0;
        } else if (tag.name === 'c' && cells) {
          const reference = attribute(tag, 'r');
          const column = reference ? columnOf(reference) : lastColumn + 1;
          lastColumn = column;
          cell = { column, type: attribute(tag, 't') ?? 'n', style: Number(attribute(tag, 's') ?? 0), text: [], inValue: false };
        } else if (cell && (tag.name === 'v' || (tag.name === 't' && cell.type === 'inlineStr'))) {
          cell.inValue = true;
        }
      },
      text(text) {
        if (cell?.inValue) cell.text.push(text);
      },
      close(name) {
        if (cell && (name === 'v' || name === 't')) cell.inValue = false;
        else if (name === 'c' && cell && cells) {
          const value = valueOf(cell.type, cell.style, cell.text.join(''));
          // A formatted but empty cell far to the right is harmless; a value there is not.
          if (value !== null) {
            if (cell.column > limits.maxColumns) {
              throw new UnreadableSheet(`Row ${rowNumber} has a value in column ${cell.column}; a listing spreadsheet has at most ${limits.maxColumns} columns.`, 'max-columns');
            }
            while (cells.length < cell.column - 1) cells.push(null);
            cells[cell.column - 1] = value;
          }
          cell = null;
        } else if (name === 'row' && cells) {
          if (cells.length > 0) {
            const isData = rows.length > 0;
            if (isData && !cells.every(isBlankCell)) dataRows += 1;
            if (dataRows > limits.maxRows) {
              throw new UnreadableSheet(`The file has more than ${limits.maxRows} rows; split it into files of at most ${limits.maxRows}.`, 'max-rows');
            }
            rows.push({ row: rowNumber, cells });
          }
          cells = null;
        }
      },
    });
    return rows;
  } finally {
    archive.close();
  }
}
