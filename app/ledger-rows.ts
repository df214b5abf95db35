import { maskIdentifiersIn } from '../domain/disclosure.js';

/**
 * The coordinating office's ledger (台账), one row per department task:
 * pure shaping of what the read model holds into what the office files.
 * Debtor identifiers are never part of it; text people typed (reasons,
 * references, feedback details) has any identifier it quotes masked, since
 * a ledger travels as a file.
 */

/** A task as the ledger reads it: the task, its listing and department, and what surrounds it. */
export interface LedgerTaskRecord {
  id: string;
  listingId: string;
  caseNumber: string;
  courtCode: string;
  debtorName: string;
  departmentCode: string;
  departmentName: string;
  kind: string;
  measures: string[];
  status: string;
  createdAt: Date;
  acknowledgeDueAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  completeDueAt: Date;
  completedAt: Date | null;
  completedBy: string | null;
  reference: string | null;
  feedback: unknown;
  escalationLevel: number;
  openDeadlineAt: Date | null;
  declinedAt: Date | null;
  declinedBy: string | null;
  declineReason: string | null;
  suggestedDepartmentCode: string | null;
  reassignedFromId: string | null;
  reassignedFromDepartmentCode: string | null;
  reassignedToId: string | null;
  reassignedToDepartmentCode: string | null;
  verifiedAt: Date | null;
  verifiedBy: string | null;
  sentBackCount: number;
  /** The latest granted extension of the task, if any. */
  grantedUntil: Date | null;
  grantedReason: string | null;
  /** The latest request for more time still awaiting an answer, if any. */
  requestedUntil: Date | null;
  requestedReason: string | null;
}

/** Met the deadline (yes), missed it (no), or no verdict: not due yet, or the task ended without owing it. */
export type OnTime = 'yes' | 'no' | 'open';

export const FEEDBACK_RESULT_LABELS: Record<string, string> = { applied: '已执行', 'not-applicable': '不适用', 'no-record': '无记录' };

export interface LedgerFeedback {
  /** One phrase per measure, e.g. "M01 已执行 (京执〔2026〕12号)", then the counts. */
  summary: string;
  applied: number;
  notApplicable: number;
  noRecord: number;
  /** Measures of the task the department reported nothing for. */
  missing: number;
  entries: { measure: string; result: string; reference: string | null; detail: string | null }[];
}

export interface LedgerExtension {
  /** granted: the deadline moved to `until`; requested: awaiting the office's answer. */
  status: 'granted' | 'requested';
  until: string;
  reason: string;
}

export type LedgerRow = ReturnType<typeof ledgerRowOf>;

/** Statuses in which a task still owes its acknowledgment, or its completion. */
const OWES_ACKNOWLEDGMENT = new Set(['pending']);
const OWES_COMPLETION = new Set(['pending', 'acknowledged']);

export function onTime(doneAt: Date | null, dueAt: Date, stillOwed: boolean, now: Date): OnTime {
  if (doneAt) return doneAt.getTime() <= dueAt.getTime() ? 'yes' : 'no';
  return stillOwed && dueAt.getTime() < now.getTime() ? 'no' : 'open';
}

const masked = (text: string | null): string | null => (text === null ? null : maskIdentifiersIn(text));

export function ledgerRowOf(task: LedgerTaskRecord, now: Date) {
  return {
    taskId: task.id,
    listingId: task.listingId,
    caseNumber: task.caseNumber,
    courtCode: task.courtCode,
    debtorName: task.debtorName,
    departmentCode: task.departmentCode,
    departmentName: task.departmentName,
    kind: task.kind,
    measures: task.measures,
    status: task.status,
    dispatchedAt: task.createdAt.toISOString(),
    acknowledgeDueAt: task.acknowledgeDueAt.toISOString(),
    acknowledgedAt: task.acknowledgedAt?.toISOString() ?? null,
    acknowledgedBy: masked(task.acknowledgedBy),
    acknowledgedOnTime: onTime(task.acknowledgedAt, task.acknowledgeDueAt, OWES_ACKNOWLEDGMENT.has(task.status), now),
    completeDueAt: task.completeDueAt.toISOString(),
    completedAt: task.completedAt?.toISOString() ?? null,
    completedBy: masked(task.completedBy),
    completedOnTime: onTime(task.completedAt, task.completeDueAt, OWES_COMPLETION.has(task.status), now),
    reference: masked(task.reference),
    feedback: feedbackOf(task.measures, task.feedback),
    escalationLevel: task.escalationLevel,
    extension: extensionOf(task),
    declined: task.declinedAt
      ? { at: task.declinedAt.toISOString(), by: masked(task.declinedBy), reason: masked(task.declineReason), suggestedDepartmentCode: task.suggestedDepartmentCode }
      : null,
    reassignedFrom: task.reassignedFromId ? { taskId: task.reassignedFromId, departmentCode: task.reassignedFromDepartmentCode } : null,
    reassignedTo: task.reassignedToId ? { taskId: task.reassignedToId, departmentCode: task.reassignedToDepartmentCode } : null,
    verifiedAt: task.verifiedAt?.toISOString() ?? null,
    verifiedBy: masked(task.verifiedBy),
    sentBackCount: task.sentBackCount,
    overdue: task.openDeadlineAt !== null && task.openDeadlineAt.getTime() < now.getTime(),
  };
}

