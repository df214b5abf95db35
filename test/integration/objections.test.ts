// Objections (SPC listing rules 2017, arts. 11–12) against the real stack:
// each clock of the court's duties is escalated when missed, supervisors see
// it overdue, and it is cleared by what the court does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCatalog, parseCatalog } from '../../domain/catalog.js';
import { parsePolicy } from '../../domain/policy.js';
import { individualListing, residentId } from '../support/fixtures.js';
import { list, tasksOf } from '../support/listing-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';

const catalog = parseCatalog({
  ...defaultCatalog,
  measures: defaultCatalog.measures.filter((measure) => measure.code === 'M38').map((measure) => ({ ...measure, applies_to: ['individual', 'entity'], departments: ['D05'] })),
});
// The court side's head hears of a missed deadline at once, the coordinating office two seconds later.
const policy = parsePolicy({
  impose: { acknowledge: 'PT1H', complete: 'PT2H' },
  escalation: [
    { after: 'PT0S', notify: 'department-supervisor' },
    { after: 'PT2S', notify: 'coordinating-office' },
  ],
});
const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const court = defaultCatalog.departments.find((department) => department.role === 'initiator')!;

let stack: TestStack;
let clerk: string;
let supervisor: string;

beforeAll(async () => {
  stack = await startTestStack({ catalog, policy });
  clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  supervisor = await stack.key('supervisor');
});

afterAll(async () => {
  await stack?.stop();
});

const post = (path: string, body: unknown) => stack.request('POST', path, { key: clerk, body });
const fieldsOf = (answer: { body: { errors?: { field: string }[] } }) => (answer.body.errors ?? []).map((error) => error.field);
const escalations = (objectionId: string, duty: string) =>
  stack.mail.waitFor((m) => m.headers['x-objection-id'] === objectionId && m.headers['x-notice-type'] === 'objection-escalation' && m.text.includes(duty), 2);
const overdueIds = async () => ((await stack.request('GET', '/api/supervision/overdue-objections', { key: supervisor })).body as { id: string; duty: string }[]).map((row) => `${row.id}:${row.duty}`);

async function listedLongAgo(sequence: number) {
  const id = await list(stack, clerk, individualListing({ caseNumber: `（2026）宁01执95${sequence}号`, debtor: { kind: 'individual', name: `异议人${sequence}`, idNumber: residentId('19800101', 950 + sequence) }, decidedAt: daysAgo(60) }));
  await tasksOf(stack, id, 'impose', 1);
  return id;
}

