// The freezes of a case on the dashboard, on the real stack: a deposit found
// by a network search is frozen under the institution's signed confirmation;
// the listing page shows it to the clerk (not the freeze of another debtor of
// the same case); once the debtor's performance is recorded, the clerk
// releases every freeze of the case with one CSRF-protected button; the
// supervisor's home page shows the freeze ending soon with no renewal
// ordered, and the freeze order the institution never confirmed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultInstitutionDirectory, type InstitutionDirectory } from '../../domain/institutions.js';
import { parsePolicy } from '../../domain/policy.js';
import { generateSigningKey, signDocument, type SigningKey } from '../../platform/signed-documents.js';
import { signInToDashboard } from '../support/dashboard-session.js';
import { VALID_CREDIT_CODE, creditCode, entityListing } from '../support/fixtures.js';
import { list, listingStatus } from '../support/listing-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';

// Institutions confirm within 2 s, so an unconfirmed order is overdue at once.
const policy = parsePolicy({ assets: { answer: 'PT1H', confirm: 'PT2S' } });
const icbc = defaultInstitutionDirectory.institutions[0]!;
const directory: InstitutionDirectory = { region: 'test', institutions: [icbc] };
const CASE = '（2026）宁01执730号';
const OTHER_DEBTOR = creditCode(730);
const DAY_MS = 86_400_000;

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

/** A search of ICBC for the case and debtor, answered under the bank's signature with these deposits; the findings' ids in order. */
async function findDeposits(idNumber: string, amounts: number[]): Promise<string[]> {
  const search = await stack.request('POST', '/api/asset-searches', { key: clerk, body: { caseNumber: CASE, debtor: { kind: 'entity', name: '宁夏某某建设有限公司', idNumber }, institutions: [icbc.code] } });
  expect(search.status, JSON.stringify(search.body)).toBe(201);
  const requestId = search.body.requests[0].id as string;
  const findings = amounts.map((amountYuan, index) => ({ kind: 'deposit', account: `6222-${idNumber.slice(-4)}-${index}`, currency: 'CNY', amountYuan, description: `存款 ${index}` }));
  const { requestId: _, ...answer } = sign({ requestId, findings });
  const answered = await stack.request('POST', `/api/asset-requests/${requestId}/answer`, { key: bank.apiKey, body: answer });
  expect(answered.status, JSON.stringify(answered.body)).toBe(201);
  return (answered.body.findings as { id: string; account: string }[]).sort((a, b) => a.account.localeCompare(b.account)).map((finding) => finding.id);
}

