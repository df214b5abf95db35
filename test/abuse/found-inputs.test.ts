// Inputs the fuzzer found, one test each: every request is answered below 500
// (quickly: a request that never returns counts as a failure), a refusal names
// the field and writes nothing, and no workflow is left retrying an activity
// that can never succeed. A test marked `it.fails` pins a known defect of the
// product: it passes while the defect is there; once the product is fixed it
// fails, and the mark goes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expiryOf } from '../../domain/circumstances.js';
import { createAssetAnswerToken, createLinkToken } from '../../platform/signed-tokens.js';
import { createKeyring } from '../../platform/signing.js';
import { generateSigningKey, signDocument, type SigningKey } from '../../platform/signed-documents.js';
import { defaultInstitutionDirectory } from '../../domain/institutions.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { VALID_CREDIT_CODE, creditCode, entityListing } from '../support/fixtures.js';
import { acknowledgeAndComplete, departmentKeys, list, listingStatus, tasksOf } from '../support/listing-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { sleep, waitUntil } from '../support/wait.js';
import { RawClient, NoAnswer, freezeWorkflowIds, pendingWorkOf, problemDefect, settle, snapshot, snapshotDiff, stopAbuseStack, type WireResponse } from './harness.js';
import { assetSearchWorkflowIdOf, freezeWorkflowIdOf } from '../../workflows/workflow-id.js';

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

