// Inputs the fuzzer found, one test each: every request is answered below 500
// (quickly: a request that never returns counts as a failure), a refusal names
// the field and writes nothing, and no workflow is left retrying an activity
// that can never succeed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expiryOf } from '../../domain/circumstances.js';
import { createLinkToken } from '../../platform/signed-tokens.js';
import { createKeyring } from '../../platform/signing.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { creditCode, entityListing } from '../support/fixtures.js';
import { acknowledgeAndComplete, departmentKeys, list, listingStatus, tasksOf } from '../support/listing-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { sleep } from '../support/wait.js';
import { RawClient, NoAnswer, pendingWorkOf, problemDefect, snapshot, stopAbuseStack, type WireResponse } from './harness.js';

let stack: TestStack;
let client: RawClient;
let clerk: string;
let keyOf: (code: string) => Promise<string>;
let serial = 0;

beforeAll(async () => {
  stack = await startTestStack({ catalog: twoDepartmentCatalog() });
  client = new RawClient(stack.apiUrl);
  clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  keyOf = departmentKeys(stack);
});
afterAll(async () => {
  await stopAbuseStack(stack, client);
}, 60_000);

/** A listing of its own for each test, with its two impose tasks dispatched. */
async function freshListing() {
  serial++;
  const id = await list(stack, clerk, entityListing({ caseNumber: `（2026）宁01执${800 + serial}号`, debtor: { kind: 'entity', name: `测试公司${serial}`, idNumber: creditCode(8000 + serial) } }));
  const tasks = await tasksOf(stack, id, 'impose', 2);
  return { id, d05: tasks.find((task) => task.departmentCode === 'D05')!, d06: tasks.find((task) => task.departmentCode === 'D06')! };
}

/** Sends JSON text as is (so it may carry lone surrogates); a request unanswered after 5 s is a failure. */
async function send(method: string, path: string, key: string | null, body?: string, contentType = 'application/json'): Promise<WireResponse> {
  try {
    return await client.send(
      {
        method,
        path,
        headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'content-type': contentType } : {}) },
        body: body !== undefined ? Buffer.from(body, 'utf8') : undefined,
      },
      5_000,
    );
  } catch (error) {
    if (error instanceof NoAnswer) throw new Error(`${method} ${path} with ${JSON.stringify(body)}: ${error.message}`);
    throw error;
  }
}

function expectRefusal(response: WireResponse, field: string) {
  expect(response.status, response.text).toBe(400);
  expect(problemDefect(response)).toBeNull();
  expect((response.json as { errors?: { field: string }[] }).errors?.map((error) => error.field)).toContain(field);
}

/** The workflow has no activity that keeps failing (given a moment to fail). */
async function expectNoFailingActivity(listingId: string) {
  await sleep(1_500);
  const work = await pendingWorkOf(stack, listingId);
  const failing = work?.activities.filter((activity) => activity.lastFailure) ?? [];
  expect(failing.map((activity) => `${activity.type} (attempt ${activity.attempt}): ${activity.lastFailure?.replace(/\s+/g, ' ').slice(0, 200)}`)).toEqual([]);
}

const NUL = '\\u0000';
const LONE = '\\ud800';

