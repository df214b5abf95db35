// The coordinating office's ledger (台账) over HTTP, on the real stack: JSON, CSV and XLSX read back cell by cell.
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedgerService } from '../../app/ledger.js';
import { isAppError } from '../../app/errors.js';
import type { Task } from '../../prisma/generated/client.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { creditCode, entityListing, residentId } from '../support/fixtures.js';
import { acknowledgeAndComplete, departmentKeys, list, tasksOf } from '../support/listing-client.js';
import { calmPolicy } from '../support/policies.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEADERS = [
  '案号', '执行法院', '被执行人', '部门代码', '部门', '任务类型', '措施', '状态', '下发时间', '签收期限', '签收时间', '签收人', '按时签收',
  '办结期限', '办结时间', '办结人', '按时办结', '办理文号', '反馈', '督办级别', '延期', '退回', '改派自', '改派至', '销号时间', '销号人',
  '发回次数', '当前逾期', '任务编号', '名单编号',
];
const SUMMARY_HEADERS = ['部门代码', '部门', '任务数', '按时签收', '已办结', '按时办结', '办结并反馈', '已销号', '已退回', '当前逾期'];

/** An instant written in China time. */
const china = (local: string) => new Date(`${local}+08:00`);
/** How an XLSX date cell holds that instant: China wall-clock time, read back as UTC fields. */
const wallClock = (local: string) => new Date(`${local}Z`);

let stack: TestStack;
let supervisor: string;
let departmentNames: Map<string, string>;
/** The debtors' identifiers (and their legal representatives'): none may appear in a ledger. */
const identifiers = [creditCode(501), creditCode(502), creditCode(503), residentId('19700101', 501), residentId('19700101', 502), residentId('19700101', 503)];
const listings: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };
const tasks: Record<'cD06' | 'aD05' | 'aD06' | 'bD05' | 'bD06' | 'bD07' | 'cD05', Task> = {} as never;

function listingBody(n: 501 | 502 | 503, name: string) {
  return entityListing({
    caseNumber: `（2026）宁01执${n}号`,
    debtor: { kind: 'entity', name, idNumber: creditCode(n), legalRepresentative: { name: '张三', idNumber: residentId('19700101', n) } },
  });
}