describe('asset searches: institutions, keys, answers, links', () => {
  const [icbc, abc] = defaultInstitutionDirectory.institutions;
  let institutionKey: string;
  let seal: SigningKey;
  let searches = 0;

  beforeAll(async () => {
    institutionKey = await stack.key('institution', { institutionCode: icbc!.code });
    seal = generateSigningKey('Ed25519');
    expect((await send('POST', `/api/institutions/${icbc!.code}/keys`, institutionKey, JSON.stringify({ keyId: 'icbc-seal-1', publicKey: seal.publicKey }))).status).toBe(201);
  });

  /** A search of ICBC and ABC of its own, its notices delivered (so that nothing writes in the background while a refusal is checked). */
  async function icbcRequest(): Promise<{ searchId: string; requestId: string; abcRequestId: string }> {
    searches++;
    const created = await send('POST', '/api/asset-searches', clerk, JSON.stringify({ caseNumber: `（2026）宁01执${700 + searches}号`, debtor: { kind: 'entity', name: `查控公司${searches}`, idNumber: creditCode(7000 + searches) }, institutions: [icbc!.code, abc!.code] }));
    expect(created.status, created.text).toBe(201);
    const search = created.json as { id: string; requests: { id: string; institutionCode: string }[] };
    const of = (code: string) => search.requests.find((request) => request.institutionCode === code)!.id;
    await waitUntil(async () => (await stack.prisma.assetRequest.count({ where: { searchId: search.id, deliveredAt: null } })) === 0, 'the notices delivered');
    await settle(stack, [], 15_000, [assetSearchWorkflowIdOf(search.id)]);
    return { searchId: search.id, requestId: of(icbc!.code), abcRequestId: of(abc!.code) };
  }

  const signed = (requestId: string, body: Record<string, unknown>) => {
    const { requestId: _, ...answer } = signDocument({ requestId, ...body }, { keyId: 'icbc-seal-1', alg: 'Ed25519', privateKey: seal.privateKey });
    return answer;
  };

  it.each([
    ['a NUL in a finding’s description', `{"kind":"deposit","description":"活期${NUL}存款"}`, 'findings.0.description'],
    ['an unpaired surrogate in an account', `{"kind":"deposit","account":"6222${LONE}","description":"活期存款"}`, 'findings.0.account'],
    ['a negative amount', '{"kind":"deposit","amountYuan":-1,"description":"活期存款"}', 'findings.0.amountYuan'],
    ['an amount of 1e400', '{"kind":"deposit","amountYuan":1e400,"description":"活期存款"}', 'findings.0.amountYuan'],
    ['a kind that is not an asset kind', '{"kind":"bitcoin","description":"钱包"}', 'findings.0.kind'],
    ['a lower-case currency', '{"kind":"deposit","currency":"cny","description":"活期存款"}', 'findings.0.currency'],
  ])('POST /api/asset-requests/:id/answer with %s → 400 naming it; nothing written, the request still open', async (_label, finding, field) => {
    const { requestId } = await icbcRequest();
    const before = await snapshot(stack);
    expectRefusal(await send('POST', `/api/asset-requests/${requestId}/answer`, institutionKey, `{"findings":[${finding}],"signature":"AAAA","keyId":"icbc-seal-1"}`), field);
    expect(await snapshot(stack)).toEqual(before);
    expect((await stack.prisma.assetRequest.findUniqueOrThrow({ where: { id: requestId } })).status).toBe('open');
  });

  it('an answer signed over other findings → 400 naming signature; the request stays open, the refusal is in its audit trail', async () => {
    const { requestId } = await icbcRequest();
    const before = await snapshot(stack);
    const tampered = { ...signed(requestId, { findings: [] }), findings: [{ kind: 'deposit', amountYuan: 1, description: '改过的' }] };
    const response = await send('POST', `/api/asset-requests/${requestId}/answer`, institutionKey, JSON.stringify(tampered));
    expectRefusal(response, 'signature');
    expect(await snapshot(stack)).toEqual(before);
    expect((await stack.prisma.assetEvent.findMany({ where: { requestId, type: 'answer-refused' } })).map((event) => (event.data as { reason: string }).reason)).toEqual(['bad-signature']);
    expect((await stack.prisma.assetRequest.findUniqueOrThrow({ where: { id: requestId } })).status).toBe('open');
  });

  it('an answer naming another request, even signed for it → 400 naming requestId: an answer cannot be replayed onto another request', async () => {
    const { requestId, abcRequestId } = await icbcRequest();
    const before = await snapshot(stack);
    const forOther = signDocument({ requestId: abcRequestId, findings: [] }, { keyId: 'icbc-seal-1', alg: 'Ed25519', privateKey: seal.privateKey });
    expectRefusal(await send('POST', `/api/asset-requests/${requestId}/answer`, institutionKey, JSON.stringify(forOther)), 'requestId');
    expect(await snapshot(stack)).toEqual(before);
  });

  it.each([
    ['["ICBC","ICBC"]', 'institutions.1'],
    ['["icbc"]', 'institutions.0'],
    ['[]', 'institutions'],
    ['"ALL"', 'institutions'],
  ])('POST /api/asset-searches with institutions %s → 400 naming %s; no search', async (institutions, field) => {
    const before = await snapshot(stack);
    const body = `{"caseNumber":"（2026）宁01执799号","debtor":{"kind":"entity","name":"某公司","idNumber":"${VALID_CREDIT_CODE}"},"institutions":${institutions}}`;
    expectRefusal(await send('POST', '/api/asset-searches', clerk, body), field);
    expect(await snapshot(stack)).toEqual(before);
  });

  it.each([
    ['31 bytes as an Ed25519 key', { keyId: 'k-short', publicKey: Buffer.alloc(31).toString('base64') }],
    ['an SM2 point as an Ed25519 key', { keyId: 'k-sm2', publicKey: generateSigningKey('SM2').publicKey, alg: 'Ed25519' }],
    ['an Ed25519 key as an SM2 point', { keyId: 'k-ed', publicKey: generateSigningKey('Ed25519').publicKey, alg: 'SM2' }],
    ['the base64url alphabet', { keyId: 'k-url', publicKey: 'A-_A'.repeat(11) }],
  ])('POST /api/institutions/:code/keys with %s → 400 naming publicKey; no key', async (_label, body) => {
    const before = await snapshot(stack);
    expectRefusal(await send('POST', `/api/institutions/${icbc!.code}/keys`, institutionKey, JSON.stringify(body)), 'publicKey');
    expect(await snapshot(stack)).toEqual(before);
  });

  it.each([
    [{ name: 'bank', role: 'institution' }, 'institutionCode'],
    [{ name: 'bank', role: 'institution', institutionCode: 'NOPE' }, 'institutionCode'],
    [{ name: 'bank', role: 'institution', institutionCode: 'ICBC', departmentCode: 'D05' }, 'departmentCode'],
    [{ name: 'clerk', role: 'clerk', institutionCode: 'ICBC' }, 'institutionCode'],
  ])('POST /api/api-keys with %j → 400 naming %s; no key', async (body, field) => {
    const before = await snapshot(stack);
    expectRefusal(await send('POST', '/api/api-keys', stack.adminKey, JSON.stringify(body)), field);
    expect(await snapshot(stack)).toEqual(before);
  });

  it.each([
    ['an amount that is not a number', 'kind0=deposit&amount0=abc&description0=%E5%AD%98%E6%AC%BE'],
    ['an amount of 1e400', 'kind0=deposit&amount0=1e400&description0=%E5%AD%98%E6%AC%BE'],
    ['a NUL in the description', 'kind0=deposit&description0=%E5%AD%98%00'],
    ['a kind that is not an asset kind', 'kind0=bitcoin&description0=%E9%92%B1%E5%8C%85'],
  ])('the email link’s form with %s → 400 page; nothing written, the request still open', async (_label, form) => {
    const { requestId } = await icbcRequest();
    const token = createAssetAnswerToken(createKeyring('test-secret'), { requestId, expiresAt: Math.floor(Date.now() / 1000) + 3600 });
    const before = await snapshot(stack);
    const response = await send('POST', `/asset-answers/${token}`, null, form, 'application/x-www-form-urlencoded');
    expect(response.status, response.text.slice(0, 300)).toBe(400);
    expect(await snapshot(stack)).toEqual(before);
    expect((await stack.prisma.assetRequest.findUniqueOrThrow({ where: { id: requestId } })).status).toBe('open');
  });

  // Known defects: each passes while the product still has it.

  const withNul = (directory: { region: string; institutions: Record<string, unknown>[] }) => ({ ...directory, institutions: [{ ...directory.institutions[0], name: '银行\u0000' }, ...directory.institutions.slice(1)] });
  const withLoneSurrogate = (directory: { region: string; institutions: Record<string, unknown>[] }) => ({ ...directory, region: '\ud800' });
  const unstorableDirectories = [
    ['a NUL in an institution’s name', withNul],
    ['an unpaired surrogate in the region', withLoneSurrogate],
  ] as const;
  const importDirectory = (change: (typeof unstorableDirectories)[number][1]) =>
    send('POST', '/api/institutions', stack.adminKey, JSON.stringify(change({ region: 'found', institutions: defaultInstitutionDirectory.institutions.slice(0, 2) })));

  it.each(unstorableDirectories)('POST /api/institutions with %s is answered problem+json and writes nothing', async (_label, change) => {
    const before = await snapshot(stack);
    const response = await importDirectory(change);
    expect(problemDefect(response)).toBeNull();
    expect(await snapshot(stack)).toEqual(before);
  });

  it.each(unstorableDirectories)('POST /api/institutions with %s → 400', async (_label, change) => {
    expect((await importDirectory(change)).status).toBe(400);
  });

  it('GET /api/signing-keys with a court code of 1,025 bytes → 400 naming courtCode', async () => {
    expectRefusal(await send('GET', `/api/signing-keys?courtCode=${'X'.repeat(1025)}`, clerk), 'courtCode');
  });

  it('the same answer again with an amount of 0.005 yuan → 200, nothing changed (it was stored as 0.01)', async () => {
    const { requestId } = await icbcRequest();
    const answer = JSON.stringify(signed(requestId, { findings: [{ kind: 'deposit', amountYuan: 0.005, description: '活期存款' }] }));
    expect((await send('POST', `/api/asset-requests/${requestId}/answer`, institutionKey, answer)).status).toBe(201);
    const again = await send('POST', `/api/asset-requests/${requestId}/answer`, institutionKey, answer);
    expect(again.status, again.text).toBe(200);
  });

  it('a directory imported again is the one searches go out under', async () => {
    const earlier = { region: 'found', institutions: defaultInstitutionDirectory.institutions };
    const later = { region: 'found', institutions: [...defaultInstitutionDirectory.institutions, { ...icbc!, code: 'FOUND-1', name: '试验银行' }] };
    const importOf = async (directory: unknown) => (await send('POST', '/api/institutions', stack.adminKey, JSON.stringify(directory))).json as { version: number };
    await importOf(earlier);
    await importOf(later);
    const { version } = await importOf(earlier);
    expect(((await send('GET', '/api/institutions', clerk)).json as { version: number }).version).toBe(version);
    const created = await send('POST', '/api/asset-searches', clerk, JSON.stringify({ caseNumber: '（2026）宁01执798号', debtor: { kind: 'entity', name: '某公司', idNumber: VALID_CREDIT_CODE }, institutions: [icbc!.code] }));
    expect((created.json as { directoryVersion: number }).directoryVersion).toBe(version);
  });
});

