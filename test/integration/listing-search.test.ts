// A department's people see a debtor's identifier masked (640104********123X
// hides exactly the birth date). The listing search must not confirm guesses
// of the hidden part; the department's systems look identifiers up through
// the restriction check, which logs every identifier it discloses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../app/api-keys.js';
import { maskIdentifier } from '../../domain/disclosure.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { individualListing, residentId } from '../support/fixtures.js';
import { list, tasksOf } from '../support/listing-client.js';
import { calmPolicy } from '../support/policies.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';

let stack: TestStack;
let clerk: string;
let department: string;
let listingId: string;
const debtorId = residentId('19800517', 321);
const caseNumber = '（2026）宁01执4711号';

beforeAll(async () => {
  stack = await startTestStack({ policy: calmPolicy, catalog: twoDepartmentCatalog() });
  clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  department = await stack.key('department', { departmentCode: 'D05' });
  listingId = await list(stack, clerk, individualListing({ caseNumber, debtor: { kind: 'individual', name: '赵某某', idNumber: debtorId } }));
  await tasksOf(stack, listingId, 'impose', 2);
});
afterAll(async () => stack?.stop());

const search = (key: string, q: string) => stack.request('GET', `/api/listings?q=${encodeURIComponent(q)}`, { key });

/** Every valid resident ID that shows the same mask: the candidates a guesser would try. */
function candidatesFor(masked: string, days: number): string[] {
  const candidates: string[] = [];
  const start = Date.UTC(1980, 4, 1);
  for (let day = 0; day < days; day++) {
    const birth = new Date(start + day * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
    const candidate = residentId(birth, 321);
    if (maskIdentifier(candidate) === masked) candidates.push(candidate);
  }
  return candidates;
}

describe('a department key searching listings', () => {
  it('gets the same refusal naming q for the right and a wrong full identifier', async () => {
    const masked = maskIdentifier(debtorId);
    const candidates = candidatesFor(masked, 120);
    expect(candidates).toContain(debtorId);
    expect(candidates.length).toBeGreaterThan(1);
    const answers = await Promise.all(candidates.map((candidate) => search(department, candidate)));
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(answer.body.errors).toEqual([expect.objectContaining({ field: 'q', rule: 'no-identifier-search', message: expect.stringContaining('/api/restrictions/check') })]);
    }
    // Nothing in the answers tells the right guess from the wrong ones.
    const shapes = new Set(answers.map(({ body }) => JSON.stringify({ ...body, instance: undefined })));
    expect(shapes.size).toBe(1);
  });

  it('gets the same refusal for pieces of an identifier and for the mask itself', async () => {
    for (const piece of [debtorId.slice(0, 6), debtorId.slice(6, 14), debtorId.slice(0, 14), maskIdentifier(debtorId), debtorId.toLowerCase()]) {
      const answer = await search(department, piece);
      expect(answer.status, piece).toBe(400);
      expect(answer.body.errors[0]).toMatchObject({ field: 'q', rule: 'no-identifier-search' });
    }
  });

  it('learns nothing from shorter pieces: they match no identifier, only case numbers and names', async () => {
    const tail = debtorId.slice(-4);
    expect((await search(department, tail)).body.items).toEqual([]);
    expect((await search(department, debtorId.slice(6, 11))).body.items).toEqual([]);
  });

  it('still finds its listings by case number and name', async () => {
    for (const q of ['宁01执4711', '赵某某']) {
      const answer = await search(department, q);
      expect(answer.status).toBe(200);
      expect(answer.body.items.map((item: { id: string }) => item.id)).toEqual([listingId]);
    }
  });
});

it('the court and the coordinating office still find a listing by identifier', async () => {
  const supervisor = await stack.key('supervisor');
  for (const key of [clerk, supervisor]) {
    const answer = await search(key, debtorId);
    expect(answer.status).toBe(200);
    expect(answer.body.items.map((item: { id: string }) => item.id)).toEqual([listingId]);
  }
});

it('the lawful path: the restriction check names the listing for the full identifier, and the disclosure is logged', async () => {
  const keyId = (await stack.prisma.apiKey.findUniqueOrThrow({ where: { keyHash: hashApiKey(department) } })).id;
  const check = await stack.request('GET', `/api/restrictions/check?idNumber=${debtorId}`, { key: department });
  expect(check.status).toBe(200);
  expect(check.body).toMatchObject({ idNumber: debtorId, restricted: true, restrictions: [expect.objectContaining({ listingId, caseNumber })] });
  const view = await stack.request('GET', `/api/listings/${listingId}`, { key: department });
  expect(view.status).toBe(200);
  expect(view.body.debtor.idNumber).toBe(debtorId);
  const logged = await waitUntil(async () => {
    const rows = await stack.prisma.disclosure.findMany({ where: { keyId } });
    const purposes = new Set(rows.map((row) => row.purpose));
    return purposes.has('check') && purposes.has('listing-view') ? rows : undefined;
  }, 'the check and the view in the disclosure log', 15_000);
  expect(logged.every((row) => row.departmentCode === 'D05' && row.listingId === listingId)).toBe(true);
});
