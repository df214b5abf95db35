// Departments answer back and supervisors close the books, against the real
// stack: feedback per measure, "not ours" (reassigned or returned), requests
// for more time (granted or refused, the ladder moved), sign-off and send-back.
// The policy here requires feedback and verification.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePolicy } from '../../domain/policy.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { entityListing } from '../support/fixtures.js';
import { departmentKeys, list, listingStatus, tasksOf } from '../support/listing-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { sleep, waitUntil } from '../support/wait.js';

// Acknowledge within 4 s, complete within 30 s; the department's supervisor at a missed deadline.
const policy = parsePolicy({
  impose: { acknowledge: 'PT4S', complete: 'PT30S' },
  lift: { acknowledge: 'PT30S', complete: 'PT60S' },
  escalation: [{ after: 'PT0S', notify: 'department-supervisor' }],
  reminderBefore: 'PT0S',
  feedbackRequired: true,
  verificationRequired: true,
});

let stack: TestStack;
let clerk: string;
let supervisor: string;
let admin: string;
let keyOf: (code: string) => Promise<string>;
let caseSeq = 700;

beforeAll(async () => {
  stack = await startTestStack({ policy, catalog: twoDepartmentCatalog() });
  clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  supervisor = await stack.key('supervisor');
  admin = stack.adminKey;
  keyOf = departmentKeys(stack);
});
afterAll(async () => stack?.stop());

const post = (path: string, key: string, body: unknown = {}) => stack.request('POST', path, { key, body });
const fieldsOf = (response: { body: { errors?: { field: string }[] } }) => (response.body.errors ?? []).map((error) => error.field);
const mailsOf = (taskId: string, type?: string) => stack.mail.messages.filter((m) => m.headers['x-task-id'] === taskId && (!type || m.headers['x-notice-type'] === type));
const eventsOf = async (taskId: string) => (await stack.prisma.event.findMany({ where: { taskId }, orderBy: { seq: 'asc' } })).map((event) => event.type);

async function newListing() {
  const listingId = await list(stack, clerk, entityListing({ caseNumber: `（2026）宁01执${caseSeq++}号` }));
  const [d05, d06] = await tasksOf(stack, listingId, 'impose', 2);
  return { listingId, d05: d05!, d06: d06! };
}

const feedbackFor = (measures: string[]) => measures.map((measure, index) => ({ measure, result: index === 0 ? 'applied' : 'no-record', reference: `REF-${measure}` }));

describe('structured feedback', () => {
  it('is required by this policy for every measure, stored with the completion and its event', async () => {
    const { d05 } = await newListing();
    const key = await keyOf('D05');
    const without = await post(`/api/tasks/${d05.id}/complete`, key, { by: '王五' });
    expect(without.status).toBe(400);
    expect(fieldsOf(without)).toEqual(['outcomes']);
    const wrongMeasure = await post(`/api/tasks/${d05.id}/complete`, key, { by: '王五', feedback: [{ measure: 'M99', result: 'applied' }, ...feedbackFor(d05.measures)] });
    expect(fieldsOf(wrongMeasure)).toEqual(['feedback.0.measure']);
    const badResult = await post(`/api/tasks/${d05.id}/complete`, key, { by: '王五', feedback: [{ measure: d05.measures[0], result: 'done' }] });
    expect(badResult.status).toBe(400);
    expect((await stack.prisma.task.findUniqueOrThrow({ where: { id: d05.id } })).status).toBe('pending');

    const done = await post(`/api/tasks/${d05.id}/complete`, key, { by: '王五', outcomes: feedbackFor(d05.measures) });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.feedback).toEqual(feedbackFor(d05.measures));
    const row = await stack.prisma.task.findUniqueOrThrow({ where: { id: d05.id } });
    expect(row.feedback).toEqual(feedbackFor(d05.measures));
    const completed = await stack.prisma.event.findFirstOrThrow({ where: { taskId: d05.id, type: 'completed' } });
    expect((completed.data as { feedback: unknown }).feedback).toEqual(feedbackFor(d05.measures));
  });
});

