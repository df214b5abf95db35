import { PassThrough } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { formatLocalDate, chinaCalendarDate, toChinaWallClock } from '../domain/china-time.js';
import type { DepartmentFigures, LedgerFigures, LedgerRow, OnTime } from './ledger-rows.js';

/**
 * The ledger as files the office opens in a spreadsheet program: Chinese
 * headers, China time, 是/否. CSV and XLSX share one column table, so the
 * two never disagree on a column.
 */

export const KIND_LABELS: Record<string, string> = { impose: '惩戒', lift: '解除', correct: '更正' };
export const STATUS_LABELS: Record<string, string> = {
  pending: '待签收',
  acknowledged: '已签收',
  completed: '已办结',
  verified: '已销号',
  declined: '已退回',
  reassigned: '已改派',
  cancelled: '已取消',
};
const ON_TIME_LABELS: Record<OnTime, string> = { yes: '是', no: '否', open: '—' };
const yesNo = (value: boolean) => (value ? '是' : '否');

/** A cell before it is written: an instant (ISO), text or a number. */
type Cell = { instant: string | null } | string | number | null;

interface LedgerColumn {
  header: string;
  /** The JSON row's field the column shows. */
  key: string;
  width: number;
  value: (row: LedgerRow) => Cell;
}

const instant = (value: string | null): Cell => ({ instant: value });

function extensionText(extension: LedgerRow['extension']): string | null {
  if (!extension) return null;
  return `${extension.status === 'granted' ? '已批准' : '申请中'}，延至 ${chinaText(extension.until)}${extension.reason ? `：${extension.reason}` : ''}`;
}

function declinedText(declined: LedgerRow['declined']): string | null {
  if (!declined) return null;
  return `${declined.reason ?? ''}${declined.suggestedDepartmentCode ? `（建议改派 ${declined.suggestedDepartmentCode}）` : ''}`;
}

export const LEDGER_COLUMNS: readonly LedgerColumn[] = [
  { header: '案号', key: 'caseNumber', width: 24, value: (row) => row.caseNumber },
  { header: '执行法院', key: 'courtCode', width: 14, value: (row) => row.courtCode },
  { header: '被执行人', key: 'debtorName', width: 24, value: (row) => row.debtorName },
  { header: '部门代码', key: 'departmentCode', width: 10, value: (row) => row.departmentCode },
  { header: '部门', key: 'departmentName', width: 22, value: (row) => row.departmentName },
  { header: '任务类型', key: 'kind', width: 10, value: (row) => KIND_LABELS[row.kind] ?? row.kind },
  { header: '措施', key: 'measures', width: 22, value: (row) => row.measures.join('、') },
  { header: '状态', key: 'status', width: 10, value: (row) => STATUS_LABELS[row.status] ?? row.status },
  { header: '下发时间', key: 'dispatchedAt', width: 17, value: (row) => instant(row.dispatchedAt) },
  { header: '签收期限', key: 'acknowledgeDueAt', width: 17, value: (row) => instant(row.acknowledgeDueAt) },
  { header: '签收时间', key: 'acknowledgedAt', width: 17, value: (row) => instant(row.acknowledgedAt) },
  { header: '签收人', key: 'acknowledgedBy', width: 14, value: (row) => row.acknowledgedBy },
  { header: '按时签收', key: 'acknowledgedOnTime', width: 10, value: (row) => ON_TIME_LABELS[row.acknowledgedOnTime] },
  { header: '办结期限', key: 'completeDueAt', width: 17, value: (row) => instant(row.completeDueAt) },
  { header: '办结时间', key: 'completedAt', width: 17, value: (row) => instant(row.completedAt) },
  { header: '办结人', key: 'completedBy', width: 14, value: (row) => row.completedBy },
  { header: '按时办结', key: 'completedOnTime', width: 10, value: (row) => ON_TIME_LABELS[row.completedOnTime] },
  { header: '办理文号', key: 'reference', width: 18, value: (row) => row.reference },
  { header: '反馈', key: 'feedback', width: 48, value: (row) => row.feedback?.summary ?? null },
  { header: '督办级别', key: 'escalationLevel', width: 10, value: (row) => row.escalationLevel },
  { header: '延期', key: 'extension', width: 36, value: (row) => extensionText(row.extension) },
  { header: '退回', key: 'declined', width: 32, value: (row) => declinedText(row.declined) },
  { header: '改派自', key: 'reassignedFrom', width: 10, value: (row) => row.reassignedFrom?.departmentCode ?? null },
  { header: '改派至', key: 'reassignedTo', width: 10, value: (row) => row.reassignedTo?.departmentCode ?? null },
  { header: '销号时间', key: 'verifiedAt', width: 17, value: (row) => instant(row.verifiedAt) },
  { header: '销号人', key: 'verifiedBy', width: 14, value: (row) => row.verifiedBy },
  { header: '发回次数', key: 'sentBackCount', width: 10, value: (row) => row.sentBackCount },
  { header: '当前逾期', key: 'overdue', width: 10, value: (row) => yesNo(row.overdue) },
  { header: '任务编号', key: 'taskId', width: 38, value: (row) => row.taskId },
  { header: '名单编号', key: 'listingId', width: 38, value: (row) => row.listingId },
];

