// Rates over the real stack: tasks answered through the API, read back from GET /api/rates by a
// supervisor and by departments, and drawn on the home pages.
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthOf } from '../../app/rates.js';
import { Prisma } from '../../prisma/generated/client.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { creditCode, entityListing } from '../support/fixtures.js';
import { acknowledgeAndComplete, departmentKeys, list, tasksOf } from '../support/listing-client.js';
import { signInToDashboard } from '../support/dashboard-session.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
let keys: { supervisor: string; clerk: string; d05: string; d06: string };

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
const rate = (numerator: number, denominator: number) => ({ rate: denominator === 0 ? null : Math.round((numerator / denominator) * 10_000) / 10_000, numerator, denominator });
const someFeedback = (measures: string[]) => measures.map((measure) => ({ measure, result: 'applied', reference: 'DEC-1' }));

/**
 * Four listings, each with a D05 and a D06 impose task:
 * 1. both answered on time; D05 reports feedback, D06 an empty list; then deleted on a decision
 *    15 days ago: D05 answers its lift late, D06 not at all (overdue);
 * 2. both acknowledged, D06 after its deadline (moved back in the read model);
 * 3. neither answered;
 * 4. both answered on time; D05 reports feedback, D06 none; then lifted on performance:
 *    D05 completes its lift with feedback at once, D06's is open.
 */
beforeAll(async () => {
  stack = await startTestStack({ catalog: twoDepartmentCatalog() });
  const keyOf = departmentKeys(stack);
  keys = { supervisor: await stack.key('supervisor'), clerk: await stack.key('clerk', { courtCode: 'NX-YC-01' }), d05: await keyOf('D05'), d06: await keyOf('D06') };
  const listings = await Promise.all(
    [1, 2, 3, 4].map((n) => list(stack, keys.clerk, entityListing({ caseNumber: `（2026）宁01执88${n}号`, debtor: { kind: 'entity', name: `某某公司${n}`, idNumber: creditCode(8800 + n) }, decidedAt: daysAgo(20) }))),
  );
  const impose = await Promise.all(listings.map((id) => tasksOf(stack, id, 'impose', 2)));
  const [one, two, , four] = impose.map((tasks) => ({ d05: tasks.find((task) => task.departmentCode === 'D05')!, d06: tasks.find((task) => task.departmentCode === 'D06')! }));

  await acknowledgeAndComplete(stack, keyOf, [one!.d05, one!.d06, four!.d05, four!.d06]);
  await stack.prisma.task.update({ where: { id: one!.d05.id }, data: { feedback: someFeedback(one!.d05.measures) } });
  await stack.prisma.task.update({ where: { id: one!.d06.id }, data: { feedback: [] } });
  await stack.prisma.task.update({ where: { id: four!.d05.id }, data: { feedback: someFeedback(four!.d05.measures) } });
  await stack.prisma.task.update({ where: { id: four!.d06.id }, data: { feedback: Prisma.DbNull } });

  for (const task of [two!.d05, two!.d06]) {
    const answer = await stack.request('POST', `/api/tasks/${task.id}/acknowledge`, { key: await keyOf(task.departmentCode), body: { by: '经办人' } });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  }
  const late = await stack.prisma.task.findUniqueOrThrow({ where: { id: two!.d06.id } });
  await stack.prisma.task.update({ where: { id: late.id }, data: { acknowledgeDueAt: new Date(late.acknowledgedAt!.getTime() - 60_000) } });

  const deleted = await stack.request('POST', `/api/listings/${listings[0]}/deletion`, { key: keys.clerk, body: { ground: 'performed', decidedAt: daysAgo(15), note: '已履行' } });
  expect(deleted.status, JSON.stringify(deleted.body)).toBe(202);
  const performed = await stack.request('POST', `/api/listings/${listings[3]}/performance`, { key: keys.clerk, body: { note: '已履行' } });
  expect(performed.status, JSON.stringify(performed.body)).toBe(202);
  const liftOne = await tasksOf(stack, listings[0]!, 'lift', 2);
  const liftFour = await tasksOf(stack, listings[3]!, 'lift', 2);
  const d05 = (tasks: typeof liftOne) => tasks.filter((task) => task.departmentCode === 'D05');
  await acknowledgeAndComplete(stack, keyOf, [...d05(liftOne), ...d05(liftFour)]);
  await stack.prisma.task.update({ where: { id: d05(liftFour)[0]!.id }, data: { feedback: someFeedback(d05(liftFour)[0]!.measures) } });
}, 180_000);
afterAll(async () => stack?.stop());