describe('U+0000 and unpaired surrogates in text fields', () => {
  const listingWith = (caseNumber: string, name: string) =>
    `{"caseNumber":"${caseNumber}","courtCode":"NX-YC-01","debtor":{"kind":"entity","name":"${name}","idNumber":"91350100M000100Y43"},"circumstance":"evades-enforcement","obligation":{"description":"支付工程款"}}`;

  it.each([
    ['a NUL in the case number', listingWith(`（2026）宁01执${NUL}1号`, '某公司'), 'caseNumber'],
    ['a NUL in the debtor name', listingWith('（2026）宁01执2号', `某${NUL}公司`), 'debtor.name'],
    ['an unpaired surrogate in the case number', listingWith(`（2026）宁01执${LONE}3号`, '某公司'), 'caseNumber'],
    ['an unpaired surrogate in the debtor name', listingWith('（2026）宁01执4号', `某${LONE}公司`), 'debtor.name'],
  ])('POST /api/listings with %s → 400, nothing written', async (_label, body, field) => {
    const before = await snapshot(stack);
    expectRefusal(await send('POST', '/api/listings', clerk, body), field);
    expect(await snapshot(stack)).toEqual(before);
  });

  it('POST /api/api-keys with a NUL in the name → 400, no key', async () => {
    const before = await snapshot(stack);
    expectRefusal(await send('POST', '/api/api-keys', stack.adminKey, `{"name":"a${NUL}b","role":"clerk"}`), 'name');
    expect(await snapshot(stack)).toEqual(before);
  });

  it.each([
    ['/api/listings?q=%00', 'q'],
    ['/api/tasks?departmentCode=D%0005', 'departmentCode'],
    ['/api/supervision/overdue?departmentCode=D%0005', 'departmentCode'],
  ])('GET %s → 400 naming %s', async (path, field) => {
    const key = path.startsWith('/api/supervision') ? await stack.key('supervisor') : clerk;
    expectRefusal(await send('GET', path, key), field);
  });

  it.each([
    ['acknowledge', `{"by":"王${NUL}五"}`, 'by'],
    ['acknowledge', `{"by":"王五","note":"收到${NUL}"}`, 'note'],
    ['acknowledge', `{"by":"王${LONE}五"}`, 'by'],
    ['complete', `{"by":"王五","reference":"REF${NUL}1"}`, 'reference'],
    ['complete', `{"by":"王五","note":"${LONE}"}`, 'note'],
  ])('POST /api/tasks/:id/%s with %s → 400 at once; the task and its workflow carry on', async (action, body, field) => {
    const { id, d05 } = await freshListing();
    const key = await keyOf('D05');
    expectRefusal(await send('POST', `/api/tasks/${d05.id}/${action}`, key, body), field);
    await expectNoFailingActivity(id);
    // The department can still act, and the answer matches what is stored.
    const acknowledged = await send('POST', `/api/tasks/${d05.id}/acknowledge`, key, '{"by":"王五"}');
    expect(acknowledged.status).toBe(200);
    expect((acknowledged.json as { status: string }).status).toBe('acknowledged');
    expect((await stack.prisma.task.findUniqueOrThrow({ where: { id: d05.id } })).status).toBe('acknowledged');
  });

  it.each([
    ['performance', `{"note":"已履行${NUL}"}`, 'note'],
    ['revocation', `{"reason":"撤销${NUL}"}`, 'reason'],
    ['revocation', `{"reason":"${LONE}"}`, 'reason'],
    ['extension', `{"extensionYears":1,"reason":"延长${NUL}"}`, 'reason'],
  ])('POST /api/listings/:id/%s with %s → 400 at once; the listing stays as it was', async (action, body, field) => {
    const { id } = await freshListing();
    const before = await stack.prisma.listing.findUniqueOrThrow({ where: { id } });
    expectRefusal(await send('POST', `/api/listings/${id}/${action}`, clerk, body), field);
    await expectNoFailingActivity(id);
    const after = await stack.prisma.listing.findUniqueOrThrow({ where: { id } });
    expect({ status: after.status, periodYears: after.periodYears }).toEqual({ status: before.status, periodYears: before.periodYears });
  });

  it('an email-link note with a NUL is answered at once and leaves no activity failing', async () => {
    const { id, d05 } = await freshListing();
    const token = createLinkToken(createKeyring('test-secret'), { taskId: d05.id, action: 'acknowledge', expiresAt: Math.floor(Date.now() / 1000) + 3600 });
    const response = await send('POST', `/ack/${token}`, null, 'note=%E6%94%B6%E5%88%B0%00', 'application/x-www-form-urlencoded');
    expect(response.status).toBeLessThan(500);
    await expectNoFailingActivity(id);
    const task = await stack.prisma.task.findUniqueOrThrow({ where: { id: d05.id } });
    // Either the link acted (then the read model says so) or it refused (then nothing changed).
    expect(task.status).toBe(response.status === 200 ? 'acknowledged' : 'pending');
  });
});