/** A granted extension is the one in force; a pending request shows only while none was granted. */
function extensionOf(task: LedgerTaskRecord): LedgerExtension | null {
  if (task.grantedUntil) return { status: 'granted', until: task.grantedUntil.toISOString(), reason: maskIdentifiersIn(task.grantedReason ?? '') };
  if (task.requestedUntil) return { status: 'requested', until: task.requestedUntil.toISOString(), reason: maskIdentifiersIn(task.requestedReason ?? '') };
  return null;
}

const textOrNull = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? maskIdentifiersIn(value.trim()) : null);

/** What the department reported per measure; null when it reported nothing (the column stays empty). */
export function feedbackOf(measures: string[], feedback: unknown): LedgerFeedback | null {
  if (!Array.isArray(feedback) || feedback.length === 0) return null;
  const entries = feedback
    .filter((entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null && typeof (entry as { measure?: unknown }).measure === 'string')
    .map((entry) => ({ measure: String(entry.measure), result: String(entry.result ?? ''), reference: textOrNull(entry.reference), detail: textOrNull(entry.detail) }));
  if (entries.length === 0) return null;
  const count = (result: string) => entries.filter((entry) => entry.result === result).length;
  const reported = new Set(entries.map((entry) => entry.measure));
  const counts = { applied: count('applied'), notApplicable: count('not-applicable'), noRecord: count('no-record'), missing: measures.filter((measure) => !reported.has(measure)).length };
  const phrases = entries.map((entry) => `${entry.measure} ${FEEDBACK_RESULT_LABELS[entry.result] ?? entry.result}${entry.reference ? ` (${entry.reference})` : ''}${entry.detail ? `：${entry.detail}` : ''}`);
  const tally = `已执行 ${counts.applied}，不适用 ${counts.notApplicable}，无记录 ${counts.noRecord}${counts.missing > 0 ? `，未反馈 ${counts.missing}` : ''}`;
  return { summary: `${phrases.join('；')}（${tally}）`, ...counts, entries };
}

/** The summary sheet's figures, per department and in total. */
export interface LedgerFigures {
  tasks: number;
  acknowledgedOnTime: number;
  completed: number;
  completedOnTime: number;
  completedWithFeedback: number;
  verified: number;
  declined: number;
  overdue: number;
}

export interface DepartmentFigures extends LedgerFigures {
  departmentCode: string;
  departmentName: string;
}

const noFigures = (): LedgerFigures => ({ tasks: 0, acknowledgedOnTime: 0, completed: 0, completedOnTime: 0, completedWithFeedback: 0, verified: 0, declined: 0, overdue: 0 });

function add(figures: LedgerFigures, row: LedgerRow): void {
  figures.tasks += 1;
  if (row.acknowledgedOnTime === 'yes') figures.acknowledgedOnTime += 1;
  if (row.completedAt) figures.completed += 1;
  if (row.completedOnTime === 'yes') figures.completedOnTime += 1;
  if (row.completedAt && row.feedback) figures.completedWithFeedback += 1;
  if (row.verifiedAt) figures.verified += 1;
  if (row.declined) figures.declined += 1;
  if (row.overdue) figures.overdue += 1;
}

/** One line per department that has a row, in code order, and the totals. */
export function ledgerSummaryOf(rows: LedgerRow[]): { summary: DepartmentFigures[]; totals: LedgerFigures } {
  const byDepartment = new Map<string, DepartmentFigures>();
  const totals = noFigures();
  for (const row of rows) {
    let figures = byDepartment.get(row.departmentCode);
    if (!figures) byDepartment.set(row.departmentCode, (figures = { departmentCode: row.departmentCode, departmentName: row.departmentName, ...noFigures() }));
    add(figures, row);
    add(totals, row);
  }
  const summary = [...byDepartment.values()].sort((a, b) => (a.departmentCode < b.departmentCode ? -1 : a.departmentCode > b.departmentCode ? 1 : 0));
  return { summary, totals };
}
