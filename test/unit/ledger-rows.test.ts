import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { feedbackOf, ledgerRowOf, ledgerSummaryOf, onTime, type LedgerTaskRecord } from '../../app/ledger-rows.js';
import { LEDGER_COLUMNS, chinaText, ledgerCsv } from '../../app/ledger-sheets.js';
import { ledgerQuerySchema } from '../../app/ledger.js';

const at = (local: string) => new Date(`${local}+08:00`);
const NOW = at('2026-11-20T12:00:00');
const ID = '11010519491231002X';

function record(overrides: Partial<LedgerTaskRecord> = {}): LedgerTaskRecord {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    listingId: '00000000-0000-4000-8000-0000000000aa',
    caseNumber: '（2026）宁01执1号',
    courtCode: 'NX-YC-01',
    debtorName: '李四',
    departmentCode: 'D05',
    departmentName: '某部门',
    kind: 'impose',
    measures: ['M01', 'M02', 'M03'],
    status: 'pending',
    createdAt: at('2026-11-02T09:00:00'),
    acknowledgeDueAt: at('2026-11-03T17:00:00'),
    acknowledgedAt: null,
    acknowledgedBy: null,
    completeDueAt: at('2026-11-25T17:00:00'),
    completedAt: null,
    completedBy: null,
    reference: null,
    feedback: null,
    escalationLevel: 0,
    openDeadlineAt: at('2026-11-03T17:00:00'),
    declinedAt: null,
    declinedBy: null,
    declineReason: null,
    suggestedDepartmentCode: null,
    reassignedFromId: null,
    reassignedFromDepartmentCode: null,
    reassignedToId: null,
    reassignedToDepartmentCode: null,
    verifiedAt: null,
    verifiedBy: null,
    sentBackCount: 0,
    grantedUntil: null,
    grantedReason: null,
    requestedUntil: null,
    requestedReason: null,
    ...overrides,
  };
}

describe('on time', () => {
  const due = at('2026-11-10T17:00:00');
  it('done by the deadline is yes, after it no, whatever the task owes now', () => {
    expect(onTime(due, due, false, NOW)).toBe('yes');
    expect(onTime(new Date(due.getTime() + 1), due, false, NOW)).toBe('no');
  });
  it('not done: no once the deadline passed while the task owed it, else no verdict yet', () => {
    expect(onTime(null, due, true, NOW)).toBe('no');
    expect(onTime(null, at('2026-11-30T17:00:00'), true, NOW)).toBe('open');
    expect(onTime(null, due, false, NOW)).toBe('open');
  });
});

describe('feedback', () => {
  it('a phrase per measure with its reference or detail, then the counts and what is missing', () => {
    const feedback = feedbackOf(['M01', 'M02', 'M03'], [
      { measure: 'M01', result: 'applied', reference: '京执〔2026〕1号' },
      { measure: 'M02', result: 'no-record', detail: `查无 ${ID}` },
    ]);
    expect(feedback).toMatchObject({ applied: 1, notApplicable: 0, noRecord: 1, missing: 1 });
    expect(feedback!.summary).toBe('M01 已执行 (京执〔2026〕1号)；M02 无记录：查无 110105********002X（已执行 1，不适用 0，无记录 1，未反馈 1）');
  });
  it('nothing reported is null; malformed entries are passed over', () => {
    expect(feedbackOf(['M01'], null)).toBeNull();
    expect(feedbackOf(['M01'], [])).toBeNull();
    expect(feedbackOf(['M01'], [{ result: 'applied' }, 'M01'])).toBeNull();
    expect(feedbackOf(['M01'], [{ measure: 'M01', result: 'odd' }])!.summary).toBe('M01 odd（已执行 0，不适用 0，无记录 0）');
  });
});