describe('dates the database cannot store', () => {
  it.each(['0000-01-01T00:00:00Z', '0001-01-01T00:00:00+01:00'])('a performance date of %s → 400 naming performedAt, and the listing can still be lifted', async (performedAt) => {
    const { id } = await freshListing();
    expectRefusal(await send('POST', `/api/listings/${id}/performance`, clerk, JSON.stringify({ note: '已履行', performedAt })), 'performedAt');
    await expectNoFailingActivity(id);
    expect((await send('POST', `/api/listings/${id}/performance`, clerk, JSON.stringify({ note: '已履行' }))).status).toBe(202);
    await listingStatus(stack, id, 'lifting', 10_000);
  });

  it.each(['-000001-01-01T00:00:00Z', '0000-01-01T00:00:00.000Z'])('a listing cursor holding %s → 400 naming cursor', async (date) => {
    const { id } = await freshListing();
    const cursor = Buffer.from(`${date}|${id}`).toString('base64url');
    expectRefusal(await send('GET', `/api/listings?cursor=${cursor}`, clerk), 'cursor');
  });
});

describe('an extension right after the last impose task is completed', () => {
  it('is answered 200 and recorded, and the workflow, the listing row and a second extension agree', async () => {
    const outcomes: string[] = [];
    // The window is a few tens of milliseconds wide: several rounds, a little later each time.
    for (let round = 0; round < 8; round++) {
      const { id, d05, d06 } = await freshListing();
      for (const task of [d05, d06]) expect((await send('POST', `/api/tasks/${task.id}/acknowledge`, await keyOf(task.departmentCode), '{"by":"王五"}')).status).toBe(200);
      for (const task of [d05, d06]) expect((await send('POST', `/api/tasks/${task.id}/complete`, await keyOf(task.departmentCode), '{"by":"王五"}')).status).toBe(200);
      // At once: the workflow is continuing as new now that every impose task is done.
      await sleep((round % 4) * 15);
      const extended = await send('POST', `/api/listings/${id}/extension`, clerk, JSON.stringify({ extensionYears: 1, reason: '拒不履行' }));
      const again = await send('POST', `/api/listings/${id}/extension`, clerk, JSON.stringify({ extensionYears: 1, reason: '仍拒不履行' }));
      const row = await stack.prisma.listing.findUniqueOrThrow({ where: { id } });
      outcomes.push(
        `round ${round}: first ${extended.status} ${extended.status === 200 ? '' : extended.text.slice(0, 140)}; second ${again.status} ${again.status === 200 ? '' : again.text.slice(0, 140)}; periodYears ${row.periodYears}`,
      );
      expect.soft(extended.status, outcomes.at(-1)).toBe(200);
      expect.soft(again.status, outcomes.at(-1)).toBe(200);
      expect.soft(row.periodYears, outcomes.at(-1)).toBe(4);
      expect.soft(row.expiresAt?.toISOString(), `${outcomes.at(-1)}: the stored expiry`).toBe(expiryOf(row.listedAt, 4)?.toISOString());
    }
  });
});

describe('listing again', () => {
  it('the same court, case number and debtor after the listing was revoked and closed → 201, a new listing with its own workflow; the closed one stays closed (art. 10 ¶3)', async () => {
    const body = entityListing({ caseNumber: '（2026）宁01执899号', debtor: { kind: 'entity', name: '已撤销公司', idNumber: creditCode(8999) } });
    const id = await list(stack, clerk, body);
    await tasksOf(stack, id, 'impose', 2);
    expect((await send('POST', `/api/listings/${id}/revocation`, clerk, JSON.stringify({ reason: '错误纳入' }))).status).toBe(202);
    await acknowledgeAndComplete(stack, keyOf, await tasksOf(stack, id, 'lift', 2));
    await listingStatus(stack, id, 'revoked');
    const workflow = stack.temporal.workflow.getHandle(`sanction-${id}`);
    await workflow.result();

    const again = await send('POST', '/api/listings', clerk, JSON.stringify(body));
    expect(again.status, again.text).toBe(201);
    const relisted = again.json as { id: string; status: string };
    expect(relisted.id).not.toBe(id);
    expect(relisted.status).toBe('active');
    await tasksOf(stack, relisted.id, 'impose', 2);
    expect((await workflow.describe()).status.name).toBe('COMPLETED');
    expect((await stack.prisma.listing.findUniqueOrThrow({ where: { id } })).status).toBe('revoked');
    // The same body again while the new listing is active: that listing, nothing new.
    const repeat = await send('POST', '/api/listings', clerk, JSON.stringify(body));
    expect(repeat.status).toBe(200);
    expect((repeat.json as { id: string }).id).toBe(relisted.id);
  });
});
