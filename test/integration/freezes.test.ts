// Control orders and freezes on the real stack: a freeze confirmed by the
// institution under its signature is followed to its end by a durable timer —
// the officer reminded, the coordinating office told when no renewal was
// ordered, the lapse recorded — while a renewed freeze is not; a deduction
// or release of a lapsed freeze is refused; an unconfirmed order is reminded
// and escalated; a performance releases every freeze of the case.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultInstitutionDirectory, type InstitutionDirectory } from '../../domain/institutions.js';
import { generateSigningKey, signDocument, type SigningKey } from '../../platform/signed-documents.js';
import { parsePolicy } from '../../domain/policy.js';
import { entityListing, VALID_CREDIT_CODE } from '../support/fixtures.js';
import { list } from '../support/listing-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';
import { recordHistory } from '../support/record-history.js';

// Confirmations are due 6 s after the order (reminded 3 s before; the supervisor at the deadline, the office 2 s
// later); a freeze's officer is reminded 6 s before its end and the office told 3 s before it.
const policy = parsePolicy({
  assets: { answer: 'PT1H', confirm: 'PT6S', freezeReminderBefore: 'PT6S', freezeEscalateBefore: 'PT3S' },
  reminderBefore: 'PT3S',
  escalation: [
    { after: 'PT0S', notify: 'department-supervisor' },
    { after: 'PT2S', notify: 'coordinating-office' },
  ],
});
const icbc = defaultInstitutionDirectory.institutions[0]!;
const directory: InstitutionDirectory = { region: 'test', institutions: [icbc] };
const OFFICE = 'office@coordination.example';
const OFFICER = 'officer.wang@court.example';

let stack: TestStack;
let clerk: string;
let bank: { apiKey: string; signing: SigningKey; keyId: string };

beforeAll(async () => {
  stack = await startTestStack({ policy, institutions: directory });
  clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  const apiKey = await stack.key('institution', { institutionCode: icbc.code });
  const signing = generateSigningKey('Ed25519');
  expect((await stack.request('POST', `/api/institutions/${icbc.code}/keys`, { key: apiKey, body: { keyId: 'icbc-1', publicKey: signing.publicKey } })).status).toBe(201);
  bank = { apiKey, signing, keyId: 'icbc-1' };
});
afterAll(async () => stack?.stop());

const sign = <T extends Record<string, unknown>>(document: T) => signDocument(document, { keyId: bank.keyId, alg: 'Ed25519', privateKey: bank.signing.privateKey });
const mails = (address: string, type: string, freezeId?: string) =>
  stack.mail.messages.filter((m) => m.envelopeTo.includes(address) && m.headers['x-notice-type'] === type && (!freezeId || m.headers['x-freeze-id'] === freezeId));

/** A search of ICBC for the case, answered with these deposits; returns the findings' ids in order. */
async function findDeposits(caseNumber: string, amounts: number[]): Promise<string[]> {
  const search = await stack.request('POST', '/api/asset-searches', { key: clerk, body: { caseNumber, debtor: { kind: 'entity', name: '宁夏某某建设有限公司', idNumber: VALID_CREDIT_CODE }, institutions: [icbc.code] } });
  expect(search.status).toBe(201);
  const requestId = search.body.requests[0].id as string;
  const findings = amounts.map((amountYuan, index) => ({ kind: 'deposit', account: `6222-${index}`, currency: 'CNY', amountYuan, description: `存款 ${index}` }));
  const { requestId: _, ...answer } = sign({ requestId, findings });
  const answered = await stack.request('POST', `/api/asset-requests/${requestId}/answer`, { key: bank.apiKey, body: answer });
  expect(answered.status).toBe(201);
  return (answered.body.findings as { id: string; account: string }[]).sort((a, b) => a.account.localeCompare(b.account)).map((finding) => finding.id);
}

async function orderAndConfirm(body: Record<string, unknown>, confirmation: Record<string, unknown>) {
  const ordered = await stack.request('POST', '/api/control-orders', { key: clerk, body });
  expect(ordered.status, JSON.stringify(ordered.body)).toBe(201);
  const confirmed = await stack.request('POST', `/api/control-orders/${ordered.body.id}/confirm`, { key: bank.apiKey, body: sign({ orderId: ordered.body.id, effectiveAt: new Date().toISOString(), ...confirmation }) });
  expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(201);
  return { order: ordered.body, confirmed: confirmed.body };
}

const freezeOf = (id: string) => stack.prisma.freeze.findUniqueOrThrow({ where: { id } });