describe('"not ours"', () => {
  it('returned, the task is the department’s again with a fresh deadline, and its ladder runs from there', async () => {
    const { d05 } = await newListing();
    const key = await keyOf('D05');
    expect((await post(`/api/tasks/${d05.id}/decline`, key, { by: '王五', reason: '不属于本部门' })).status).toBe(200);
    await sleep(4_500);
    const returnedAt = Date.now();
    const returned = await post(`/api/tasks/${d05.id}/return`, supervisor, { reason: '该措施属于本部门职责' });
    expect(returned.status, JSON.stringify(returned.body)).toBe(200);
    expect(returned.body.status).toBe('pending');
    expect(Date.parse(returned.body.acknowledgeDueAt)).toBeGreaterThanOrEqual(returnedAt + 3_000);
    expect(mailsOf(d05.id, 'escalation')).toHaveLength(0);
    await waitUntil(async () => mailsOf(d05.id, 'escalation').length === 1, 'the escalation after the fresh deadline', 15_000);
    expect(mailsOf(d05.id, 'escalation')[0]!.receivedAt.getTime()).toBeGreaterThanOrEqual(Date.parse(returned.body.acknowledgeDueAt));
    expect(await eventsOf(d05.id)).toEqual(expect.arrayContaining(['declined', 'returned', 'escalated']));
    expect((await post(`/api/tasks/${d05.id}/return`, supervisor, { reason: 'again' })).status).toBe(409);
  });
});

describe('a lift while a task is declined', () => {
  it('cancels the declined task, and sends no lift task to the department that applied nothing', async () => {
    const { listingId, d05, d06 } = await newListing();
    expect((await post(`/api/tasks/${d05.id}/decline`, await keyOf('D05'), { by: '王五', reason: '非本部门职责' })).status).toBe(200);
    expect((await post(`/api/listings/${listingId}/performance`, clerk, { note: '已履行' })).status).toBe(202);
    const [lift] = await tasksOf(stack, listingId, 'lift', 1);
    expect(lift!.departmentCode).toBe(d06.departmentCode);
    await sleep(500);
    expect(await stack.prisma.task.count({ where: { listingId, kind: 'lift' } })).toBe(1);
    expect(await stack.prisma.task.findUniqueOrThrow({ where: { id: d05.id } })).toMatchObject({ status: 'cancelled', openDeadlineAt: null });
    expect((await post(`/api/tasks/${d05.id}/reassignment`, supervisor, { departmentCode: 'D07', reason: 'x' })).status).toBe(409);
  });
});

describe('more time', () => {
  it('granted, the deadline moves and the ladder with it; refused, nothing moves', async () => {
    const { d05, d06 } = await newListing();
    const until = new Date(Date.now() + 12_000).toISOString();
    expect(fieldsOf(await post(`/api/tasks/${d05.id}/extension-requests`, await keyOf('D05'), { by: '王五', until: new Date(Date.now() - 60_000).toISOString(), reason: '需要核查' }))).toEqual(['until']);
    const requested = await post(`/api/tasks/${d05.id}/extension-requests`, await keyOf('D05'), { by: '王五', until, reason: '需要核查系统记录' });
    expect(requested.status, JSON.stringify(requested.body)).toBe(201);
    expect((await post(`/api/tasks/${d05.id}/extension-requests`, await keyOf('D05'), { by: '王五', until, reason: '再次' })).status).toBe(409);
    const refusedRequest = await post(`/api/tasks/${d06.id}/extension-requests`, await keyOf('D06'), { by: '赵六', until, reason: '人手不足' });
    expect(refusedRequest.status).toBe(201);

    const pending = (await stack.request('GET', '/api/task-extensions?status=requested', { key: supervisor })).body as { id: string }[];
    expect(pending.map((row) => row.id)).toEqual(expect.arrayContaining([requested.body.id, refusedRequest.body.id]));
    expect(fieldsOf(await post(`/api/extension-requests/${requested.body.id}/decision`, supervisor, { reason: '同意' }))).toEqual(['granted']);
    const granted = await post(`/api/extension-requests/${requested.body.id}/decision`, supervisor, { granted: true, reason: '同意' });
    expect(granted.status, JSON.stringify(granted.body)).toBe(200);
    expect(granted.body.status).toBe('granted');
    const refused = await post(`/api/task-extensions/${refusedRequest.body.id}/decision`, supervisor, { outcome: 'refused', reason: '期限内可完成' });
    expect(refused.body.status).toBe('refused');
    expect((await post(`/api/task-extensions/${refused.body.id}/decision`, supervisor, { outcome: 'granted' })).status).toBe(409);

    const moved = await stack.prisma.task.findUniqueOrThrow({ where: { id: d05.id } });
    expect(moved.acknowledgeDueAt.toISOString()).toBe(until);
    expect(moved.openDeadlineAt?.toISOString()).toBe(until);
    // The refused one escalates at its own deadline; the granted one not before its new one.
    await waitUntil(async () => mailsOf(d06.id, 'escalation').length === 1, 'the refused task escalated at its deadline', 15_000);
    expect(mailsOf(d05.id, 'escalation')).toHaveLength(0);
    await waitUntil(async () => mailsOf(d05.id, 'escalation').length === 1, 'the granted task escalated at its new deadline', 20_000);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(until));
    expect(await eventsOf(d05.id)).toEqual(expect.arrayContaining(['extension-requested', 'deadline-extended', 'escalated']));
    expect(await eventsOf(d06.id)).toEqual(expect.arrayContaining(['extension-requested', 'extension-refused']));
  });
});