const get = (query: string, key: string) => stack.request('GET', `/api/rates${query}`, { key });

describe('GET /api/rates', () => {
  it('gives a supervisor every department: the last six months by default, and the figures of each', async () => {
    const answer = await get('', keys.supervisor);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const report = answer.body;
    const current = monthOf(new Date());
    expect(report.to).toBe(current);
    expect(report.months).toHaveLength(6);
    expect(report.months.at(-1)).toBe(current);
    const d05 = report.departments.find((row: { departmentCode: string }) => row.departmentCode === 'D05');
    const d06 = report.departments.find((row: { departmentCode: string }) => row.departmentCode === 'D06');
    expect(d05).toMatchObject({ nameZh: expect.any(String), now: { open: 2, overdue: 0 } });
    expect(d05.total.impose).toMatchObject({ dispatched: 4, responseRate: rate(3, 4), feedbackRate: rate(2, 2), completionOnTimeRate: rate(2, 4), liftOnTimeRate: rate(0, 0), open: 2, overdue: 0 });
    expect(d05.total.lift).toMatchObject({ dispatched: 2, responseRate: rate(1, 2), feedbackRate: rate(1, 2), completionOnTimeRate: rate(1, 2), liftOnTimeRate: rate(1, 2), open: 0, overdue: 0 });
    expect(d05.total.correct).toMatchObject({ dispatched: 0, responseRate: rate(0, 0), medianHoursToAcknowledge: null });
    expect(d05.total.all).toMatchObject({ dispatched: 6, responseRate: rate(4, 6), feedbackRate: rate(3, 4), completionOnTimeRate: rate(3, 6), liftOnTimeRate: rate(1, 2) });
    expect(d05.total.all.medianHoursToAcknowledge).toBeGreaterThanOrEqual(0);
    expect(d05.total.all.medianHoursToComplete).toBeLessThan(1);

    expect(d06.now).toEqual({ open: 4, overdue: 1 });
    expect(d06.total.impose).toMatchObject({ dispatched: 4, responseRate: rate(2, 4), feedbackRate: rate(0, 2), completionOnTimeRate: rate(2, 4), open: 2, overdue: 0 });
    expect(d06.total.lift).toMatchObject({ dispatched: 2, responseRate: rate(0, 2), feedbackRate: rate(0, 0), completionOnTimeRate: rate(0, 2), liftOnTimeRate: rate(0, 2), medianHoursToComplete: null, open: 2, overdue: 1 });
    expect(d06.total.all).toMatchObject({ dispatched: 6, responseRate: rate(2, 6), feedbackRate: rate(0, 2), completionOnTimeRate: rate(2, 6), liftOnTimeRate: rate(0, 2) });

    // The months add up to the range (all of it dispatched this month, unless the test ran across midnight of a month's end).
    expect(d05.months.reduce((sum: number, month: { all: { dispatched: number } }) => sum + month.all.dispatched, 0)).toBe(6);
    expect(report.overall.total.all).toMatchObject({ dispatched: 12, responseRate: rate(6, 12), feedbackRate: rate(3, 6), liftOnTimeRate: rate(1, 4) });
    expect(report.overall.now).toEqual({ open: 6, overdue: 1 });
  });

  it('answers a month range, and one department', async () => {
    const past = await get('?from=2020-01&to=2020-03&departmentCode=D06', keys.supervisor);
    expect(past.status).toBe(200);
    expect(past.body.months).toEqual(['2020-01', '2020-02', '2020-03']);
    expect(past.body.departments.map((row: { departmentCode: string }) => row.departmentCode)).toEqual(['D06']);
    // Nothing was dispatched then, but what is open now is open now.
    expect(past.body.departments[0].total.all).toMatchObject({ dispatched: 0, responseRate: rate(0, 0) });
    expect(past.body.departments[0].now).toEqual({ open: 4, overdue: 1 });
  });

  it('gives a department its own rates only', async () => {
    const own = await get('', keys.d05);
    expect(own.status).toBe(200);
    expect(own.body.departments.map((row: { departmentCode: string }) => row.departmentCode)).toEqual(['D05']);
    expect(own.body.overall.total.all).toEqual(own.body.departments[0].total.all);
    expect((await get('?departmentCode=D05', keys.d05)).status).toBe(200);
    const other = await get('?departmentCode=D06', keys.d05);
    expect(other.status).toBe(403);
    expect(other.headers.get('content-type')).toContain('application/problem+json');
    expect((await get('', keys.clerk)).status).toBe(403);
  });

  it.each([
    ['?from=2026-13', 'from'],
    ['?to=26-01', 'to'],
    ['?from=2026-11&to=2026-06', 'to'],
    ['?from=2020-01&to=2026-01', 'from'],
    ['?departmentCode=D99', 'departmentCode'],
  ])('refuses %s naming %s', async (query, field) => {
    const answer = await get(query, keys.supervisor);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.body.errors.map((error: { field: string }) => error.field)).toEqual([field]);
  });

  it('is in the OpenAPI document, which stays valid', async () => {
    const document = (await stack.request('GET', '/api/openapi.json')).body;
    expect(document.paths['/api/rates'].get.parameters.map((parameter: { name: string }) => parameter.name)).toEqual(['from', 'to', 'departmentCode']);
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
  });
});