describe('art. 11–12: an objection upheld', () => {
  it('the missed review is escalated and shown overdue; the missed remedy too; the correction clears it', async () => {
    const listingId = await listedLongAgo(1);
    // Received 20 days ago: the 15-day review is already overdue.
    const created = await post(`/api/listings/${listingId}/objections`, { ground: 'inaccurate', receivedAt: daysAgo(20), statement: '姓名记载有误' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/objections/${created.body.id}`);
    expect(created.body).toMatchObject({ status: 'under-review', duty: 'review', overdue: true, remedy: 'correction' });
    const objectionId = created.body.id as string;

    const [toHead, toOffice] = await escalations(objectionId, '审查');
    expect(toHead!.envelopeTo).toEqual([court.supervisorEmail]);
    expect(toOffice!.envelopeTo).toEqual([defaultCatalog.coordinatingOffice.email]);
    expect(await overdueIds()).toContain(`${objectionId}:review`);
    await waitUntil(async () => ((await stack.prisma.objection.findUniqueOrThrow({ where: { id: objectionId } })).escalationLevel === 2 ? true : undefined), 'escalation level 2');

    // Upheld 10 days ago: the 3 working days to correct are past as well.
    const decided = await post(`/api/objections/${objectionId}/decision`, { outcome: 'upheld', reason: '姓名确有错误', decidedAt: daysAgo(10) });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    expect(decided.body).toMatchObject({ status: 'upheld', duty: 'remedy', overdue: true, escalationLevel: 0 });
    await escalations(objectionId, '更正');
    expect(await overdueIds()).toContain(`${objectionId}:remedy`);
    expect(await overdueIds()).not.toContain(`${objectionId}:review`);

    const corrected = await post(`/api/listings/${listingId}/correction`, { changes: { debtor: { name: '异议人一' } }, reason: '依纠正申请更正' });
    expect(corrected.status).toBe(200);
    const remedied = (await stack.request('GET', `/api/objections/${objectionId}`, { key: clerk })).body;
    expect(remedied).toMatchObject({ status: 'remedied', remediedBy: 'correction', duty: null, overdue: false });
    expect(await overdueIds()).not.toContain(`${objectionId}:remedy`);
    const trail = ((await stack.request('GET', `/api/listings/${listingId}/events`, { key: clerk })).body as { type: string }[]).map((event) => event.type);
    expect(trail).toEqual(expect.arrayContaining(['objection-received', 'objection-escalation-sent', 'objection-decided', 'corrected', 'objection-remedied']));
    // The workflow ends once the objection is remedied.
    await waitUntil(async () => {
      const description = await stack.temporal.workflow.getHandle(`objection-${objectionId}`).describe();
      return description.status.name === 'COMPLETED' ? true : undefined;
    }, 'the objection workflow to complete');
  });
});

describe('art. 12: an objection rejected, then reconsidered', () => {
  it('the higher court’s missed 15 days are escalated; its decision closes the objection', async () => {
    const listingId = await listedLongAgo(2);
    const created = await post(`/api/listings/${listingId}/objections`, { ground: 'should-not-be-listed', receivedAt: daysAgo(30), statement: '已提供担保' });
    const objectionId = created.body.id as string;
    const rejected = await post(`/api/objections/${objectionId}/decision`, { outcome: 'rejected', reason: '担保不足', decidedAt: daysAgo(25) });
    expect(rejected.body).toMatchObject({ status: 'rejected', duty: null, dueAt: null });
    // The window has passed by now, so the objection's workflow closes the objection and ends…
    await waitUntil(async () => ((await stack.prisma.objection.findUniqueOrThrow({ where: { id: objectionId } })).status === 'closed' ? true : undefined), 'the rejected objection to close');
    // …but the application was received within 10 days of the rejection (art. 12), only recorded late;
    // the higher court had 15 days from then.
    const reconsidering = await post(`/api/objections/${objectionId}/reconsideration`, { receivedAt: daysAgo(20), statement: '申请复议' });
    expect(reconsidering.status, JSON.stringify(reconsidering.body)).toBe(200);
    expect(reconsidering.body).toMatchObject({ status: 'reconsidering', duty: 'reconsideration', overdue: true });
    await escalations(objectionId, '复议');
    expect(await overdueIds()).toContain(`${objectionId}:reconsideration`);

    const final = await post(`/api/objections/${objectionId}/decision`, { outcome: 'rejected', reason: '复议维持' });
    expect(final.body).toMatchObject({ status: 'closed', duty: null, reconsideration: { outcome: 'rejected', reason: '复议维持' } });
    expect(await overdueIds()).not.toContain(`${objectionId}:reconsideration`);
    expect((await post(`/api/objections/${objectionId}/reconsideration`, { receivedAt: daysAgo(1), statement: '再次申请' })).status).toBe(409);
  });

  it('an application for reconsideration more than 10 days after the rejection is refused (art. 12)', async () => {
    const listingId = await listedLongAgo(3);
    const objectionId = (await post(`/api/listings/${listingId}/objections`, { ground: 'should-be-deleted', receivedAt: daysAgo(30), statement: '已履行' })).body.id as string;
    await post(`/api/objections/${objectionId}/decision`, { outcome: 'rejected', reason: '未履行完毕', decidedAt: daysAgo(25) });
    const late = await post(`/api/objections/${objectionId}/reconsideration`, { receivedAt: daysAgo(5), statement: '申请复议' });
    expect(late.status).toBe(409);
    expect(late.body.detail).toMatch(/art\. 12/);
    // The window has passed: the objection's workflow closes it.
    await waitUntil(async () => ((await stack.prisma.objection.findUniqueOrThrow({ where: { id: objectionId } })).status === 'closed' ? true : undefined), 'the rejected objection to close');
  });
});

describe('recording an objection', () => {
  it('refuses bad input naming the field, and records nothing', async () => {
    const listingId = await listedLongAgo(4);
    expect(fieldsOf(await post(`/api/listings/${listingId}/objections`, { ground: 'unhappy', receivedAt: daysAgo(1), statement: 'x' }))).toEqual(['ground']);
    expect(fieldsOf(await post(`/api/listings/${listingId}/objections`, { ground: 'inaccurate', receivedAt: daysAgo(-2), statement: 'x' }))).toEqual(['receivedAt']);
    expect(fieldsOf(await post(`/api/listings/${listingId}/objections`, { ground: 'inaccurate', receivedAt: daysAgo(90), statement: 'x' }))).toEqual(['receivedAt']);
    expect(fieldsOf(await post(`/api/listings/${listingId}/objections`, { ground: 'inaccurate', receivedAt: daysAgo(1) }))).toEqual(['statement']);
    expect(await stack.prisma.objection.count({ where: { listingId } })).toBe(0);
    const department = await stack.key('department', { departmentCode: 'D05' });
    expect((await stack.request('POST', `/api/listings/${listingId}/objections`, { key: department, body: { ground: 'inaccurate', receivedAt: daysAgo(1), statement: 'x' } })).status).toBe(403);
    const objection = (await post(`/api/listings/${listingId}/objections`, { ground: 'inaccurate', receivedAt: daysAgo(1), statement: '记载有误' })).body;
    expect(objection).toMatchObject({ duty: 'review', overdue: false });
    expect(fieldsOf(await post(`/api/objections/${objection.id}/decision`, { outcome: 'maybe', reason: 'x' }))).toEqual(['outcome']);
    expect((await post(`/api/objections/${objection.id}/reconsideration`, { receivedAt: daysAgo(0), statement: 'x' })).status).toBe(409);
    expect((await stack.request('GET', `/api/listings/${listingId}/objections`, { key: supervisor })).body.map((row: { id: string }) => row.id)).toEqual([objection.id]);
  });
});