/** A freeze ordered by the clerk and confirmed by the bank under its signature, ending at `until`; the freeze's id. */
async function freeze(findingId: string, amountYuan: number, until: Date): Promise<string> {
  const ordered = await stack.request('POST', '/api/control-orders', { key: clerk, body: { findingId, action: 'freeze' } });
  expect(ordered.status, JSON.stringify(ordered.body)).toBe(201);
  const confirmation = sign({ orderId: ordered.body.id, amountYuan, reference: `ICBC-F-${amountYuan}`, effectiveAt: new Date().toISOString(), until: until.toISOString() });
  const confirmed = await stack.request('POST', `/api/control-orders/${ordered.body.id}/confirm`, { key: bank.apiKey, body: confirmation });
  expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(201);
  return ordered.body.freezeId as string;
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
const tableOf = (html: string, id: string) => new RegExp(`<table id="${id}">[\\s\\S]*?</table>`).exec(html)?.[0] ?? '';
const rowOf = (html: string, attribute: string, id: string) => new RegExp(`<tr [^>]*${attribute}="${id}"[^>]*>[\\s\\S]*?</tr>`).exec(html)?.[0];

describe('freezes on the dashboard', () => {
  it('shows the case’s freezes, releases them all after a performance, and warns the supervisor of their end', { timeout: 120_000 }, async () => {
    const listingId = await list(stack, clerk, entityListing({ caseNumber: CASE }));
    const [frozenDeposit, unconfirmedDeposit] = await findDeposits(VALID_CREDIT_CODE, [20_000, 5_000]);
    const frozen = await freeze(frozenDeposit!, 19_800.5, new Date(Date.now() + 10 * DAY_MS - 3_600_000));
    // A freeze order the bank never confirms, and a freeze of the same case for another debtor.
    const unconfirmed = await stack.request('POST', '/api/control-orders', { key: clerk, body: { findingId: unconfirmedDeposit, action: 'freeze' } });
    expect(unconfirmed.status).toBe(201);
    const [otherDeposit] = await findDeposits(OTHER_DEBTOR, [7_000]);
    const otherDebtors = await freeze(otherDeposit!, 7_000, new Date(Date.now() + 200 * DAY_MS));

    // The clerk sees the debtor's freeze in force with its end and days left, highlighted; no release before a performance.
    const visit = await signInToDashboard(stack.apiUrl, clerk);
    const before = await visit(`/listings/${listingId}`);
    expect(before.status).toBe(200);
    expect(before.html).toContain('查控冻结');
    const row = rowOf(tableOf(before.html, 'case-freezes'), 'data-freeze-id', frozen);
    expect(row).toBeDefined();
    expect(row).toContain('data-days-left="10"');
    expect(row).toContain('data-expiring="true"');
    expect(row).toContain(icbc.name);
    expect(row).toContain('存款');
    expect(row).toContain('6222-0Y43-0');
    expect(row).toContain('19,800.50');
    expect(row).toContain('冻结中');
    expect(before.html).not.toContain(`data-freeze-id="${otherDebtors}"`);
    expect(before.html).not.toContain('data-action="release-freezes"');

    // The debtor performs; once the listing is lifting, the clerk is offered the release.
    const performed = await stack.request('POST', `/api/listings/${listingId}/performance`, { key: clerk, body: { performedAt: new Date().toISOString(), note: '已全部履行' } });
    expect(performed.status).toBe(202);
    await listingStatus(stack, listingId, 'lifting');
    const offered = await visit(`/listings/${listingId}`);
    expect(offered.html).toContain(`action="/listings/${listingId}/freeze-releases"`);
    expect(offered.html).toContain('解除本案全部冻结');
    const releases = () => stack.prisma.controlOrder.findMany({ where: { action: 'release' } });

    // Without the session's CSRF token nothing is ordered; nor by a supervisor, who does not order.
    expect((await visit(`/listings/${listingId}/freeze-releases`, { _csrf: 'forged' })).status).toBe(403);
    const supervisorKey = await stack.key('supervisor');
    const supervisor = await signInToDashboard(stack.apiUrl, supervisorKey);
    const supervisorPage = await supervisor(`/listings/${listingId}`);
    expect(supervisorPage.html).toContain(`data-freeze-id="${frozen}"`);
    expect(supervisorPage.html).not.toContain('data-action="release-freezes"');
    expect((await supervisor(`/listings/${listingId}/freeze-releases`, { _csrf: csrfOf(supervisorPage.html) })).status).toBe(403);
    expect(await releases()).toHaveLength(0);

    // The clerk presses the button: one release order, for the debtor's freeze only, said once on the page.
    expect((await visit(`/listings/${listingId}/freeze-releases`, { _csrf: csrfOf(offered.html) })).status).toBe(303);
    const [release, ...more] = await releases();
    expect(more).toHaveLength(0);
    expect(release).toMatchObject({ freezeId: frozen, reason: 'performance', status: 'open', institutionCode: icbc.code, orderedBy: expect.stringMatching(/^clerk:/) });
    const after = await visit(`/listings/${listingId}`);
    expect(after.html).toContain('向协助执行单位发出 1 份解除冻结通知书');
    expect(rowOf(tableOf(after.html, 'case-freezes'), 'data-freeze-id', frozen)).toContain('解除待确认');
    expect(after.html).not.toContain('data-action="release-freezes"');
    expect((await visit(`/listings/${listingId}`)).html).not.toContain('解除冻结通知书');

    // The supervisor: the freeze ends within 30 days and no renewal is ordered; the unconfirmed order is overdue.
    await waitUntil(async () => Date.now() > Date.parse(unconfirmed.body.dueAt as string) + 1_000, 'the freeze order to be overdue');
    const home = await supervisor('/');
    expect(home.status).toBe(200);
    const expiring = rowOf(tableOf(home.html, 'expiring-freezes'), 'data-freeze-id', frozen);
    expect(expiring).toContain('data-renewal-ordered="false"');
    expect(expiring).toContain('未续冻');
    expect(expiring).toContain(CASE);
    expect(tableOf(home.html, 'expiring-freezes')).not.toContain(`data-freeze-id="${otherDebtors}"`);
    const overdueOrder = rowOf(tableOf(home.html, 'overdue-control-orders'), 'data-control-order-id', unconfirmed.body.id as string);
    expect(overdueOrder).toContain(icbc.name);
    expect(overdueOrder).toContain('冻结');
    // In English too.
    expect((await supervisor('/?lang=en')).html).toContain('no renewal ordered');
  });
});