describe('sign-off (销号)', () => {
  it('a completion sent back is open again with a new deadline; verified, it counts; the lift closes only once every lift task is verified', async () => {
    const { listingId, d05, d06 } = await newListing();
    for (const task of [d05, d06]) {
      const done = await post(`/api/tasks/${task.id}/complete`, await keyOf(task.departmentCode), { by: '办理人', feedback: feedbackFor(task.measures) });
      expect(done.status, JSON.stringify(done.body)).toBe(200);
    }
    const awaiting = (await stack.request('GET', '/api/supervision/awaiting-verification', { key: supervisor })).body as { id: string }[];
    expect(awaiting.map((task) => task.id)).toEqual(expect.arrayContaining([d05.id, d06.id]));
    expect((await post(`/api/tasks/${d05.id}/verification`, await keyOf('D05'))).status).toBe(403);

    const sentBackAt = Date.now();
    const sentBack = await post(`/api/tasks/${d05.id}/send-back`, supervisor, { reason: '反馈文号有误' });
    expect(sentBack.status, JSON.stringify(sentBack.body)).toBe(200);
    expect(sentBack.body).toMatchObject({ status: 'acknowledged', completedAt: null });
    expect(Date.parse(sentBack.body.completeDueAt)).toBeGreaterThanOrEqual(sentBackAt + 29_000);
    expect((await post(`/api/tasks/${d05.id}/verification`, supervisor)).status).toBe(409);
    expect((await post(`/api/tasks/${d05.id}/complete`, await keyOf('D05'), { by: '王五', feedback: feedbackFor(d05.measures) })).status).toBe(200);
    for (const task of [d05, d06]) {
      const verified = await post(`/api/tasks/${task.id}/verify`, supervisor);
      expect(verified.status, JSON.stringify(verified.body)).toBe(200);
      expect(verified.body.status).toBe('verified');
    }
    expect((await stack.prisma.task.findUniqueOrThrow({ where: { id: d05.id } })).sentBackCount).toBe(1);
    expect((await eventsOf(d05.id)).filter((type) => type === 'completed')).toHaveLength(2);
    expect(await eventsOf(d05.id)).toEqual(expect.arrayContaining(['completed', 'sent-back', 'verified']));

    expect((await post(`/api/listings/${listingId}/performance`, clerk, { note: '已履行' })).status).toBe(202);
    const lift = await tasksOf(stack, listingId, 'lift', 2);
    for (const task of lift) {
      expect((await post(`/api/tasks/${task.id}/complete`, await keyOf(task.departmentCode), { by: '办理人', feedback: feedbackFor(task.measures) })).status).toBe(200);
    }
    await sleep(1_500);
    expect((await stack.prisma.listing.findUniqueOrThrow({ where: { id: listingId } })).status).toBe('lifting');
    for (const task of lift) expect((await post(`/api/tasks/${task.id}/verification`, supervisor)).status).toBe(200);
    await listingStatus(stack, listingId, 'lifted');

    // The month's figures per department and kind: every completion in this file carried its outcomes.
    const month = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);
    const stats = (await stack.request('GET', `/api/supervision/stats?month=${month}`, { key: supervisor })).body as { departmentCode: string; kind: string; month: string; tasks: number; feedbackRate: number | null }[];
    const d06Lift = stats.find((row) => row.departmentCode === 'D06' && row.kind === 'lift')!;
    // Two lift tasks for D06 in this file (the lift while D05 had declined, and this one), one completed with outcomes.
    expect(d06Lift).toMatchObject({ month, tasks: 2, feedbackRate: 1 });
    expect(stats.find((row) => row.departmentCode === 'D06' && row.kind === 'impose')!.feedbackRate).toBe(1);
    const bad = await stack.request('GET', '/api/supervision/stats?month=2026-13', { key: supervisor });
    expect(fieldsOf(bad)).toEqual(['month']);
  });
});

