// Correcting a listing (SPC listing rules 2017, art. 9: inaccurate data is
// corrected within 3 working days) and notifying a public office holder's
// unit (art. 8), against the real stack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCatalog, parseCatalog } from '../../domain/catalog.js';
import { parsePolicy, taskSchedule } from '../../domain/policy.js';
import { creditCode, entityListing, individualListing, residentId } from '../support/fixtures.js';
import { departmentKeys, list, listingStatus, tasksOf } from '../support/listing-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';

/**
 * D05 applies M38 (debtors), D06 M37 (debtors and legal representatives),
 * D07 M01 (actual controllers only): naming an actual controller makes D07 responsible.
 */
const catalog = parseCatalog({
  ...defaultCatalog,
  measures: [
    { ...defaultCatalog.measures.find((m) => m.code === 'M38')!, applies_to: ['individual', 'entity'], departments: ['D05'] },
    { ...defaultCatalog.measures.find((m) => m.code === 'M37')!, applies_to: ['individual', 'entity', 'legal_representative'], departments: ['D06'] },
    { ...defaultCatalog.measures.find((m) => m.code === 'M01')!, applies_to: ['actual_controller'], departments: ['D07'] },
  ],
});
const policy = parsePolicy({ impose: { acknowledge: 'PT1H', complete: 'PT2H' }, lift: { acknowledge: 'PT1H', complete: 'PT2H' }, escalation: [{ after: 'P30D', notify: 'department-supervisor' }] });

let stack: TestStack;
let clerk: string;
let supervisor: string;
let keyOf: (code: string) => Promise<string>;

beforeAll(async () => {
  stack = await startTestStack({ catalog, policy });
  clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  supervisor = await stack.key('supervisor');
  keyOf = departmentKeys(stack);
});

afterAll(async () => {
  await stack?.stop();
});

const correct = (id: string, body: unknown) => stack.request('POST', `/api/listings/${id}/correction`, { key: clerk, body });
const fieldsOf = (answer: { body: { errors?: { field: string }[] } }) => (answer.body.errors ?? []).map((error) => error.field);
const correctTasks = (listingId: string, count: number) =>
  waitUntil(async () => {
    const tasks = await stack.prisma.task.findMany({ where: { listingId, kind: 'correct' }, orderBy: [{ createdAt: 'asc' }, { departmentCode: 'asc' }] });
    return tasks.length >= count ? tasks : undefined;
  }, `${count} correction tasks of ${listingId}`);
const restricted = async (idNumber: string) => (await stack.request('GET', `/api/restrictions/check?idNumber=${idNumber}`, { key: supervisor })).body.restricted as boolean;