const signedIn = (key: string) => signInToDashboard(stack.apiUrl, key);

describe('the rates on the home pages', () => {
  it('draws the trend of all departments for a supervisor, with a table of each', async () => {
    const page = await (await signedIn(keys.supervisor))('/?lang=en');
    expect(page.status).toBe(200);
    expect(page.html).toContain('id="rates-heading"');
    expect(page.html).toMatch(/<svg[^>]*role="img"[^>]*aria-labelledby="rates-chart-title rates-chart-desc"/);
    expect(page.html).toContain('<title id="rates-chart-title">Month by month: All departments</title>');
    expect(page.html).toMatch(/<circle [^>]*><title>\d{4}-\d{2} · Response rate: 50% \(6\/12\)<\/title>/);
    expect(page.html).toContain('id="rates-table"');
    expect(page.html).toContain('<tbody data-department="D05">');
    expect(page.html).toContain('<tbody data-department="D06">');
    expect(page.html).toContain('id="rates-trend"');
  });

  it('draws one department chosen with ?ratesDepartment=', async () => {
    const page = await (await signedIn(keys.supervisor))('/?lang=en&ratesDepartment=D06');
    expect(page.html).toMatch(/<title id="rates-chart-title">Month by month: D06 [^<]+<\/title>/);
    expect(page.html).toContain('<option value="D06" selected>');
    expect(page.html).toContain('<tbody data-department="D06" class="selected">');
    expect(page.html).toMatch(/Response rate: 33\.3% \(2\/6\)/);
  });

  it("shows a department its own rates", async () => {
    const page = await (await signedIn(keys.d06))('/');
    expect(page.status).toBe(200);
    expect(page.html).toContain('id="rates-table"');
    expect(page.html).toContain('<tbody data-department="D06">');
    expect(page.html).not.toContain('data-department="D05"');
    expect(page.html).not.toContain('name="ratesDepartment"');
    expect(page.html).toContain('<svg');
  });
});
