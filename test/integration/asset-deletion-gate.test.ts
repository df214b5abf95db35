// Deletion ground no-assets-found (art. 10 ¶1 (4): two or more network
// searches found nothing) follows the platform's own asset searches, on the
// real stack: a search counts once every institution asked has answered
// with its signature and nothing was found; the deletion cites the searches
// by id; a latest search that found a deposit refuses the ground. The
// listing page shows the searches of its case for its debtor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultInstitutionDirectory, type InstitutionDirectory } from '../../domain/institutions.js';
import { generateSigningKey, signDocument, type SigningKey } from '../../platform/signed-documents.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { signInToDashboard } from '../support/dashboard-session.js';
import { creditCode, entityListing } from '../support/fixtures.js';
import { list, tasksOf } from '../support/listing-client.js';
import { calmPolicy } from '../support/policies.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';

const [icbc, abc] = defaultInstitutionDirectory.institutions;
const directory: InstitutionDirectory = { region: 'test', institutions: [icbc!, abc!] };
const COURT = 'NX-YC-01';

let stack: TestStack;
let clerk: string;
const institutions = new Map<string, { apiKey: string; signing: SigningKey; keyId: string }>();

beforeAll(async () => {
  stack = await startTestStack({ policy: calmPolicy, catalog: twoDepartmentCatalog(), institutions: directory });
  clerk = await stack.key('clerk', { courtCode: COURT });
  for (const [institution, alg] of [[icbc!, 'Ed25519'], [abc!, 'SM2']] as const) {
    const apiKey = await stack.key('institution', { institutionCode: institution.code });
    const signing = generateSigningKey(alg);
    const keyId = `${institution.code.toLowerCase()}-seal-1`;
    const registered = await stack.request('POST', `/api/institutions/${institution.code}/keys`, { key: apiKey, body: { keyId, publicKey: signing.publicKey, alg } });
    expect(registered.status).toBe(201);
    institutions.set(institution.code, { apiKey, signing, keyId });
  }
});
afterAll(async () => stack?.stop());

interface Debtor {
  kind: 'entity';
  name: string;
  idNumber: string;
}