beforeAll(async () => {
  stack = await startTestStack({ policy: calmPolicy, catalog: twoDepartmentCatalog() });
  const clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  supervisor = await stack.key('supervisor');
  const keyOf = departmentKeys(stack);
  departmentNames = new Map((await stack.prisma.department.findMany()).map((d) => [d.code, d.nameZh]));

  listings.a = await list(stack, clerk, listingBody(501, '宁夏甲建设有限公司'));
  listings.b = await list(stack, clerk, listingBody(502, '宁夏乙商贸有限公司'));
  listings.c = await list(stack, clerk, listingBody(503, '宁夏丙物流有限公司'));
  const [aD05, aD06] = await tasksOf(stack, listings.a, 'impose', 2);
  const [bD05, bD06] = await tasksOf(stack, listings.b, 'impose', 2);
  const [cD05, cD06] = await tasksOf(stack, listings.c, 'impose', 2);

  // Through the API what it offers: acknowledgments and completions.
  await acknowledgeAndComplete(stack, keyOf, [aD05!, bD05!]);
  const acknowledged = await stack.request('POST', `/api/tasks/${aD06!.id}/acknowledge`, { key: await keyOf('D06'), body: { by: 'D06 孙八' } });
  expect(acknowledged.status, JSON.stringify(acknowledged.body)).toBe(200);

  // The rest, and fixed instants, straight into the read model.
  const update = (task: Task, data: Parameters<TestStack['prisma']['task']['update']>[0]['data']) => stack.prisma.task.update({ where: { id: task.id }, data });
  // C·D06, 1 November 00:30 China time (still 31 October in UTC): pending, overdue, escalated twice, asking for more time.
  await update(cD06!, {
    createdAt: china('2026-11-01T00:30:00'),
    acknowledgeDueAt: china('2026-11-04T17:00:00'),
    completeDueAt: china('2026-11-20T17:00:00'),
    openDeadlineAt: china('2026-11-04T17:00:00'),
    escalationLevel: 2,
  });
  await stack.prisma.taskExtension.create({
    data: {
      id: randomUUID(), taskId: cD06!.id, listingId: listings.c, departmentCode: 'D06', deadline: 'acknowledge', previousDueAt: china('2026-11-04T17:00:00'),
      until: china('2026-12-10T17:00:00'), reason: `系统升级，${creditCode(503)} 待核`, requestedBy: 'D06 孙八', requestedAt: china('2026-11-05T09:00:00'),
    },
  });
  // A·D05: on time, feedback for both measures, verified.
  await update(aD05!, {
    createdAt: china('2026-11-02T09:00:00'),
    acknowledgeDueAt: china('2026-11-03T17:00:00'),
    acknowledgedAt: china('2026-11-02T15:00:00'),
    completeDueAt: china('2026-11-09T17:00:00'),
    completedAt: china('2026-11-05T10:00:00'),
    feedback: [
      { measure: aD05!.measures[0]!, result: 'applied', reference: '宁公执〔2026〕7号' },
      { measure: aD05!.measures[1]!, result: 'not-applicable', detail: '无登记' },
    ],
    status: 'verified',
    verifiedAt: china('2026-11-06T09:30:00'),
    verifiedBy: '督办处 赵六',
    openDeadlineAt: null,
  });
  // A·D06: acknowledged late, sent back once, its completion deadline extended twice (the later grant is in force).
  await update(aD06!, {
    createdAt: china('2026-11-02T09:00:00'),
    acknowledgeDueAt: china('2026-11-03T17:00:00'),
    acknowledgedAt: china('2026-11-04T09:00:00'),
    completeDueAt: china('2026-12-15T17:00:00'),
    openDeadlineAt: china('2026-12-15T17:00:00'),
    sentBackCount: 1,
  });
  for (const [until, decidedAt, reason, status] of [
    ['2026-11-20T17:00:00', '2026-11-08T10:00:00', '需调取档案', 'granted'],
    ['2026-12-15T17:00:00', '2026-11-19T10:00:00', '档案在外地，需再延期', 'granted'],
    ['2026-12-31T17:00:00', '2026-11-25T10:00:00', '无正当理由', 'refused'],
  ] as const) {
    await stack.prisma.taskExtension.create({
      data: {
        id: randomUUID(), taskId: aD06!.id, listingId: listings.a, departmentCode: 'D06', deadline: 'complete', previousDueAt: china('2026-11-09T17:00:00'),
        until: china(until), reason, requestedBy: 'D06 孙八', requestedAt: china(decidedAt), status, decidedBy: '督办处 赵六', decidedAt: china(decidedAt),
      },
    });
  }
  // B·D05: acknowledged on time, completed late, no feedback.
  await update(bD05!, {
    createdAt: china('2026-11-10T10:00:00'),
    acknowledgeDueAt: china('2026-11-11T17:00:00'),
    acknowledgedAt: china('2026-11-10T11:00:00'),
    completeDueAt: china('2026-11-17T17:00:00'),
    completedAt: china('2026-11-20T10:00:00'),
  });
  // B·D06: declined as not its own (the reason quotes the debtor's code), reassigned to D07.
  await update(bD06!, {
    createdAt: china('2026-11-10T10:00:00'),
    acknowledgeDueAt: china('2026-11-11T17:00:00'),
    completeDueAt: china('2026-11-17T17:00:00'),
    status: 'reassigned',
    declinedAt: china('2026-11-11T09:00:00'),
    declinedBy: 'D06 钱七',
    declineReason: `不属本部门职责，${creditCode(502)} 无登记`,
    suggestedDepartmentCode: 'D07',
    openDeadlineAt: null,
  });
  const bD07 = await stack.prisma.task.create({
    data: {
      id: randomUUID(), listingId: listings.b, departmentCode: 'D07', kind: 'impose', measures: bD06!.measures, status: 'acknowledged',
      acknowledgeDueAt: china('2026-11-13T17:00:00'), acknowledgedAt: china('2026-11-12T15:00:00'), acknowledgedBy: 'D07 周九',
      completeDueAt: china('2026-12-20T17:00:00'), openDeadlineAt: china('2026-12-20T17:00:00'),
      policy: bD06!.policy as object, reassignedFromId: bD06!.id, createdAt: china('2026-11-12T09:00:00'),
    },
  });
  // C·D05, 1 December 07:00 China time (still 30 November in UTC): outside November.
  await update(cD05!, { createdAt: china('2026-12-01T07:00:00') });

  const reread = async (task: Task) => stack.prisma.task.findUniqueOrThrow({ where: { id: task.id } });
  Object.assign(tasks, {
    cD06: await reread(cD06!), aD05: await reread(aD05!), aD06: await reread(aD06!), bD05: await reread(bD05!), bD06: await reread(bD06!), bD07, cD05: await reread(cD05!),
  });
});
afterAll(async () => stack?.stop());