// Last: accepting the catalog suggestion moves D05's measures to D07 for the listings that follow.
describe('"not ours", reassigned', () => {
  it('a declined task leaves the overdue list for the supervisors’ queue; reassigned, the other department gets a fresh task, and the link becomes a catalog suggestion an admin accepts', async () => {
    const { d05 } = await newListing();
    const key = await keyOf('D05');
    expect(fieldsOf(await post(`/api/tasks/${d05.id}/decline`, key, { by: '王五', reason: '非本部门职责', suggestedDepartmentCode: 'D99' }))).toEqual(['suggestedDepartmentCode']);
    const declined = await post(`/api/tasks/${d05.id}/decline`, key, { by: '王五', reason: '非本部门职责', suggestedDepartment: 'D07' });
    expect(declined.status, JSON.stringify(declined.body)).toBe(200);
    expect(declined.body.status).toBe('declined');
    await sleep(4_500); // past the acknowledgment deadline: a declined task is not overdue and not escalated
    const overdue = (await stack.request('GET', '/api/supervision/overdue', { key: supervisor })).body as { id: string }[];
    expect(overdue.map((task) => task.id)).not.toContain(d05.id);
    expect(mailsOf(d05.id, 'escalation')).toHaveLength(0);
    const queue = (await stack.request('GET', '/api/supervision/declined', { key: supervisor })).body as { id: string; declineReason: string; suggestedDepartmentCode: string }[];
    expect(queue.find((task) => task.id === d05.id)).toMatchObject({ declineReason: '非本部门职责', suggestedDepartmentCode: 'D07' });
    expect((await post(`/api/tasks/${d05.id}/acknowledge`, key, { by: '王五' })).status).toBe(409);
    expect((await post(`/api/tasks/${d05.id}/reassignment`, key, { departmentCode: 'D07', reason: 'x' })).status).toBe(403);
    expect(fieldsOf(await post(`/api/tasks/${d05.id}/reassignment`, supervisor, { departmentCode: 'D05', reason: 'x' }))).toEqual(['departmentCode']);

    const reassigned = await post(`/api/tasks/${d05.id}/reassign`, supervisor, { departmentCode: 'D07', reason: '经核实属D07职责' });
    expect(reassigned.status, JSON.stringify(reassigned.body)).toBe(200);
    expect(reassigned.body.task.status).toBe('reassigned');
    const fresh = reassigned.body.newTask as { id: string; departmentCode: string; measures: string[]; status: string; acknowledgeDueAt: string };
    expect(fresh).toMatchObject({ departmentCode: 'D07', measures: d05.measures, status: 'pending' });
    expect(Date.parse(fresh.acknowledgeDueAt)).toBeGreaterThan(Date.now());
    await waitUntil(async () => mailsOf(fresh.id, 'notice').length === 1, 'the notice to D07');
    expect((await stack.prisma.task.findUniqueOrThrow({ where: { id: fresh.id } })).reassignedFromId).toBe(d05.id);
    expect(await eventsOf(d05.id)).toEqual(expect.arrayContaining(['declined', 'reassigned']));
    expect((await post(`/api/tasks/${d05.id}/reassignment`, supervisor, { departmentCode: 'D06', reason: 'again' })).status).toBe(409);

    const suggestions = (await stack.request('GET', '/api/catalog/suggestions', { key: admin })).body as { id: string; taskId: string; measures: string[]; status: string }[];
    const suggestion = suggestions.find((candidate) => candidate.taskId === d05.id)!;
    expect(suggestion).toMatchObject({ measures: d05.measures, fromDepartmentCode: 'D05', toDepartmentCode: 'D07', status: 'open' });
    expect((await post(`/api/catalog/suggestions/${suggestion.id}/acceptance`, supervisor)).status).toBe(403);
    const accepted = await post(`/api/catalog/suggestions/${suggestion.id}/acceptance`, admin);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
    const catalog = (await stack.request('GET', '/api/catalog', { key: supervisor })).body as { version: number; measures: { code: string; departments: string[] }[] };
    expect(catalog.version).toBe(accepted.body.version);
    for (const measure of d05.measures) expect(catalog.measures.find((m) => m.code === measure)!.departments).toEqual(['D07']);
    expect((await post(`/api/catalog/suggestions/${suggestion.id}/acceptance`, admin)).status).toBe(409);
  });
});