/** A search of every institution of the directory; the case number as the clerk types it. */
async function search(caseNumber: string, debtor: Debtor): Promise<{ id: string; requests: { id: string; institutionCode: string }[] }> {
  const created = await stack.request('POST', '/api/asset-searches', { key: clerk, body: { caseNumber, debtor, institutions: 'all' } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.body.requests).toHaveLength(2);
  return created.body;
}

/** The institution's signed answer to one request. */
async function answer(request: { id: string; institutionCode: string }, findings: unknown[] = []) {
  const { apiKey, signing, keyId } = institutions.get(request.institutionCode)!;
  const { requestId: _, ...body } = signDocument({ requestId: request.id, findings }, { keyId, alg: signing.alg, privateKey: signing.privateKey });
  const answered = await stack.request('POST', `/api/asset-requests/${request.id}/answer`, { key: apiKey, body });
  expect(answered.status, JSON.stringify(answered.body)).toBe(201);
}

function completed(searchId: string): Promise<{ completedAt: string }> {
  return waitUntil(async () => {
    const current = (await stack.request('GET', `/api/asset-searches/${searchId}`, { key: clerk })).body;
    return current.status === 'completed' && current;
  }, `search ${searchId} completed`);
}

const deletion = (listingId: string, body: Record<string, unknown> = {}) =>
  stack.request('POST', `/api/listings/${listingId}/deletion`, { key: clerk, body: { ground: 'no-assets-found', decidedAt: new Date().toISOString(), note: '终本后两次网络查询未发现财产', ...body } });

const refusalsOf = (answer: { body: { errors?: { field: string; rule?: string; message: string }[] } }) => answer.body.errors ?? [];

describe('deletion ground no-assets-found follows the platform’s searches', () => {
  it('two completed searches that found nothing are cited; before the second completes the ground is refused', async () => {
    const debtor: Debtor = { kind: 'entity', name: '宁夏无财产贸易有限公司', idNumber: creditCode(9101) };
    const listingId = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执9101号', debtor }));
    await tasksOf(stack, listingId, 'impose', 2);

    // No search yet: refused, naming the ground.
    const none = await deletion(listingId);
    expect(none.status).toBe(400);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect(refusalsOf(none)).toEqual([expect.objectContaining({ field: 'ground', rule: 'art-10-1-4-two-searches' })]);
    expect(refusalsOf(none)[0]!.message).toMatch(/0 completed network searches .* needs two/);

    // The first search, typed with half-width brackets and a space, is the same case; both institutions find nothing.
    const first = await search('(2026)宁01执 9101号', debtor);
    for (const request of first.requests) await answer(request);
    const firstDone = await completed(first.id);

    // A search of the same case for another debtor, and of another case for this debtor, count for nothing here.
    const otherDebtor = await search('（2026）宁01执9101号', { kind: 'entity', name: '另一公司', idNumber: creditCode(9199) });
    const otherCase = await search('（2026）宁01执9198号', debtor);
    for (const request of [...otherDebtor.requests, ...otherCase.requests]) await answer(request);
    await completed(otherDebtor.id);
    await completed(otherCase.id);

    // The second search: one institution has answered, the other not yet.
    const second = await search('（2026）宁01执9101号', debtor);
    await answer(second.requests[0]!);
    const early = await deletion(listingId);
    expect(early.status).toBe(400);
    expect(refusalsOf(early)).toEqual([expect.objectContaining({ field: 'ground', rule: 'art-10-1-4-two-searches' })]);
    expect(refusalsOf(early)[0]!.message).toMatch(/1 completed network search .* needs two/);
    expect((await stack.prisma.listing.findUniqueOrThrow({ where: { id: listingId } })).status).toBe('active');

    // The page shows both searches of the case for this debtor, and that the ground is not available yet.
    const visit = await signInToDashboard(stack.apiUrl, clerk);
    const before = await visit(`/listings/${listingId}`);
    expect(before.status).toBe(200);
    expect(before.html).toContain(`data-search-id="${first.id}"`);
    expect(before.html).toContain(`data-search-id="${second.id}"`);
    expect(before.html).not.toContain(`data-search-id="${otherDebtor.id}"`);
    expect(before.html).not.toContain(`data-search-id="${otherCase.id}"`);
    expect(before.html).toMatch(/id="no-assets-ground" data-available="false" data-rule="art-10-1-4-two-searches"/);
    expect(before.html).toContain('1 / 2');

    await answer(second.requests[1]!);
    const secondDone = await completed(second.id);

    const page = await visit(`/listings/${listingId}`);
    expect(page.html).toMatch(/id="no-assets-ground" data-available="true"/);
    expect(page.html).toMatch(new RegExp(`data-search-id="${first.id}" data-status="completed" data-findings="0" data-cited="true"`));
    expect(page.html).toMatch(new RegExp(`data-search-id="${second.id}" data-status="completed" data-findings="0" data-cited="true"`));
    expect(page.html).toContain('2 / 2');
    // A department holding a task sees the listing, not its asset searches.
    const department = await signInToDashboard(stack.apiUrl, await stack.key('department', { departmentCode: 'D05' }));
    const departmentPage = await department(`/listings/${listingId}`);
    expect(departmentPage.status).toBe(200);
    expect(departmentPage.html).not.toContain('id="network-searches"');

    // No networkSearches in the body: the platform's two searches carry the ground.
    const accepted = await deletion(listingId);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    await tasksOf(stack, listingId, 'lift', 2);
    const cited = await stack.prisma.event.findFirstOrThrow({ where: { listingId, type: 'asset-searches-cited' } });
    expect(cited.data).toEqual({
      ground: 'no-assets-found',
      assetSearches: [
        { id: first.id, completedAt: firstDone.completedAt },
        { id: second.id, completedAt: secondDone.completedAt },
      ],
    });
    const lift = await waitUntil(() => stack.prisma.event.findFirst({ where: { listingId, type: 'lift-requested' } }), 'the lift recorded');
    expect(lift.data).toMatchObject({ ground: 'no-assets-found', networkSearches: [firstDone.completedAt, secondDone.completedAt] });
    const trail = await stack.request('GET', `/api/listings/${listingId}/events`, { key: clerk });
    expect(trail.headers.get('x-audit-chain')).toMatch(/^intact/);
    expect(trail.body.find((event: { type: string }) => event.type === 'asset-searches-cited').data.assetSearches.map((s: { id: string }) => s.id)).toEqual([first.id, second.id]);
  });

  it('a latest search that found a deposit refuses the ground, whatever else is named', async () => {
    const debtor: Debtor = { kind: 'entity', name: '宁夏有存款商贸有限公司', idNumber: creditCode(9102) };
    const listingId = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执9102号', debtor }));
    await tasksOf(stack, listingId, 'impose', 2);

    const empty = await search('（2026）宁01执9102号', debtor);
    for (const request of empty.requests) await answer(request);
    await completed(empty.id);
    const found = await search('（2026）宁01执9102号', debtor);
    await answer(found.requests[0]!, [{ kind: 'deposit', account: '6222 0000 3333 4444', currency: 'CNY', amountYuan: 86_000, description: '活期存款' }]);
    await answer(found.requests[1]!);
    await completed(found.id);

    // Two searches outside the platform would make the count; the deposit the platform found still refuses the ground.
    const refused = await deletion(listingId, { networkSearches: ['2026-10-01', '2026-11-01'] });
    expect(refused.status).toBe(400);
    expect(refusalsOf(refused)).toEqual([expect.objectContaining({ field: 'ground', rule: 'assets-found' })]);
    expect(refusalsOf(refused)[0]!.message).toContain(found.id);
    expect(await stack.prisma.event.count({ where: { listingId, type: { in: ['lift-requested', 'asset-searches-cited'] } } })).toBe(0);
    expect((await stack.prisma.listing.findUniqueOrThrow({ where: { id: listingId } })).status).toBe('active');

    const visit = await signInToDashboard(stack.apiUrl, clerk);
    const page = await visit(`/listings/${listingId}`);
    expect(page.html).toMatch(/id="no-assets-ground" data-available="false" data-rule="assets-found"/);
    expect(page.html).toMatch(new RegExp(`data-search-id="${found.id}" data-status="completed" data-findings="1"`));
    expect(page.html).not.toContain('data-cited="true"');

    // Another ground is not held up by the searches.
    expect((await deletion(listingId, { ground: 'terminated' })).status).toBe(202);
  });

  it('one platform search and one dated outside the platform make two', async () => {
    const debtor: Debtor = { kind: 'entity', name: '宁夏一查公司', idNumber: creditCode(9103) };
    const listingId = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执9103号', debtor }));
    await tasksOf(stack, listingId, 'impose', 2);
    const only = await search('（2026）宁01执9103号', debtor);
    for (const request of only.requests) await answer(request);
    const done = await completed(only.id);

    const accepted = await deletion(listingId, { networkSearches: ['2026-09-01'] });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const lift = await waitUntil(() => stack.prisma.event.findFirst({ where: { listingId, type: 'lift-requested' } }), 'the lift recorded');
    expect(lift.data).toMatchObject({ networkSearches: [new Date('2026-09-01T00:00:00+08:00').toISOString(), done.completedAt].sort() });
    const cited = await stack.prisma.event.findFirstOrThrow({ where: { listingId, type: 'asset-searches-cited' } });
    expect(cited.data).toMatchObject({ assetSearches: [{ id: only.id, completedAt: done.completedAt }] });
  });
});
