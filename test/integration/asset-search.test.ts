// An asset search of a small directory, end to end on the real stack: the
// court's signed notices reach each institution once (webhook or email), the
// institutions answer by API (Ed25519 and SM2 signatures), by webhook-fed
// system and by the email link; a bad signature is refused and recorded; the
// one institution that stays silent is reminded and escalated, once per step.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { defaultInstitutionDirectory, type InstitutionDirectory } from '../../domain/institutions.js';
import { generateSigningKey, signDocument, verifyDocument, type SigningKey } from '../../platform/signed-documents.js';
import { parsePolicy } from '../../domain/policy.js';
import { VALID_CREDIT_CODE } from '../support/fixtures.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';
import { waitUntil } from '../support/wait.js';
import { recordHistory } from '../support/record-history.js';
import { createAssetAnswerToken } from '../../platform/signed-tokens.js';
import { createKeyring } from '../../platform/signing.js';

// Answers are due 15 s after the search; the reminder 7 s before; the supervisor at the deadline, the office 2 s later.
const policy = parsePolicy({
  assets: { answer: 'PT15S', confirm: 'PT15S' },
  reminderBefore: 'PT7S',
  escalation: [
    { after: 'PT0S', notify: 'department-supervisor' },
    { after: 'PT2S', notify: 'coordinating-office' },
  ],
});
const [icbc, abc, boc, ccb, bocom] = defaultInstitutionDirectory.institutions;
const directory: InstitutionDirectory = { region: 'test', institutions: [icbc!, abc!, boc!, ccb!, bocom!] };
const COURT = 'FJ-XM-0203';

let stack: TestStack;
let clerk: string;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
const keys = new Map<string, { apiKey: string; signing: SigningKey; keyId: string }>();

beforeAll(async () => {
  stack = await startTestStack({ policy, institutions: directory });
  receiver = await startWebhookReceiver();
  clerk = await stack.key('clerk', { courtCode: COURT });
  for (const [institution, alg] of [[icbc!, 'Ed25519'], [abc!, 'SM2'], [boc!, 'Ed25519'], [ccb!, 'Ed25519'], [bocom!, 'Ed25519']] as const) {
    const apiKey = await stack.key('institution', { institutionCode: institution.code });
    const signing = generateSigningKey(alg);
    const keyId = `${institution.code.toLowerCase()}-seal-1`;
    const registered = await stack.request('POST', `/api/institutions/${institution.code}/keys`, { key: apiKey, body: { keyId, publicKey: signing.publicKey, alg } });
    expect(registered.status).toBe(201);
    keys.set(institution.code, { apiKey, signing, keyId });
  }
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.stop();
});

const noticesTo = (address: string, type: string) => stack.mail.messages.filter((m) => m.envelopeTo.includes(address) && m.headers['x-notice-type'] === type);

/** An institution's signed answer: the signature covers the findings and the request id. */
function signedAnswer(code: string, requestId: string, findings: unknown[]) {
  const { signing, keyId } = keys.get(code)!;
  const { requestId: _, ...body } = signDocument({ requestId, findings }, { keyId, alg: signing.alg, privateKey: signing.privateKey });
  return body;
}