describe('a ledger row', () => {
  it('holds no identifier, and masks those quoted in text people typed', () => {
    const row = ledgerRowOf(record({ status: 'declined', declinedAt: at('2026-11-03T10:00:00'), declinedBy: '王五', declineReason: `${ID} 非本部门`, reference: `文号 ${ID}`, openDeadlineAt: null }), NOW);
    expect(JSON.stringify(row)).not.toContain(ID);
    expect(row.declined).toEqual({ at: '2026-11-03T02:00:00.000Z', by: '王五', reason: '110105********002X 非本部门', suggestedDepartmentCode: null });
    expect(row.reference).toBe('文号 110105********002X');
  });
  it('is overdue while its open deadline has passed', () => {
    expect(ledgerRowOf(record(), NOW)).toMatchObject({ overdue: true, acknowledgedOnTime: 'no', completedOnTime: 'open' });
    expect(ledgerRowOf(record({ openDeadlineAt: null, status: 'cancelled' }), NOW)).toMatchObject({ overdue: false, acknowledgedOnTime: 'open' });
  });
  it('shows the granted extension in force rather than a pending request', () => {
    const both = record({ grantedUntil: at('2026-11-28T17:00:00'), grantedReason: '档案在外地', requestedUntil: at('2026-12-05T17:00:00'), requestedReason: '再延' });
    expect(ledgerRowOf(both, NOW).extension).toEqual({ status: 'granted', until: '2026-11-28T09:00:00.000Z', reason: '档案在外地' });
    expect(ledgerRowOf(record({ requestedUntil: at('2026-12-05T17:00:00'), requestedReason: '再延' }), NOW).extension).toEqual({ status: 'requested', until: '2026-12-05T09:00:00.000Z', reason: '再延' });
  });
});

describe('the summary', () => {
  it('counts per department in code order, and in total', () => {
    const rows = [
      record({ departmentCode: 'D07', departmentName: '七' }),
      record({ departmentCode: 'D05', status: 'verified', acknowledgedAt: at('2026-11-02T10:00:00'), completedAt: at('2026-11-04T10:00:00'), verifiedAt: at('2026-11-05T10:00:00'), feedback: [{ measure: 'M01', result: 'applied' }], openDeadlineAt: null }),
      record({ departmentCode: 'D05', status: 'reassigned', declinedAt: at('2026-11-02T10:00:00'), openDeadlineAt: null }),
    ].map((task) => ledgerRowOf(task, NOW));
    const { summary, totals } = ledgerSummaryOf(rows);
    expect(summary.map((line) => line.departmentCode)).toEqual(['D05', 'D07']);
    expect(summary[0]).toEqual({ departmentCode: 'D05', departmentName: '某部门', tasks: 2, acknowledgedOnTime: 1, completed: 1, completedOnTime: 1, completedWithFeedback: 1, verified: 1, declined: 1, overdue: 0 });
    expect(totals).toEqual({ tasks: 3, acknowledgedOnTime: 1, completed: 1, completedOnTime: 1, completedWithFeedback: 1, verified: 1, declined: 1, overdue: 1 });
  });
});

describe('the files', () => {
  it('CSV: a BOM, the Chinese headers, China time to the minute', async () => {
    const csv = await ledgerCsv([ledgerRowOf(record(), NOW)]);
    expect(csv.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const [header, row] = parse(csv, { bom: true }) as string[][];
    expect(header).toEqual(LEDGER_COLUMNS.map((column) => column.header));
    const cell = (name: string) => row![header!.indexOf(name)];
    expect([cell('下发时间'), cell('签收时间'), cell('状态'), cell('任务类型'), cell('措施'), cell('当前逾期')]).toEqual(['2026-11-02 09:00', '', '待签收', '惩戒', 'M01、M02、M03', '是']);
  });
  it('China time crosses the date line of UTC', () => {
    expect(chinaText('2026-10-31T16:30:00.000Z')).toBe('2026-11-01 00:30');
  });
});

describe('the query', () => {
  it('json by default; a department code in capitals', () => {
    expect(ledgerQuerySchema.parse({ departmentCode: ' d05 ' })).toEqual({ departmentCode: 'D05', format: 'json' });
  });
  it('names the field: a date that is not one, `to` before `from`, unknown fields', () => {
    const fields = (query: unknown) => ledgerQuerySchema.safeParse(query).error?.issues.map((issue) => issue.path.join('.'));
    expect(fields({ from: '2026-02-29' })).toEqual(['from']);
    expect(fields({ from: '2026-11-02', to: '2026-11-01' })).toEqual(['to']);
    expect(fields({ from: '2026-11-01', to: '2026-11-01' })).toBeUndefined();
    expect(fields({ department: 'D05' })).toEqual(['']);
  });
});