interface SummaryColumn {
  header: string;
  key: keyof DepartmentFigures;
  width: number;
}

export const SUMMARY_COLUMNS: readonly SummaryColumn[] = [
  { header: '部门代码', key: 'departmentCode', width: 10 },
  { header: '部门', key: 'departmentName', width: 24 },
  { header: '任务数', key: 'tasks', width: 10 },
  { header: '按时签收', key: 'acknowledgedOnTime', width: 10 },
  { header: '已办结', key: 'completed', width: 10 },
  { header: '按时办结', key: 'completedOnTime', width: 10 },
  { header: '办结并反馈', key: 'completedWithFeedback', width: 12 },
  { header: '已销号', key: 'verified', width: 10 },
  { header: '已退回', key: 'declined', width: 10 },
  { header: '当前逾期', key: 'overdue', width: 10 },
];

export const LEDGER_SHEET = '台账';
export const SUMMARY_SHEET = '汇总';
export const TOTAL_LABEL = '合计';

/** An instant as China wall-clock text to the minute: `2026-11-03 14:05`. */
export function chinaText(iso: string): string {
  const at = new Date(iso);
  const wall = toChinaWallClock(at);
  return `${formatLocalDate(chinaCalendarDate(at))} ${String(wall.getUTCHours()).padStart(2, '0')}:${String(wall.getUTCMinutes()).padStart(2, '0')}`;
}

const UTF8_BOM = '\uFEFF';

/** Rows written between two turns of the event loop: a large ledger does not stall other requests, and written parts are freed. */
const ROWS_PER_TURN = 1_000;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** UTF-8 with a byte order mark, so Excel reads the Chinese headers right. */
export async function ledgerCsv(rows: LedgerRow[]): Promise<Buffer> {
  const text = (cell: Cell) => (cell === null ? '' : typeof cell === 'object' ? (cell.instant === null ? '' : chinaText(cell.instant)) : String(cell));
  const parts = [Buffer.from(UTF8_BOM + stringify([LEDGER_COLUMNS.map((column) => column.header)]), 'utf8')];
  for (let start = 0; start < rows.length; start += ROWS_PER_TURN) {
    if (start > 0) await nextTurn();
    const records = rows.slice(start, start + ROWS_PER_TURN).map((row) => LEDGER_COLUMNS.map((column) => text(column.value(row))));
    parts.push(Buffer.from(stringify(records), 'utf8'));
  }
  return Buffer.concat(parts);
}

const DATE_FORMAT = 'yyyy-mm-dd hh:mm';

/**
 * Two sheets: 台账, one row per task (header bold, frozen and filtered;
 * instants as Excel dates in China time), and 汇总, one row per department
 * and the totals. Written row by row: a range of many thousand tasks does
 * not hold every cell in memory.
 */
export async function ledgerXlsx(rows: LedgerRow[], summary: DepartmentFigures[], totals: LedgerFigures): Promise<Buffer> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    output.on('end', resolve);
    output.on('error', reject);
  });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: true });

  const ledger = workbook.addWorksheet(LEDGER_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  ledger.columns = LEDGER_COLUMNS.map((column) => ({ key: column.key, width: column.width }));
  ledger.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: LEDGER_COLUMNS.length } };
  headerRow(ledger, LEDGER_COLUMNS.map((column) => column.header));
  for (const [index, row] of rows.entries()) {
    if (index > 0 && index % ROWS_PER_TURN === 0) await nextTurn();
    const written = ledger.addRow([]);
    LEDGER_COLUMNS.forEach((column, index) => {
      const value = column.value(row);
      const cell = written.getCell(index + 1);
      if (value !== null && typeof value === 'object') {
        if (value.instant === null) return;
        cell.value = toChinaWallClock(new Date(value.instant));
        cell.numFmt = DATE_FORMAT;
      } else if (value !== null) {
        cell.value = value;
      }
    });
    written.commit();
  }
  ledger.commit();

  const figures = workbook.addWorksheet(SUMMARY_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  figures.columns = SUMMARY_COLUMNS.map((column) => ({ key: column.key, width: column.width }));
  headerRow(figures, SUMMARY_COLUMNS.map((column) => column.header));
  for (const line of summary) figures.addRow(SUMMARY_COLUMNS.map((column) => line[column.key])).commit();
  const total = figures.addRow([TOTAL_LABEL, '', ...SUMMARY_COLUMNS.slice(2).map((column) => totals[column.key as keyof LedgerFigures])]);
  total.font = { bold: true };
  total.commit();
  figures.commit();

  await workbook.commit();
  await finished;
  return Buffer.concat(chunks);
}

function headerRow(sheet: ExcelJS.Worksheet, headers: string[]): void {
  const row = sheet.addRow(headers);
  row.font = { bold: true };
  row.commit();
}