describe('control orders: orders, confirmations, releases', () => {
  const [icbc] = defaultInstitutionDirectory.institutions;
  const KEY_ID = 'icbc-seal-control';
  let bank: string;
  let seal: SigningKey;
  let cases = 0;

  beforeAll(async () => {
    bank = await stack.key('institution', { institutionCode: icbc!.code });
    seal = generateSigningKey('Ed25519');
    expect((await send('POST', `/api/institutions/${icbc!.code}/keys`, bank, JSON.stringify({ keyId: KEY_ID, publicKey: seal.publicKey }))).status).toBe(201);
  });

  /** The workflows of every search and freeze have nothing outstanding, so that nothing writes while a refusal is checked. */
  async function quiet() {
    const searches = await stack.prisma.assetSearch.findMany({ select: { id: true } });
    await settle(stack, [], 15_000, [...searches.map((search) => assetSearchWorkflowIdOf(search.id)), ...(await freezeWorkflowIds(stack))]);
  }

  /** A search of a case of its own, which the institution answers with deposits of 10,000 yuan; their finding ids, in account order. */
  async function deposits(count: number, { code = icbc!.code, key = bank, keyId = KEY_ID, signer = seal, caseNumber = `（2026）宁01执${600 + ++cases}号`, idNumber = creditCode(6000 + cases) } = {}) {
    const created = await send('POST', '/api/asset-searches', clerk, JSON.stringify({ caseNumber, debtor: { kind: 'entity', name: `冻结公司${cases}`, idNumber }, institutions: [code] }));
    expect(created.status, created.text).toBe(201);
    const requestId = (created.json as { requests: { id: string }[] }).requests[0]!.id;
    const findings = Array.from({ length: count }, (_unused, n) => ({ kind: 'deposit', account: `6222-${n}`, amountYuan: 10_000, description: `存款 ${n}` }));
    const { requestId: _, ...answer } = signDocument({ requestId, findings }, { keyId, alg: 'Ed25519', privateKey: signer.privateKey });
    const answered = await send('POST', `/api/asset-requests/${requestId}/answer`, key, JSON.stringify(answer));
    expect(answered.status, answered.text).toBe(201);
    return ((answered.json as { findings: { id: string; account: string }[] }).findings).sort((a, b) => a.account.localeCompare(b.account)).map((finding) => finding.id);
  }

  /** The institution's confirmation as it signs it: over the body without signature and keyId, with the order id. */
  const confirmation = (orderId: string, body: Record<string, unknown>, signer = seal, keyId = KEY_ID) => {
    const { orderId: _, ...signed } = signDocument({ orderId, ...body }, { keyId, alg: 'Ed25519', privateKey: signer.privateKey });
    return signed;
  };
  const confirm = (orderId: string, body: Record<string, unknown>, key = bank) => send('POST', `/api/control-orders/${orderId}/confirm`, key, JSON.stringify(body));
  const now = () => new Date().toISOString();

  async function order(body: Record<string, unknown>) {
    const ordered = await send('POST', '/api/control-orders', clerk, JSON.stringify(body));
    expect(ordered.status, ordered.text).toBe(201);
    return ordered.json as { id: string; freezeId: string };
  }

  /** A deposit frozen and the freeze confirmed; then a release of it ordered. */
  async function releaseOrdered() {
    const [finding] = await deposits(1);
    const frozen = await order({ findingId: finding, action: 'freeze' });
    expect((await confirm(frozen.id, confirmation(frozen.id, { amountYuan: 10_000, reference: 'F-1', effectiveAt: now() }))).status).toBe(201);
    const release = await order({ findingId: finding, action: 'release' });
    await quiet();
    return release;
  }

  it.each([
    ['a finding id that is not a UUID', 'findingId', '{"findingId":"not-a-uuid","action":"freeze"}'],
    ['an action that is no measure', 'action', '{"findingId":"{{finding}}","action":"seize"}'],
    ['a negative amount', 'amountYuan', '{"findingId":"{{finding}}","action":"freeze","amountYuan":-1}'],
    ['an amount of 1e400', 'amountYuan', '{"findingId":"{{finding}}","action":"freeze","amountYuan":1e400}'],
    ['an end on 30 February', 'until', '{"findingId":"{{finding}}","action":"freeze","until":"2027-02-30T00:00:00Z"}'],
    ['a release reason that is none', 'reason', '{"findingId":"{{finding}}","action":"release","reason":"whim"}'],
    ['an officer address that is none', 'officerEmail', '{"findingId":"{{finding}}","action":"freeze","officerEmail":"not-an-email"}'],
    ['a member the schema does not know', '(body)', '{"findingId":"{{finding}}","action":"freeze","courtCode":"NX-YC-02"}'],
  ])('POST /api/control-orders with %s → 400 naming %s; nothing written', async (_label, field, body) => {
    const [finding] = await deposits(1);
    await quiet();
    const before = await snapshot(stack);
    expectRefusal(await send('POST', '/api/control-orders', clerk, body.replace('{{finding}}', finding!)), field);
    expect(await snapshot(stack)).toEqual(before);
  });

  it.each([
    ['an unknown finding', 'findingId', { findingId: '00000000-0000-4000-8000-000000000000', action: 'freeze' }],
    ['a freeze of a deposit for a year and a day', 'until', { action: 'freeze', until: new Date(Date.now() + 367 * 86_400_000).toISOString() }],
    ['a freeze of nothing', 'amountYuan', { action: 'freeze', amountYuan: 0 }],
  ])('POST /api/control-orders with %s → 400 naming %s; no freeze, no order', async (_label, field, body) => {
    const [finding] = await deposits(1);
    await quiet();
    const before = await snapshot(stack);
    expectRefusal(await send('POST', '/api/control-orders', clerk, JSON.stringify({ findingId: finding, ...body })), field);
    expect(await snapshot(stack)).toEqual(before);
  });

  it.each([
    ['a NUL in the reference', 'reference', { reference: `REF${'\u0000'}1` }],
    ['a negative amount', 'amountYuan', { amountYuan: -0.01 }],
    ['an effectiveAt that is no instant', 'effectiveAt', { effectiveAt: 'yesterday' }],
    ['an effectiveAt without its offset', 'effectiveAt', { effectiveAt: '2026-12-01T10:00:00' }],
    ['a signature that is not base64', 'signature', { signature: 'not base64!' }],
    ['no key id', 'keyId', { keyId: undefined }],
  ])('POST /api/control-orders/:id/confirm with %s → 400 naming %s; nothing written, the order still open', async (_label, field, change) => {
    const release = await releaseOrdered();
    const before = await snapshot(stack);
    const body = { ...confirmation(release.id, { amountYuan: 10_000, reference: 'R-1', effectiveAt: now() }), ...change };
    expectRefusal(await confirm(release.id, body), field);
    expect(await snapshot(stack)).toEqual(before);
    expect((await stack.prisma.controlOrder.findUniqueOrThrow({ where: { id: release.id } })).status).toBe('open');
  });

  it('a confirmation signed over another amount → 400 naming signature; the order stays open, the refusal is in the search’s audit trail', async () => {
    const release = await releaseOrdered();
    const before = await snapshot(stack);
    const tampered = { ...confirmation(release.id, { amountYuan: 10_000, reference: 'R-1', effectiveAt: now() }), amountYuan: 1 };
    expectRefusal(await confirm(release.id, tampered), 'signature');
    expect(await snapshot(stack)).toEqual(before);
    const refused = await stack.prisma.assetEvent.findMany({ where: { type: 'confirmation-refused' } });
    expect(refused.filter((event) => (event.data as { orderId: string }).orderId === release.id).map((event) => (event.data as { reason: string }).reason)).toEqual(['bad-signature']);
    expect((await stack.prisma.controlOrder.findUniqueOrThrow({ where: { id: release.id } })).status).toBe('open');
  });

  it('a confirmation under a key never registered → 400 naming keyId (rule unknown-key); recorded as refused, nothing else written', async () => {
    const release = await releaseOrdered();
    const before = await snapshot(stack);
    const response = await confirm(release.id, confirmation(release.id, { amountYuan: 10_000, reference: 'R-1', effectiveAt: now() }, generateSigningKey('Ed25519'), 'icbc-never-registered'));
    expectRefusal(response, 'keyId');
    expect((response.json as { errors: { rule: string }[] }).errors[0]!.rule).toBe('unknown-key');
    expect(await snapshot(stack)).toEqual(before);
    const refused = await stack.prisma.assetEvent.findMany({ where: { type: 'confirmation-refused' } });
    expect(refused.filter((event) => (event.data as { orderId: string }).orderId === release.id)).toHaveLength(1);
  });

  it('a confirmation naming another order, even signed for it → 400 naming orderId: a confirmation cannot be replayed onto another order', async () => {
    const release = await releaseOrdered();
    const other = await releaseOrdered();
    const before = await snapshot(stack);
    const forOther = signDocument({ orderId: other.id, amountYuan: 10_000, reference: 'R-1', effectiveAt: now() }, { keyId: KEY_ID, alg: 'Ed25519', privateKey: seal.privateKey });
    expectRefusal(await confirm(release.id, forOther), 'orderId');
    expect(await snapshot(stack)).toEqual(before);
  });

  it('the same confirmation again → 200, nothing changed; another amount → 409', async () => {
    const release = await releaseOrdered();
    const body = confirmation(release.id, { amountYuan: 10_000, reference: 'R-1', effectiveAt: now() });
    expect((await confirm(release.id, body)).status).toBe(201);
    await quiet();
    const before = await snapshot(stack);
    const again = await confirm(release.id, body);
    expect(again.status, again.text).toBe(200);
    const other = await confirm(release.id, confirmation(release.id, { amountYuan: 9_999, reference: 'R-1', effectiveAt: now() }));
    expect(other.status, other.text).toBe(409);
    expect(problemDefect(other)).toBeNull();
    expect(await snapshot(stack)).toEqual(before);
  });

  it('POST /api/listings/:id/freeze-releases with a reason that is none → 400 naming reason; nothing written', async () => {
    const { id } = await freshListing();
    await quiet();
    const before = await snapshot(stack);
    expectRefusal(await send('POST', `/api/listings/${id}/freeze-releases`, clerk, '{"reason":"whim"}'), 'reason');
    expect(await snapshot(stack)).toEqual(before);
  });

  // Known defects: each passes while the product still has it.

  const beforeYearOne = ['0000-01-01T00:00:00Z', '0001-01-01T00:00:00+01:00'];

  it.each(beforeYearOne)('a release confirmed as effective at %s is answered problem+json and writes nothing; the order stays open', async (effectiveAt) => {
    const release = await releaseOrdered();
    const before = await snapshot(stack);
    const response = await confirm(release.id, confirmation(release.id, { amountYuan: 10_000, reference: 'R-1', effectiveAt }));
    expect(problemDefect(response)).toBeNull();
    expect(await snapshot(stack)).toEqual(before);
    expect((await stack.prisma.controlOrder.findUniqueOrThrow({ where: { id: release.id } })).status).toBe('open');
  });

  it.each(beforeYearOne)('a release confirmed as effective at %s → 400 naming effectiveAt', async (effectiveAt) => {
    const release = await releaseOrdered();
    expectRefusal(await confirm(release.id, confirmation(release.id, { amountYuan: 10_000, reference: 'R-1', effectiveAt })), 'effectiveAt');
  });

  it('a release confirmed as effective after 9999 → 400 naming effectiveAt, and the orders can still be listed', async () => {
    const release = await releaseOrdered();
    const supervisor = await stack.key('supervisor');
    try {
      const response = await confirm(release.id, confirmation(release.id, { amountYuan: 10_000, reference: 'R-1', effectiveAt: '9999-12-31T23:59:59-14:00' }));
      expect.soft((await send('GET', '/api/control-orders', supervisor)).status, 'the orders are listed').toBe(200);
      expect.soft((await stack.prisma.controlOrder.findUniqueOrThrow({ where: { id: release.id } })).status, 'the order is still open').toBe('open');
      expectRefusal(response, 'effectiveAt');
    } finally {
      // What the defect stored cannot be read back: put it within range, so that no later test meets it.
      await stack.prisma.$executeRaw`UPDATE "ControlOrder" SET "effectiveAt" = now() WHERE "effectiveAt" > '9999-12-31T23:59:59.999Z'::timestamp`;
      await stack.prisma.$executeRaw`UPDATE "Freeze" SET "endedAt" = now() WHERE "endedAt" > '9999-12-31T23:59:59.999Z'::timestamp`;
      await quiet();
    }
  });

  it('releasing the freezes of a case when one institution does not release online releases the others and leaves that one out', async () => {
    // An institution that freezes online but does not release online, beside ICBC, which does both.
    const withdrawn = { ...icbc!, code: 'FOUND-NOREL', name: '只冻结银行', capabilities: ['query', 'freeze'] };
    const imported = await send('POST', '/api/institutions', stack.adminKey, JSON.stringify({ region: 'found', institutions: [...defaultInstitutionDirectory.institutions, withdrawn] }));
    expect(imported.status, imported.text).toBe(201);
    const noRelease = { code: withdrawn.code, key: await stack.key('institution', { institutionCode: withdrawn.code }), keyId: 'norel-seal-1', signer: generateSigningKey('Ed25519') };
    expect((await send('POST', `/api/institutions/${withdrawn.code}/keys`, noRelease.key, JSON.stringify({ keyId: noRelease.keyId, publicKey: noRelease.signer.publicKey }))).status).toBe(201);
    // One case, one debtor: a deposit at each, both frozen (ICBC's first), and the case listed.
    const caseNumber = `（2026）宁01执${600 + ++cases}号`;
    const idNumber = creditCode(6000 + cases);
    const listing = await list(stack, clerk, entityListing({ caseNumber, debtor: { kind: 'entity', name: '两行冻结公司', idNumber } }));
    for (const at of [{ code: icbc!.code, key: bank, keyId: KEY_ID, signer: seal }, noRelease]) {
      const [finding] = await deposits(1, { ...at, caseNumber, idNumber });
      const frozen = await order({ findingId: finding, action: 'freeze' });
      const confirmed = await confirm(frozen.id, confirmation(frozen.id, { amountYuan: 10_000, reference: 'F-1', effectiveAt: now() }, at.signer, at.keyId), at.key);
      expect(confirmed.status, confirmed.text).toBe(201);
    }
    await quiet();
    const before = await snapshot(stack);
    const response = await send('POST', `/api/listings/${listing}/freeze-releases`, clerk, '{"reason":"performance"}');
    const written = snapshotDiff(before, await snapshot(stack));
    await quiet();
    expect(response.status, response.text).toBeLessThan(500);
    if (response.status >= 400) expect(written, `answered ${response.status} ${response.text.slice(0, 200)}`).toEqual([]);
    else expect((response.json as { institutionCode: string }[]).map((release) => release.institutionCode)).toEqual([icbc!.code]);
  });

  it('two freeze orders of one finding at once → one freeze, the others refused 409', async () => {
    const outcomes: string[] = [];
    // The window is a transaction wide: a few rounds of eight at once.
    for (let round = 0; round < 4; round++) {
      const [finding] = await deposits(1);
      const statuses = await Promise.all(
        Array.from({ length: 8 }, () =>
          fetch(`${stack.apiUrl}/api/control-orders`, { method: 'POST', headers: { authorization: `Bearer ${clerk}`, 'content-type': 'application/json' }, body: JSON.stringify({ findingId: finding, action: 'freeze' }) }).then((response) => response.status),
        ),
      );
      const freezes = await stack.prisma.freeze.findMany({ where: { findingId: finding }, select: { id: true } });
      await settle(stack, [], 15_000, freezes.map((freeze) => freezeWorkflowIdOf(freeze.id)));
      outcomes.push(`round ${round}: ${statuses.sort().join(' ')}; ${freezes.length} freezes`);
      expect.soft(freezes, outcomes.at(-1)).toHaveLength(1);
      expect.soft(statuses.filter((status) => status === 201), outcomes.at(-1)).toHaveLength(1);
      expect.soft(statuses.filter((status) => status !== 201).every((status) => status === 409), outcomes.at(-1)).toBe(true);
    }
  });
});
