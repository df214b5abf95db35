// Bad input gets a 400 problem+json naming the field, and nothing is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack.js';
import { entityListing, individualListing, residentId } from '../support/fixtures.js';

let stack: TestStack;
let clerk: string;

beforeAll(async () => {
  stack = await startTestStack();
  clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
});
afterAll(async () => stack?.stop());

async function rowCounts() {
  const [listings, tasks, events, notifications] = await Promise.all([
    stack.prisma.listing.count(),
    stack.prisma.task.count(),
    stack.prisma.event.count(),
    stack.prisma.notification.count(),
  ]);
  return { listings, tasks, events, notifications };
}

const fourteenYearOld = residentId('20120601', 7);

const cases: [string, unknown, string][] = [
  ['a bad check character in a credit code', entityListing({ debtor: { kind: 'entity', name: 'X公司', idNumber: '91350100M000100Y44' } }), 'debtor.idNumber'],
  ['a bad check character in a resident ID', individualListing({ debtor: { kind: 'individual', name: '李四', idNumber: '110105194912310021' } }), 'debtor.idNumber'],
  ['a bad legal representative ID', entityListing({ debtor: { kind: 'entity', name: 'X公司', idNumber: '91350100M000100Y43', legalRepresentative: { name: '张三', idNumber: '11010519491231002Y' } } }), 'debtor.legalRepresentative.idNumber'],
  ['a resident ID with an impossible birth date', individualListing({ debtor: { kind: 'individual', name: '李四', idNumber: residentId('19801332', 1) } }), 'debtor.idNumber'],
  ['an unknown circumstance', entityListing({ circumstance: 'owes-money' }), 'circumstance'],
  ['a missing case number', (({ caseNumber, ...rest }) => rest)(entityListing()), 'caseNumber'],
  ['a missing obligation description', entityListing({ obligation: { amountYuan: 5 } }), 'obligation.description'],
  ['an unknown debtor kind', entityListing({ debtor: { kind: 'robot', name: 'R2', idNumber: '1' } }), 'debtor.kind'],
  ['an unknown field', entityListing({ sneaky: true }), '(body)'],
  ['a minor', individualListing({ debtor: { kind: 'individual', name: '小明', idNumber: fourteenYearOld } }), 'debtor.idNumber'],
  ['a period for a circumstance without a fixed term', individualListing({ periodYears: 2 }), 'periodYears'],
  ['a period beyond the longest extension', entityListing({ periodYears: 6 }), 'periodYears'],
];

describe('POST /api/listings refuses bad input', () => {
  for (const [label, body, field] of cases) {
    it(`${label} → 400 naming ${field}`, async () => {
      const before = await rowCounts();
      const response = await stack.request('POST', '/api/listings', { key: clerk, body });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 400, title: expect.any(String), detail: expect.any(String) });
      const fields = (response.body.errors as { field: string }[]).map((e) => e.field);
      if (field === '(body)') expect(fields.join(' ')).toMatch(/\(body\)|sneaky/);
      else expect(fields).toContain(field);
      expect(await rowCounts()).toEqual(before);
    });
  }

  it('a minor is refused by the minors rule', async () => {
    const response = await stack.request('POST', '/api/listings', {
      key: clerk,
      body: individualListing({ debtor: { kind: 'individual', name: '小明', idNumber: fourteenYearOld } }),
    });
    expect(response.body.errors).toContainEqual(expect.objectContaining({ field: 'debtor.idNumber', rule: 'minor' }));
  });

  it('malformed JSON, a wrong media type and an oversized body are refused as problem+json', async () => {
    const before = await rowCounts();
    const malformed = await stack.request('POST', '/api/listings', { key: clerk, body: '{"caseNumber":', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    const wrongType = await stack.request('POST', '/api/listings', { key: clerk, body: 'caseNumber=1', headers: { 'content-type': 'text/plain' } });
    expect(wrongType.status).toBe(415);
    const huge = await stack.request('POST', '/api/listings', { key: clerk, body: entityListing({ obligation: { description: 'x'.repeat(200_000) } }) });
    expect(huge.status).toBe(413);
    for (const response of [malformed, wrongType, huge]) {
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect(await rowCounts()).toEqual(before);
  });
});

describe('authentication and roles', () => {
  it('a missing or unknown key is 401, a wrong role 403, an unknown route 404 — all problem+json', async () => {
    const department = await stack.key('department', { departmentCode: 'D05' });
    const admin = stack.adminKey;
    const checks = [
      [await stack.request('POST', '/api/listings', { body: entityListing() }), 401],
      [await stack.request('POST', '/api/listings', { key: 'jsc_not-a-key', body: entityListing() }), 401],
      [await stack.request('POST', '/api/listings', { key: department, body: entityListing() }), 403],
      [await stack.request('POST', '/api/listings', { key: admin, body: entityListing() }), 403],
      [await stack.request('GET', '/api/catalog', { key: admin }), 403],
      [await stack.request('GET', '/api/nothing-here', { key: clerk }), 404],
      [await stack.request('GET', '/api/listings/not-a-uuid', { key: clerk }), 404],
    ] as const;
    for (const [response, status] of checks) {
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect(await stack.prisma.listing.count()).toBe(0);
  });

  it('the admin creates keys; bad key requests are 400 naming the field', async () => {
    const created = await stack.request('POST', '/api/api-keys', { key: stack.adminKey, body: { name: 'clerk', role: 'clerk', courtCode: 'NX-01' } });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^jsc_[A-Za-z0-9_-]{43}$/);
    const works = await stack.request('GET', '/api/catalog', { key: created.body.key });
    expect(works.status).toBe(200);

    const unknownDepartment = await stack.request('POST', '/api/api-keys', { key: stack.adminKey, body: { name: 'd', role: 'department', departmentCode: 'D99' } });
    expect(unknownDepartment.status).toBe(400);
    expect(unknownDepartment.body.errors[0].field).toBe('departmentCode');
    const badRole = await stack.request('POST', '/api/api-keys', { key: stack.adminKey, body: { name: 'x', role: 'root' } });
    expect(badRole.status).toBe(400);
    expect(badRole.body.errors[0].field).toBe('role');
    const byClerk = await stack.request('POST', '/api/api-keys', { key: clerk, body: { name: 'x', role: 'admin' } });
    expect(byClerk.status).toBe(403);
  });

  it('a clerk key bound to a court cannot list for another court', async () => {
    const response = await stack.request('POST', '/api/listings', { key: clerk, body: entityListing({ courtCode: 'OTHER-COURT' }) });
    expect(response.status).toBe(403);
    expect(await stack.prisma.listing.count()).toBe(0);
  });
});