describe('asset search of a small directory', () => {
  it('delivers, collects signed answers from every channel, refuses a bad signature, and escalates the silent institution once per step', async () => {
    // BOC's own system takes its requests by webhook.
    const hook = await stack.request('POST', '/api/webhooks', { key: keys.get(boc!.code)!.apiKey, body: { url: receiver.url } });
    expect(hook.status).toBe(201);

    const created = await stack.request('POST', '/api/asset-searches', {
      key: clerk,
      body: { caseNumber: '（2026）闽0203执88号', debtor: { kind: 'entity', name: '厦门某某贸易有限公司', idNumber: VALID_CREDIT_CODE }, institutions: 'all' },
    });
    expect(created.status).toBe(201);
    const search = created.body;
    expect(search.requests.map((r: { institutionCode: string }) => r.institutionCode).sort()).toEqual([abc!.code, boc!.code, bocom!.code, ccb!.code, icbc!.code].sort());
    expect(search.requests.every((r: { status: string }) => r.status === 'open')).toBe(true);
    const requestOf = (code: string) => search.requests.find((r: { institutionCode: string }) => r.institutionCode === code).id as string;

    // Delivery: BOC by webhook, the others by email — each exactly once.
    await waitUntil(async () => receiver.posts.length >= 1 && [icbc!, abc!, ccb!, bocom!].every((i) => noticesTo(i.contactEmail, 'asset-query').length >= 1), 'every request delivered');
    const posted = JSON.parse(receiver.posts[0]!.body);
    expect(receiver.posts[0]!.headers['x-signature']).toBe(`sha256=${createHmac('sha256', hook.body.secret).update(receiver.posts[0]!.body).digest('hex')}`);
    expect(posted.request.requestId).toBe(requestOf(boc!.code));
    // The court's seal on the notice verifies with the key the service publishes.
    const courtKeys = (await stack.request('GET', `/api/signing-keys?courtCode=${COURT}`, { key: keys.get(boc!.code)!.apiKey })).body;
    const courtKey = courtKeys.find((k: { keyId: string }) => k.keyId === posted.request.keyId);
    expect(courtKey).toBeDefined();
    expect(verifyDocument(posted.request, courtKey)).toBe(true);
    expect(verifyDocument({ ...posted.request, caseNumber: '（2026）闽0203执89号' }, courtKey)).toBe(false);
    expect(noticesTo(boc!.contactEmail, 'asset-query')).toHaveLength(0);

    // ICBC answers by API with an Ed25519 signature; a repeat changes nothing.
    const icbcKey = keys.get(icbc!.code)!.apiKey;
    const listed = await stack.request('GET', '/api/asset-requests?status=open', { key: icbcKey });
    expect(listed.status).toBe(200);
    expect(listed.body).toHaveLength(1);
    expect(listed.body[0].document.debtor.idNumber).toBe(VALID_CREDIT_CODE);
    expect(listed.body[0]).toMatchObject({ signature: listed.body[0].document.signature, keyId: expect.stringMatching(/^court:FJ-XM-0203:/) });
    const deposit = [{ kind: 'deposit', account: '6222 0000 1111 2222', currency: 'CNY', amountYuan: 128_000.5, description: '活期存款' }];
    const answered = await stack.request('POST', `/api/asset-requests/${requestOf(icbc!.code)}/answer`, { key: icbcKey, body: signedAnswer(icbc!.code, requestOf(icbc!.code), deposit) });
    expect(answered.status).toBe(201);
    expect(answered.body.findings[0]).toMatchObject({ kind: 'deposit', amountYuan: 128_000.5 });
    const again = await stack.request('POST', `/api/asset-requests/${requestOf(icbc!.code)}/answer`, { key: icbcKey, body: signedAnswer(icbc!.code, requestOf(icbc!.code), deposit) });
    expect(again.status).toBe(200);

    // ABC: a signature by an unregistered key, then one over other findings, are refused and recorded; its SM2 answer is taken.
    const abcKey = keys.get(abc!.code)!.apiKey;
    const abcRequest = requestOf(abc!.code);
    const stranger = generateSigningKey('SM2');
    const forged = signDocument({ requestId: abcRequest, findings: [] }, { keyId: keys.get(abc!.code)!.keyId, alg: 'SM2', privateKey: stranger.privateKey });
    const refused = await stack.request('POST', `/api/asset-requests/${abcRequest}/answer`, { key: abcKey, body: forged });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body.errors[0].field).toBe('signature');
    const tampered = { ...signedAnswer(abc!.code, abcRequest, []), findings: [{ kind: 'other', description: '改过的' }] };
    expect((await stack.request('POST', `/api/asset-requests/${abcRequest}/answer`, { key: abcKey, body: tampered })).status).toBe(400);
    const unknownKey = { ...signedAnswer(abc!.code, abcRequest, []), keyId: 'no-such-key' };
    const unknown = await stack.request('POST', `/api/asset-requests/${abcRequest}/answer`, { key: abcKey, body: unknownKey });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].field).toBe('keyId');
    const refusals = await stack.prisma.assetEvent.findMany({ where: { requestId: abcRequest, type: 'answer-refused' } });
    expect(refusals.map((event) => (event.data as { reason: string }).reason).sort()).toEqual(['bad-signature', 'bad-signature', 'unknown-key']);
    expect((await stack.prisma.assetRequest.findUniqueOrThrow({ where: { id: abcRequest } })).status).toBe('open');
    const sm2Answer = signDocument({ requestId: abcRequest, findings: [] }, { keyId: keys.get(abc!.code)!.keyId, alg: 'SM2', privateKey: keys.get(abc!.code)!.signing.privateKey });
    expect((await stack.request('POST', `/api/asset-requests/${abcRequest}/answer`, { key: abcKey, body: sm2Answer })).status).toBe(201);
    // Another institution's request is not ABC's to answer.
    expect((await stack.request('POST', `/api/asset-requests/${requestOf(ccb!.code)}/answer`, { key: abcKey, body: signedAnswer(abc!.code, requestOf(ccb!.code), []) })).status).toBe(403);

    // BOC's system answers the request its webhook received.
    expect((await stack.request('POST', `/api/asset-requests/${posted.request.requestId}/answer`, { key: keys.get(boc!.code)!.apiKey, body: signedAnswer(boc!.code, posted.request.requestId, []) })).status).toBe(201);

    // CCB, a small branch without a system, answers through the email link.
    const link = /https?:\/\/\S+\/asset-answers\/[A-Za-z0-9._-]+/.exec(noticesTo(ccb!.contactEmail, 'asset-query')[0]!.text)![0];
    const path = new URL(link).pathname;
    const page = await fetch(`${stack.apiUrl}${path}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('（2026）闽0203执88号');
    const form = new URLSearchParams({ kind0: 'securities', account0: 'A123', amount0: '5000', description0: '股票账户' });
    const linkAnswer = await fetch(`${stack.apiUrl}${path}`, { method: 'POST', body: form });
    expect(linkAnswer.status).toBe(200);
    const forgedLink = await fetch(`${stack.apiUrl}${path.slice(0, -2)}xx`);
    expect(forgedLink.status).toBe(404);

    // The clerk sees the findings as they arrived; BOCOM is still open.
    const midway = (await stack.request('GET', `/api/asset-searches/${search.id}`, { key: clerk })).body;
    expect(midway.status).toBe('open');
    expect(midway.summary).toMatchObject({ requests: 5, answered: 4, findings: 2 });

    // BOCOM stays silent: reminded, then its supervisor, then the coordinating office — once each.
    await waitUntil(async () => noticesTo('office@coordination.example', 'asset-escalation').length >= 1, 'the office escalation', 40_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(noticesTo(bocom!.contactEmail, 'asset-reminder')).toHaveLength(1);
    expect(noticesTo(bocom!.supervisorEmail, 'asset-escalation')).toHaveLength(1);
    expect(noticesTo('office@coordination.example', 'asset-escalation')).toHaveLength(1);
    for (const institution of [icbc!, abc!, boc!, ccb!]) expect(noticesTo(institution.supervisorEmail, 'asset-escalation')).toHaveLength(0);
    const overdue = (await stack.request('GET', `/api/asset-searches/${search.id}`, { key: clerk })).body;
    expect(overdue.requests.find((r: { institutionCode: string }) => r.institutionCode === bocom!.code)).toMatchObject({ status: 'overdue', escalationLevel: 2 });

    // Its late answer completes the search.
    expect((await stack.request('POST', `/api/asset-requests/${requestOf(bocom!.code)}/answer`, { key: keys.get(bocom!.code)!.apiKey, body: signedAnswer(bocom!.code, requestOf(bocom!.code), []) })).status).toBe(201);
    const done = await waitUntil(async () => {
      const current = (await stack.request('GET', `/api/asset-searches/${search.id}`, { key: clerk })).body;
      return current.status === 'completed' && current;
    }, 'the search completed');
    expect(done.summary).toMatchObject({ requests: 5, answered: 5, overdue: 0, findings: 2 });
    // Every notice went out once.
    for (const institution of [icbc!, abc!, ccb!, bocom!]) expect(noticesTo(institution.contactEmail, 'asset-query')).toHaveLength(1);
    expect(receiver.posts).toHaveLength(1);
    await recordHistory(stack, `asset-search-${search.id}`, 'asset-search-five-institutions');
  });

  it('refuses bad input naming the field, and keeps searches to their court', async () => {
    const bad = await stack.request('POST', '/api/asset-searches', { key: clerk, body: { caseNumber: '（2026）闽0203执90号', debtor: { kind: 'entity', name: 'X', idNumber: VALID_CREDIT_CODE }, institutions: ['ICBC', 'NOPE'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'institutions.1' })]);
    expect(await stack.prisma.assetSearch.count({ where: { caseKey: '（2026）闽0203执90号' } })).toBe(0);
    const badKey = await stack.request('POST', `/api/institutions/${icbc!.code}/keys`, { key: stack.adminKey, body: { keyId: 'k2', publicKey: 'AAAA', alg: 'Ed25519' } });
    expect(badKey.status).toBe(400);
    expect(badKey.body.errors[0].field).toBe('publicKey');
    const otherInstitution = await stack.request('POST', `/api/institutions/${abc!.code}/keys`, { key: keys.get(icbc!.code)!.apiKey, body: { keyId: 'k3', publicKey: generateSigningKey('Ed25519').publicKey } });
    expect(otherInstitution.status).toBe(403);
    const otherCourt = await stack.key('clerk', { courtCode: 'FJ-XM-0206' });
    const [search] = await stack.prisma.assetSearch.findMany({ take: 1 });
    expect((await stack.request('GET', `/api/asset-searches/${search!.id}`, { key: otherCourt })).status).toBe(403);
    // A closed search takes no more answers, even before its workflow marks the requests closed.
    const open = await stack.request('POST', '/api/asset-searches', { key: clerk, body: { caseNumber: '（2026）闽0203执91号', debtor: { kind: 'entity', name: 'X', idNumber: VALID_CREDIT_CODE }, institutions: [icbc!.code] } });
    const requestId = open.body.requests[0].id as string;
    await stack.prisma.assetSearch.update({ where: { id: open.body.id }, data: { status: 'closed' } });
    const late = await stack.request('POST', `/api/asset-requests/${requestId}/answer`, { key: keys.get(icbc!.code)!.apiKey, body: signedAnswer(icbc!.code, requestId, []) });
    expect(late.status).toBe(409);
    await stack.prisma.assetSearch.update({ where: { id: open.body.id }, data: { status: 'open' } });
    expect((await stack.request('POST', `/api/asset-searches/${open.body.id}/close`, { key: clerk })).body.status).toBe('closed');
    // An expired email link is gone.
    const expired = createAssetAnswerToken(createKeyring('test-secret'), { requestId, expiresAt: Math.floor(Date.now() / 1000) - 60 });
    expect((await fetch(`${stack.apiUrl}/asset-answers/${expired}`)).status).toBe(410);
    const directoryView = await stack.request('GET', '/api/institutions', { key: clerk });
    expect(directoryView.body.institutions).toHaveLength(5);
    expect(directoryView.body.institutions.find((i: { code: string }) => i.code === abc!.code).keys[0]).toMatchObject({ alg: 'SM2' });
  });
});