const NOVEMBER = 'from=2026-11-01&to=2026-11-30';
const inNovember = () => [tasks.cD06, tasks.aD05, tasks.aD06, tasks.bD05, tasks.bD06, tasks.bD07];

async function download(query: string, key = supervisor) {
  const response = await fetch(`${stack.apiUrl}/api/ledger?${query}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

describe('GET /api/ledger as JSON', () => {
  it('one row per task dispatched in the period (China dates), by dispatch time, then department', async () => {
    const response = await stack.request('GET', `/api/ledger?${NOVEMBER}`, { key: supervisor });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('content-disposition')).toBeNull();
    const { from, to, generatedAt, rows, summary, totals } = response.body;
    expect({ from, to }).toEqual({ from: '2026-11-01', to: '2026-11-30' });
    expect(Date.parse(generatedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(rows.map((row: { taskId: string }) => row.taskId)).toEqual(inNovember().map((task) => task.id));

    expect(rows[0]).toMatchObject({
      listingId: listings.c, caseNumber: '（2026）宁01执503号', courtCode: 'NX-YC-01', debtorName: '宁夏丙物流有限公司',
      departmentCode: 'D06', departmentName: departmentNames.get('D06'), kind: 'impose', measures: tasks.cD06.measures, status: 'pending',
      dispatchedAt: '2026-10-31T16:30:00.000Z', acknowledgedAt: null, acknowledgedOnTime: 'no', completedOnTime: 'no', escalationLevel: 2, overdue: true,
      extension: { status: 'requested', until: '2026-12-10T09:00:00.000Z', reason: '系统升级，916401********' + creditCode(503).slice(-4) + ' 待核' },
      feedback: null, declined: null, reassignedFrom: null, reassignedTo: null, verifiedAt: null, sentBackCount: 0,
    });
    expect(rows[1]).toMatchObject({
      departmentCode: 'D05', status: 'verified', acknowledgedOnTime: 'yes', completedOnTime: 'yes', acknowledgedBy: 'staff of D05', reference: 'REF-D05',
      verifiedAt: '2026-11-06T01:30:00.000Z', verifiedBy: '督办处 赵六', overdue: false,
      feedback: {
        summary: `${tasks.aD05.measures[0]} 已执行 (宁公执〔2026〕7号)；${tasks.aD05.measures[1]} 不适用：无登记（已执行 1，不适用 1，无记录 0）`,
        applied: 1, notApplicable: 1, noRecord: 0, missing: 0,
      },
    });
    expect(rows[2]).toMatchObject({
      departmentCode: 'D06', status: 'acknowledged', acknowledgedOnTime: 'no', completedOnTime: 'open', sentBackCount: 1, overdue: false,
      extension: { status: 'granted', until: '2026-12-15T09:00:00.000Z', reason: '档案在外地，需再延期' },
    });
    expect(rows[3]).toMatchObject({ departmentCode: 'D05', status: 'completed', acknowledgedOnTime: 'yes', completedOnTime: 'no', completedAt: '2026-11-20T02:00:00.000Z', feedback: null });
    expect(rows[4]).toMatchObject({
      departmentCode: 'D06', status: 'reassigned', acknowledgedOnTime: 'open', completedOnTime: 'open', overdue: false,
      declined: { at: '2026-11-11T01:00:00.000Z', by: 'D06 钱七', reason: '不属本部门职责，916401********' + creditCode(502).slice(-4) + ' 无登记', suggestedDepartmentCode: 'D07' },
      reassignedTo: { taskId: tasks.bD07.id, departmentCode: 'D07' },
      reassignedFrom: null,
    });
    expect(rows[5]).toMatchObject({ departmentCode: 'D07', status: 'acknowledged', acknowledgedOnTime: 'yes', reassignedFrom: { taskId: tasks.bD06.id, departmentCode: 'D06' }, reassignedTo: null });

    expect(summary).toEqual([
      { departmentCode: 'D05', departmentName: departmentNames.get('D05'), tasks: 2, acknowledgedOnTime: 2, completed: 2, completedOnTime: 1, completedWithFeedback: 1, verified: 1, declined: 0, overdue: 0 },
      { departmentCode: 'D06', departmentName: departmentNames.get('D06'), tasks: 3, acknowledgedOnTime: 0, completed: 0, completedOnTime: 0, completedWithFeedback: 0, verified: 0, declined: 1, overdue: 1 },
      { departmentCode: 'D07', departmentName: departmentNames.get('D07'), tasks: 1, acknowledgedOnTime: 1, completed: 0, completedOnTime: 0, completedWithFeedback: 0, verified: 0, declined: 0, overdue: 0 },
    ]);
    expect(totals).toEqual({ tasks: 6, acknowledgedOnTime: 3, completed: 2, completedOnTime: 1, completedWithFeedback: 1, verified: 1, declined: 1, overdue: 1 });

    // No debtor identifier, not even quoted in what people typed.
    const text = JSON.stringify(response.body);
    for (const identifier of identifiers) expect(text).not.toContain(identifier);
    expect(text).not.toContain('idNumber');
  });

  it('filters by department and kind; an open end reaches as far as there are tasks', async () => {
    const d05 = await stack.request('GET', `/api/ledger?${NOVEMBER}&departmentCode=d05`, { key: supervisor });
    expect(d05.body.rows.map((row: { taskId: string }) => row.taskId)).toEqual([tasks.aD05.id, tasks.bD05.id]);
    expect(d05.body.summary).toHaveLength(1);
    const lifts = await stack.request('GET', `/api/ledger?${NOVEMBER}&kind=lift`, { key: supervisor });
    expect(lifts.body).toMatchObject({ rows: [], summary: [], totals: { tasks: 0 } });
    const december = await stack.request('GET', '/api/ledger?from=2026-12-01', { key: supervisor });
    expect(december.body).toMatchObject({ from: '2026-12-01', to: null });
    expect(december.body.rows.map((row: { taskId: string }) => row.taskId)).toEqual([tasks.cD05.id]);
    const untilOctober = await stack.request('GET', '/api/ledger?to=2026-10-31', { key: supervisor });
    expect(untilOctober.body.rows).toEqual([]);
    const everything = await stack.request('GET', '/api/ledger', { key: supervisor });
    expect(everything.body.rows).toHaveLength(7);
  });
});

describe('GET /api/ledger?format=xlsx', () => {
  it('a workbook: 台账 with a bold, frozen, filtered header and one row per task; 汇总 per department with the totals', async () => {
    const response = await download(`${NOVEMBER}&format=xlsx`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(XLSX);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename=ledger-2026-11-01-2026-11-30.xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.body as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['台账', '汇总']);

    const sheet = workbook.getWorksheet('台账')!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(HEADERS);
    expect(sheet.getRow(1).font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.autoFilter).toBe('A1:AD1');
    expect(sheet.rowCount).toBe(7);
    expect(sheet.getColumn(1).width).toBe(24);
    expect(sheet.getColumn(HEADERS.indexOf('反馈') + 1).width).toBe(48);

    const cell = (row: number, header: string) => sheet.getRow(row).getCell(HEADERS.indexOf(header) + 1);
    const value = (row: number, header: string) => cell(row, header).value ?? null;
    // Row 2: C·D06, pending and overdue.
    expect(value(2, '案号')).toBe('（2026）宁01执503号');
    expect(value(2, '被执行人')).toBe('宁夏丙物流有限公司');
    expect(value(2, '部门代码')).toBe('D06');
    expect(value(2, '部门')).toBe(departmentNames.get('D06'));
    expect(value(2, '任务类型')).toBe('惩戒');
    expect(value(2, '措施')).toBe(tasks.cD06.measures.join('、'));
    expect(value(2, '状态')).toBe('待签收');
    expect(value(2, '下发时间')).toEqual(wallClock('2026-11-01T00:30:00'));
    expect(cell(2, '下发时间').numFmt).toBe('yyyy-mm-dd hh:mm');
    expect(value(2, '签收期限')).toEqual(wallClock('2026-11-04T17:00:00'));
    expect(value(2, '签收时间')).toBeNull();
    expect(value(2, '按时签收')).toBe('否');
    expect(value(2, '督办级别')).toBe(2);
    expect(value(2, '延期')).toBe(`申请中，延至 2026-12-10 17:00：系统升级，916401********${creditCode(503).slice(-4)} 待核`);
    expect(value(2, '当前逾期')).toBe('是');
    expect(value(2, '任务编号')).toBe(tasks.cD06.id);
    expect(value(2, '名单编号')).toBe(listings.c);
    // Row 3: A·D05, verified with feedback.
    expect(value(3, '状态')).toBe('已销号');
    expect(value(3, '签收时间')).toEqual(wallClock('2026-11-02T15:00:00'));
    expect(value(3, '签收人')).toBe('staff of D05');
    expect(value(3, '按时签收')).toBe('是');
    expect(value(3, '办结时间')).toEqual(wallClock('2026-11-05T10:00:00'));
    expect(value(3, '按时办结')).toBe('是');
    expect(value(3, '办理文号')).toBe('REF-D05');
    expect(value(3, '反馈')).toBe(`${tasks.aD05.measures[0]} 已执行 (宁公执〔2026〕7号)；${tasks.aD05.measures[1]} 不适用：无登记（已执行 1，不适用 1，无记录 0）`);
    expect(value(3, '销号时间')).toEqual(wallClock('2026-11-06T09:30:00'));
    expect(value(3, '销号人')).toBe('督办处 赵六');
    expect(value(3, '当前逾期')).toBe('否');
    // Row 4: A·D06, late acknowledgment, extended, sent back once.
    expect(value(4, '按时签收')).toBe('否');
    expect(value(4, '按时办结')).toBe('—');
    expect(value(4, '办结期限')).toEqual(wallClock('2026-12-15T17:00:00'));
    expect(value(4, '延期')).toBe('已批准，延至 2026-12-15 17:00：档案在外地，需再延期');
    expect(value(4, '发回次数')).toBe(1);
    // Row 5: B·D05, completed late.
    expect(value(5, '状态')).toBe('已办结');
    expect(value(5, '按时办结')).toBe('否');
    expect(value(5, '反馈')).toBeNull();
    // Row 6: B·D06 declined and reassigned; row 7 the task that took it over.
    expect(value(6, '状态')).toBe('已改派');
    expect(value(6, '退回')).toBe(`不属本部门职责，916401********${creditCode(502).slice(-4)} 无登记（建议改派 D07）`);
    expect(value(6, '改派至')).toBe('D07');
    expect(value(6, '改派自')).toBeNull();
    expect(value(7, '部门代码')).toBe('D07');
    expect(value(7, '改派自')).toBe('D06');
    expect(value(7, '下发时间')).toEqual(wallClock('2026-11-12T09:00:00'));

    const summary = workbook.getWorksheet('汇总')!;
    const lines = summary.getSheetValues().slice(1).map((row) => (row as unknown[]).slice(1));
    expect(lines).toEqual([
      SUMMARY_HEADERS,
      ['D05', departmentNames.get('D05'), 2, 2, 2, 1, 1, 1, 0, 0],
      ['D06', departmentNames.get('D06'), 3, 0, 0, 0, 0, 0, 1, 1],
      ['D07', departmentNames.get('D07'), 1, 1, 0, 0, 0, 0, 0, 0],
      ['合计', '', 6, 3, 2, 1, 1, 1, 1, 1],
    ]);
    expect(summary.getRow(1).font?.bold).toBe(true);
    expect(summary.getRow(5).font?.bold).toBe(true);

    for (const identifier of identifiers) expect(JSON.stringify(sheet.getSheetValues())).not.toContain(identifier);
  });
});

describe('GET /api/ledger?format=csv', () => {
  it('the same columns with Chinese headers, UTF-8 with a BOM, China time to the minute', async () => {
    const response = await download(`${NOVEMBER}&format=csv`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename=ledger-2026-11-01-2026-11-30.csv');
    expect([...response.body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = parse(response.body, { bom: true }) as string[][];
    expect(header).toEqual(HEADERS);
    expect(rows).toHaveLength(6);
    const records = rows.map((row) => Object.fromEntries(HEADERS.map((name, index) => [name, row[index]])));
    expect(records.map((record) => record['任务编号'])).toEqual(inNovember().map((task) => task.id));
    expect(records[0]).toMatchObject({ 案号: '（2026）宁01执503号', 状态: '待签收', 下发时间: '2026-11-01 00:30', 签收时间: '', 按时签收: '否', 督办级别: '2', 当前逾期: '是' });
    expect(records[1]).toMatchObject({ 状态: '已销号', 签收时间: '2026-11-02 15:00', 办结时间: '2026-11-05 10:00', 按时办结: '是', 销号时间: '2026-11-06 09:30', 销号人: '督办处 赵六' });
    expect(records[2]).toMatchObject({ 按时办结: '—', 延期: '已批准，延至 2026-12-15 17:00：档案在外地，需再延期', 发回次数: '1' });
    expect(records[4]).toMatchObject({ 状态: '已改派', 改派至: 'D07', 改派自: '' });
    expect(records[5]).toMatchObject({ 部门代码: 'D07', 改派自: 'D06', 下发时间: '2026-11-12 09:00' });
    const text = response.body.toString('utf8');
    for (const identifier of identifiers) expect(text).not.toContain(identifier);
  });
});

describe('refusals', () => {
  it.each([
    ['from=2026-13-01', 'from'],
    ['from=2026-02-30', 'from'],
    ['to=01.11.2026', 'to'],
    ['from=2026-11-30&to=2026-11-01', 'to'],
    ['kind=punish', 'kind'],
    ['format=pdf', 'format'],
    ['departmentCode=D%2005', 'departmentCode'],
  ])('400 problem+json naming the field for %s', async (query, field) => {
    const response = await stack.request('GET', `/api/ledger?${query}`, { key: supervisor });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual([field]);
  });

  it('403 for a department or clerk key, 401 without a key', async () => {
    const department = await stack.key('department', { departmentCode: 'D05' });
    expect((await stack.request('GET', `/api/ledger?${NOVEMBER}`, { key: department })).status).toBe(403);
    expect((await stack.request('GET', `/api/ledger?${NOVEMBER}&format=xlsx`, { key: await stack.key('clerk') })).status).toBe(403);
    expect((await stack.request('GET', '/api/ledger')).status).toBe(401);
  });

  it('a period holding more rows than the cap is refused whole, naming from and to', async () => {
    const ledger = createLedgerService({ prisma: stack.prisma, maxRows: 5 });
    const refusal = await ledger.export({ from: '2026-11-01', to: '2026-11-30' }).catch((error: unknown) => error);
    expect(isAppError(refusal, 'invalid')).toBe(true);
    expect((refusal as { facts: { fields: { field: string }[] } }).facts.fields.map((f) => f.field)).toEqual(['from', 'to']);
    const narrower = await ledger.export({ from: '2026-11-01', to: '2026-11-30', departmentCode: 'D06' });
    expect(narrower.ledger.rows).toHaveLength(3);
  });
});

describe('sanctions ledger', () => {
  const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url));
  const sanctions = async (...args: string[]) =>
    promisify(execFile)(process.execPath, [bin, ...args], { env: { ...process.env, SANCTIONS_API_URL: stack.apiUrl, SANCTIONS_API_KEY: supervisor } });

  it('writes the workbook named by --out, and JSON to standard output', async () => {
    const out = path.join(await mkdtemp(path.join(os.tmpdir(), 'ledger-')), 'ledger.xlsx');
    const written = await sanctions('ledger', '--from', '2026-11-01', '--to', '2026-11-30', '--department', 'D06', '--out', out);
    expect(written.stdout).toContain(`wrote ${out}`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await readFile(out)) as unknown as ArrayBuffer);
    expect(workbook.getWorksheet('台账')!.rowCount).toBe(4);
    const json = await sanctions('ledger', '--from', '2026-11-01', '--to', '2026-11-30', '--kind', 'impose');
    expect(JSON.parse(json.stdout).rows).toHaveLength(6);
  });
});