describe('art. 9: correcting inaccurate data', () => {
  it('updates the listing, sends every department holding a task a correction notice and a 3-working-day task, and records it in the audit trail and the feed', async () => {
    const wrongId = residentId('19800101', 901);
    const rightId = residentId('19800101', 902);
    const id = await list(stack, clerk, individualListing({ caseNumber: '（2026）宁01执9101号', debtor: { kind: 'individual', name: '赵六', idNumber: wrongId } }));
    const impose = await tasksOf(stack, id, 'impose', 2);
    expect(await restricted(wrongId)).toBe(true);

    const answer = await correct(id, { changes: { debtor: { name: '赵陆', idNumber: rightId } }, reason: '身份证号码录入错误' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.debtor).toMatchObject({ name: '赵陆', idNumber: rightId });

    const tasks = await correctTasks(id, 2);
    expect(tasks.map((task) => task.departmentCode)).toEqual(impose.map((task) => task.departmentCode));
    for (const task of tasks) {
      expect(task.measures).toEqual(impose.find((held) => held.departmentCode === task.departmentCode)!.measures);
      // Art. 9: 3 working days, counted from the dispatch.
      expect(task.completeDueAt).toEqual(taskSchedule(policy, 'correct', task.createdAt).completeDueAt);
    }
    const notices = await stack.mail.waitFor((m) => m.headers['x-notice-type'] === 'correction' && tasks.some((task) => task.id === m.headers['x-task-id']), 2);
    expect(notices[0]!.text).toContain('身份证号码录入错误');
    expect(notices[0]!.text).toContain('证件号码');

    const trail = (await stack.request('GET', `/api/listings/${id}/events`, { key: clerk })).body as { type: string; data: { changes?: Record<string, unknown> } }[];
    const corrected = trail.find((event) => event.type === 'corrected')!;
    expect(Object.keys(corrected.data.changes!).sort()).toEqual(['debtorIdNumber', 'debtorName']);
    expect(trail.filter((event) => event.type === 'correction-dispatched')).toHaveLength(2);

    // The check follows the corrected identifier at once; the feed tells the departments' systems.
    expect(await restricted(rightId)).toBe(true);
    expect(await restricted(wrongId)).toBe(false);
    const feed = (await stack.request('GET', '/api/restrictions/changes?limit=1000', { key: await keyOf('D05') })).body.items as { type: string; idNumber: string; listingId: string }[];
    expect(feed.filter((item) => item.listingId === id).map((item) => `${item.type} ${item.idNumber}`)).toEqual([`imposed ${wrongId}`, `lifted ${wrongId}`, `imposed ${rightId}`]);

    // Departments report the correction done like any task.
    for (const task of tasks) {
      const key = await keyOf(task.departmentCode);
      expect((await stack.request('POST', `/api/tasks/${task.id}/acknowledge`, { key, body: { by: '经办人' } })).status).toBe(200);
      expect((await stack.request('POST', `/api/tasks/${task.id}/complete`, { key, body: { by: '经办人' } })).status).toBe(200);
    }
  });

  it('a name alone is an "updated" change in the feed; the same correction sent again changes nothing', async () => {
    const idNumber = residentId('19800101', 911);
    const id = await list(stack, clerk, individualListing({ caseNumber: '（2026）宁01执9102号', debtor: { kind: 'individual', name: '钱七', idNumber } }));
    await tasksOf(stack, id, 'impose', 2);
    const body = { changes: { debtor: { name: '钱柒' } }, reason: '姓名错字' };
    expect((await correct(id, body)).status).toBe(200);
    await correctTasks(id, 2);
    const again = await correct(id, body);
    expect(again.status).toBe(200);
    expect(again.body.debtor.name).toBe('钱柒');
    expect(await stack.prisma.correction.count({ where: { listingId: id } })).toBe(1);
    expect(await stack.prisma.task.count({ where: { listingId: id, kind: 'correct' } })).toBe(2);
    const feed = (await stack.request('GET', '/api/restrictions/changes?limit=1000', { key: await keyOf('D05') })).body.items as { type: string; name: string; listingId: string }[];
    expect(feed.filter((item) => item.listingId === id).map((item) => `${item.type} ${item.name}`)).toEqual(['imposed 钱七', 'updated 钱柒']);
  });

  it('bad changes are refused with the field named, and change nothing', async () => {
    const id = await list(stack, clerk, individualListing({ caseNumber: '（2026）宁01执9103号', debtor: { kind: 'individual', name: '孙八', idNumber: residentId('19800101', 921) } }));
    const before = await stack.prisma.listing.findUniqueOrThrow({ where: { id } });
    const badId = await correct(id, { changes: { debtor: { idNumber: '110105194912310021' } }, reason: '更正' });
    expect(badId.status).toBe(400);
    expect(badId.headers.get('content-type')).toMatch(/problem\+json/);
    expect(fieldsOf(badId)).toEqual(['changes.debtor.idNumber']);
    expect(fieldsOf(await correct(id, { changes: { debtor: { kind: 'entity' } }, reason: '更正' }))).toEqual(['changes.debtor']);
    expect(fieldsOf(await correct(id, { changes: {}, reason: '更正' }))).toEqual(['changes']);
    expect(fieldsOf(await correct(id, { changes: { debtor: { name: '孙捌' } } }))).toEqual(['reason']);
    expect(fieldsOf(await correct(id, { changes: { decidedAt: '2099-01-01' }, reason: '更正' }))).toEqual(['changes.decidedAt']);
    expect(await stack.prisma.listing.findUniqueOrThrow({ where: { id } })).toEqual(before);
    expect(await stack.prisma.correction.count({ where: { listingId: id } })).toBe(0);
  });

  it('naming a bound person sends the department it makes responsible a correction task, and the lift reaches it', async () => {
    const controller = residentId('19700101', 931);
    const id = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执9104号', debtor: { kind: 'entity', name: '癸公司', idNumber: creditCode(9104), legalRepresentative: { name: '法代', idNumber: residentId('19700101', 930) } } }));
    await tasksOf(stack, id, 'impose', 2);
    const answer = await correct(id, { changes: { debtor: { boundPersons: [{ role: 'actual-controller', name: '实控人', idNumber: controller }] } }, reason: '补充实际控制人' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.debtor.boundPersons.map((person: { role: string }) => person.role)).toEqual(['legal-representative', 'actual-controller']);
    const tasks = await correctTasks(id, 3);
    expect(tasks.map((task) => `${task.departmentCode}:${task.measures.join()}`)).toEqual(['D05:M38', 'D06:M37', 'D07:M01']);
    expect(await restricted(controller)).toBe(true);

    expect((await stack.request('POST', `/api/listings/${id}/revocation`, { key: clerk, body: { reason: '错误纳入' } })).status).toBe(202);
    const lift = await tasksOf(stack, id, 'lift', 3);
    expect(lift.map((task) => task.departmentCode)).toEqual(['D05', 'D06', 'D07']);
    // Open correction tasks are cancelled with the impose phase.
    expect(await stack.prisma.task.count({ where: { listingId: id, kind: 'correct', status: 'cancelled' } })).toBe(3);
    await listingStatus(stack, id, 'lifting');
    const refused = await correct(id, { changes: { debtor: { name: '癸有限公司' } }, reason: '更正' });
    expect(refused.status).toBe(409);
  });
});

describe('art. 8: a debtor holding a public role', () => {
  it('has its unit notified once, after dispatch', async () => {
    const id = await list(
      stack,
      clerk,
      individualListing({
        caseNumber: '（2026）宁01执9201号',
        debtor: { kind: 'individual', name: '周九', idNumber: residentId('19750101', 941), publicRole: { role: 'npc-deputy', unitName: '某区人大常委会', unitEmail: 'renda@unit.example' } },
      }),
    );
    const [notice] = await stack.mail.waitFor((m) => m.headers['x-notice-type'] === 'public-role' && m.envelopeTo.includes('renda@unit.example'));
    expect(notice!.subject).toContain('人大代表');
    expect(notice!.text).toContain('第八条');
    expect(await stack.prisma.notification.count({ where: { listingId: id, type: 'public-role' } })).toBe(1);
    const ordinary = await list(stack, clerk, individualListing({ caseNumber: '（2026）宁01执9202号', debtor: { kind: 'individual', name: '吴十', idNumber: residentId('19750101', 942) } }));
    await tasksOf(stack, ordinary, 'impose', 2);
    expect(await stack.prisma.notification.count({ where: { listingId: ordinary, type: 'public-role' } })).toBe(0);
  });
});