describe('control orders and freezes', () => {
  it('follows a freeze to its lapse, spares a renewed one, deducts in full, and escalates an unconfirmed order', async () => {
    const [lapsing, renewed, unconfirmed] = await findDeposits('（2026）宁01执700号', [100_000, 100_000, 5_000]);
    const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

    // A freeze the institution confirms with an end 12 s away, and nobody renews.
    const a = await orderAndConfirm({ findingId: lapsing, action: 'freeze', officerEmail: OFFICER }, { amountYuan: 99_500, reference: 'ICBC-F-1', until: inSeconds(12) });
    expect(a.confirmed).toMatchObject({ status: 'confirmed', confirmedAmountYuan: 99_500 });
    expect(await freezeOf(a.order.freezeId)).toMatchObject({ status: 'active', renewals: 0 });
    // A second freeze ends 14 s away, but a renewal is ordered and confirmed at once.
    const b = await orderAndConfirm({ findingId: renewed, action: 'freeze', officerEmail: OFFICER }, { amountYuan: 100_000, reference: 'ICBC-F-2', until: inSeconds(14) });
    const renewal = await orderAndConfirm({ findingId: renewed, action: 'renew', until: inSeconds(86_400) }, { amountYuan: 100_000, reference: 'ICBC-R-2' });
    expect(renewal.order.action).toBe('renew');
    expect(await freezeOf(b.order.freezeId)).toMatchObject({ renewals: 1 });
    // A freeze order the institution never confirms.
    const c = await stack.request('POST', '/api/control-orders', { key: clerk, body: { findingId: unconfirmed, action: 'freeze' } });
    expect(c.status).toBe(201);
    expect(c.body.dueAt).toBeDefined();

    // A renewal beyond the legal maximum (one year again for a deposit) is refused, naming the field.
    const tooLong = await stack.request('POST', '/api/control-orders', { key: clerk, body: { findingId: renewed, action: 'renew', until: inSeconds(3 * 366 * 86_400) } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors[0]).toMatchObject({ field: 'until', rule: 'freeze-period' });

    // A bad signature on a confirmation is refused and recorded.
    const forged = signDocument({ orderId: c.body.id, amountYuan: 5_000, reference: 'X', effectiveAt: new Date().toISOString() }, { keyId: bank.keyId, alg: 'Ed25519', privateKey: generateSigningKey('Ed25519').privateKey });
    const refused = await stack.request('POST', `/api/control-orders/${c.body.id}/confirm`, { key: bank.apiKey, body: forged });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].field).toBe('signature');
    expect(await stack.prisma.assetEvent.count({ where: { type: 'confirmation-refused' } })).toBe(1);

    // The lapse of the first freeze: reminder to the officer, the office told, the lapse recorded — once each.
    await waitUntil(async () => (await freezeOf(a.order.freezeId)).status === 'lapsed', 'the first freeze lapsed', 30_000);
    await waitUntil(async () => mails(OFFICER, 'freeze-lapsed', a.order.freezeId).length >= 1 && mails(OFFICE, 'freeze-lapsed', a.order.freezeId).length >= 1, 'the lapse notes');
    expect(mails(OFFICER, 'freeze-expiry-reminder', a.order.freezeId)).toHaveLength(1);
    expect(mails(OFFICE, 'freeze-expiry-escalation', a.order.freezeId)).toHaveLength(1);
    expect(mails(OFFICER, 'freeze-lapsed', a.order.freezeId)).toHaveLength(1);
    const lapsedEvents = await stack.prisma.assetEvent.findMany({ where: { type: 'freeze-lapsed' } });
    expect(lapsedEvents).toHaveLength(1);

    // A deduction or release of the lapsed freeze is refused.
    for (const action of ['deduct', 'release']) {
      const late = await stack.request('POST', '/api/control-orders', { key: clerk, body: { findingId: lapsing, action, amountYuan: 1_000 } });
      expect(late.status).toBe(409);
      expect(late.body.freezeStatus).toBe('lapsed');
    }

    // The unconfirmed order: the institution reminded, its supervisor, then the office — once each.
    await waitUntil(async () => mails(OFFICE, 'control-order-escalation').length >= 1, 'the order escalated to the office', 30_000);
    expect(mails(icbc.contactEmail, 'control-order-reminder')).toHaveLength(1);
    expect(mails(icbc.supervisorEmail, 'control-order-escalation')).toHaveLength(1);
    expect(mails(OFFICE, 'control-order-escalation')).toHaveLength(1);
    // Each order reached the institution once.
    expect(mails(icbc.contactEmail, 'control-order')).toHaveLength(4);

    // The renewed freeze outlived its first end, with no reminder for it.
    const firstEnd = (await freezeOf(b.order.freezeId)).createdAt.getTime() + 16_000;
    await waitUntil(async () => Date.now() > firstEnd, 'past the renewed freeze\'s first end');
    expect(await freezeOf(b.order.freezeId)).toMatchObject({ status: 'active' });
    expect(mails(OFFICER, 'freeze-expiry-reminder', b.order.freezeId)).toHaveLength(0);

    // Deductions to the court's account: part, then the rest, which ends the freeze.
    const part = await orderAndConfirm({ findingId: renewed, action: 'deduct', amountYuan: 30_000 }, { amountYuan: 30_000, reference: 'TRANSFER-1' });
    expect(part.confirmed.reference).toBe('TRANSFER-1');
    const tooMuch = await stack.request('POST', '/api/control-orders', { key: clerk, body: { findingId: renewed, action: 'deduct', amountYuan: 70_000.01 } });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.errors[0].field).toBe('amountYuan');
    await orderAndConfirm({ findingId: renewed, action: 'deduct', amountYuan: 70_000 }, { amountYuan: 70_000, reference: 'TRANSFER-2' });
    expect(await freezeOf(b.order.freezeId)).toMatchObject({ status: 'deducted' });
    expect(Number((await freezeOf(b.order.freezeId)).deductedYuan)).toBe(100_000);

    // The supervisor's view: freezes in force by their end.
    const supervisor = await stack.key('supervisor');
    const watch = await stack.request('GET', '/api/supervision/freezes?expiringWithinDays=30', { key: supervisor });
    expect(watch.status).toBe(200);
    expect(watch.body.map((f: { id: string }) => f.id)).not.toContain(a.order.freezeId);
    // Beside overdue tasks: the unconfirmed order; and the month's figures.
    const overdue = await stack.request('GET', '/api/supervision/asset-overdue', { key: supervisor });
    expect(overdue.body.orders.map((o: { id: string }) => o.id)).toEqual([c.body.id]);
    const [month] = (await stack.request('GET', '/api/supervision/asset-stats', { key: supervisor })).body;
    expect(month).toMatchObject({ searches: 1, requests: 1, answeredOnTime: 1, hits: 1, findings: 3, frozen: 2, frozenYuan: 199_500, renewed: 1, lapsed: 1, lapsedYuan: 99_500, deductedYuan: 100_000, released: 0 });
    expect((await stack.request('GET', '/api/supervision/asset-stats?month=2026-13', { key: supervisor })).status).toBe(400);
    await recordHistory(stack, `freeze-${a.order.freezeId}`, 'freeze-lapsed');
    await recordHistory(stack, `freeze-${b.order.freezeId}`, 'freeze-renewed-deducted');
  });

  it('releases every freeze of the case when the debtor performs', async () => {
    const listingId = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执701号' }));
    const [deposit] = await findDeposits('（2026）宁01执701号', [20_000]);
    const frozen = await orderAndConfirm({ findingId: deposit!, action: 'freeze' }, { amountYuan: 20_000, reference: 'ICBC-F-9' });
    const performed = await stack.request('POST', `/api/listings/${listingId}/performance`, { key: clerk, body: { performedAt: new Date().toISOString(), note: '已全部履行' } });
    expect(performed.status).toBe(202);
    // The answer offers to release the case's freeze.
    expect(performed.body).toMatchObject({ freezesInForce: 1, releaseFreezes: `/api/listings/${listingId}/freeze-releases` });
    const releases = await stack.request('POST', `/api/listings/${listingId}/freeze-releases`, { key: clerk, body: { reason: 'performance' } });
    expect(releases.status).toBe(201);
    expect(releases.body).toHaveLength(1);
    expect(releases.body[0]).toMatchObject({ action: 'release', reason: 'performance', freezeId: frozen.order.freezeId });
    const again = await stack.request('POST', `/api/listings/${listingId}/freeze-releases`, { key: clerk, body: {} });
    expect(again.body).toHaveLength(0);
    const confirmed = await stack.request('POST', `/api/control-orders/${releases.body[0].id}/confirm`, { key: bank.apiKey, body: sign({ orderId: releases.body[0].id, amountYuan: 20_000, reference: 'ICBC-REL-9', effectiveAt: new Date().toISOString() }) });
    expect(confirmed.status).toBe(201);
    expect(await freezeOf(frozen.order.freezeId)).toMatchObject({ status: 'released' });
    const other = await stack.key('clerk', { courtCode: 'FJ-XM-0206' });
    expect((await stack.request('POST', `/api/listings/${listingId}/freeze-releases`, { key: other, body: {} })).status).toBe(403);
  });
});
