// API keys an administrator can list, revoke and let expire; bootstrap keys
// that do not outlive the next start; imports that stop with their key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyService } from '../../app/api-keys.js';
import { IMPORT_CHUNK_SIZE } from '../../activities/listing-import.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { calmPolicy } from '../support/policies.js';
import { listingRows, toCsv } from '../support/spreadsheets.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { sleep, waitUntil } from '../support/wait.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ policy: calmPolicy, catalog: twoDepartmentCatalog(), poolSize: 10 });
});
afterAll(async () => stack?.stop());

const create = (body: unknown, key = stack.adminKey) => stack.request('POST', '/api/api-keys', { key, body });
const catalogWith = (key: string) => stack.request('GET', '/api/catalog/versions', { key });

describe('an administrator', () => {
  it('lists every key without its secret, newest first, with its status', async () => {
    const made = await create({ name: 'tender system', role: 'department', departmentCode: 'D05' });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ id: expect.any(String), key: expect.stringMatching(/^jsc_/), expiresAt: null });
    const listed = await stack.request('GET', '/api/api-keys', { key: stack.adminKey });
    expect(listed.status).toBe(200);
    expect(listed.body[0]).toEqual({
      id: made.body.id,
      name: 'tender system',
      role: 'department',
      departmentCode: 'D05',
      courtCode: null,
      institutionCode: null,
      createdAt: expect.any(String),
      expiresAt: null,
      revokedAt: null,
      status: 'active',
    });
    expect(listed.body.some((key: { name: string; status: string }) => key.name === 'generated at start' && key.status === 'active')).toBe(true);
    const text = JSON.stringify(listed.body);
    expect(text).not.toContain(made.body.key);
    expect(text).not.toMatch(/keyHash|jsc_/);
  });

  it('binds an institution key to an institution of the directory, and refuses one without or with an unknown code', async () => {
    const made = await create({ name: 'ICBC enforcement desk', role: 'institution', institutionCode: 'ICBC' });
    expect(made.status).toBe(201);
    const listed = await stack.request('GET', '/api/api-keys', { key: stack.adminKey });
    expect(listed.body[0]).toMatchObject({ id: made.body.id, role: 'institution', institutionCode: 'ICBC' });
    for (const [body, field] of [
      [{ name: 'no code', role: 'institution' }, 'institutionCode'],
      [{ name: 'unknown', role: 'institution', institutionCode: 'NO-SUCH-BANK' }, 'institutionCode'],
      [{ name: 'clerk with code', role: 'clerk', institutionCode: 'ICBC' }, 'institutionCode'],
    ] as const) {
      const refused = await create(body);
      expect(refused.status).toBe(400);
      expect(refused.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    }
  });

  it('revokes a key: 401 problem+json on its next request, at once, and listed as revoked', async () => {
    const { body: made } = await create({ name: 'clerk to revoke', role: 'clerk', courtCode: 'NX-YC-01' });
    expect((await catalogWith(made.key)).status).toBe(200);
    const revoked = await stack.request('DELETE', `/api/api-keys/${made.id}`, { key: stack.adminKey });
    expect(revoked.status).toBe(204);
    const refused = await catalogWith(made.key);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(refused.body.detail).toMatch(/revoked/);
    const listed = await stack.request('GET', '/api/api-keys', { key: stack.adminKey });
    expect(listed.body.find((key: { id: string }) => key.id === made.id)).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });
    // Again: harmless, the first revocation time stays.
    expect((await stack.request('DELETE', `/api/api-keys/${made.id}`, { key: stack.adminKey })).status).toBe(204);
    const again = await stack.request('GET', '/api/api-keys', { key: stack.adminKey });
    expect(again.body.find((key: { id: string }) => key.id === made.id).revokedAt).toBe(listed.body.find((key: { id: string }) => key.id === made.id).revokedAt);
  });

  it('answers 404 for unknown keys, and only administrators list or revoke', async () => {
    expect((await stack.request('DELETE', '/api/api-keys/00000000-0000-4000-8000-000000000000', { key: stack.adminKey })).status).toBe(404);
    expect((await stack.request('DELETE', '/api/api-keys/not-a-key', { key: stack.adminKey })).status).toBe(404);
    const supervisor = (await create({ name: 'office', role: 'supervisor' })).body;
    expect((await stack.request('GET', '/api/api-keys', { key: supervisor.key })).status).toBe(403);
    expect((await stack.request('DELETE', `/api/api-keys/${supervisor.id}`, { key: supervisor.key })).status).toBe(403);
    expect((await catalogWith(supervisor.key)).status).toBe(200);
  });

  it('gives a key an expiry: it works until then and answers 401 from that instant on', async () => {
    const expiresAt = new Date(Date.now() + 2_500).toISOString();
    const made = await create({ name: 'short-lived', role: 'supervisor', expiresAt });
    expect(made.status).toBe(201);
    expect(made.body.expiresAt).toBe(expiresAt);
    expect((await catalogWith(made.body.key)).status).toBe(200);
    await sleep(Date.parse(expiresAt) - Date.now() + 50);
    const refused = await catalogWith(made.body.key);
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toMatch(/expired/);
    const listed = await stack.request('GET', '/api/api-keys', { key: stack.adminKey });
    expect(listed.body.find((key: { id: string }) => key.id === made.body.id)).toMatchObject({ status: 'expired', expiresAt, revokedAt: null });
  });

  it('refuses an expiry in the past or not an instant, naming expiresAt, and creates nothing', async () => {
    const before = await stack.prisma.apiKey.count();
    for (const expiresAt of [new Date(Date.now() - 1_000).toISOString(), 'next week', '2027-01-01']) {
      const refused = await create({ name: 'bad expiry', role: 'supervisor', expiresAt });
      expect(refused.status, expiresAt).toBe(400);
      expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(refused.body.errors.map((error: { field: string }) => error.field)).toEqual(['expiresAt']);
    }
    expect(await stack.prisma.apiKey.count()).toBe(before);
  });
});

it('an import whose key is revoked midway stops: no row after the revocation is listed', async () => {
  const { body: clerk } = await create({ name: 'court uploader', role: 'clerk', courtCode: 'NX-YC-01' });
  const total = 400;
  const rows = listingRows(total, { caseOffset: 50_000 });
  const uploaded = await fetch(`${stack.apiUrl}/api/listings/import`, { method: 'POST', headers: { authorization: `Bearer ${clerk.key}`, 'content-type': 'text/csv' }, body: toCsv(rows) });
  expect(uploaded.status).toBe(202);
  const importId = ((await uploaded.json()) as { id: string }).id;
  await waitUntil(async () => (await stack.prisma.listingImport.findUniqueOrThrow({ where: { id: importId } })).processed >= IMPORT_CHUNK_SIZE, 'the first rows recorded', 120_000);

  expect((await stack.request('DELETE', `/api/api-keys/${clerk.id}`, { key: stack.adminKey })).status).toBe(204);
  const atRevocation = (await stack.prisma.listingImport.findUniqueOrThrow({ where: { id: importId } })).processed;
  expect(atRevocation).toBeLessThan(total);

  const supervisor = (await create({ name: 'import watcher', role: 'supervisor' })).body.key;
  const stopped = await waitUntil(async () => {
    const { body } = await stack.request('GET', `/api/listings/import/${importId}`, { key: supervisor });
    return body.status === 'stopped' ? body : undefined;
  }, 'the import to stop', 60_000);
  expect(stopped).toMatchObject({ status: 'stopped', stoppedReason: 'key-revoked', total });
  // At most the chunk under way when the key was revoked is finished.
  expect(stopped.processed).toBeLessThanOrEqual(atRevocation + IMPORT_CHUNK_SIZE);
  expect(stopped.created + stopped.existing + stopped.failed).toBe(stopped.processed);

  // Listed: the rows recorded before the revocation and at most the chunk then under way (a chunk whose
  // attempt failed midway may have listed some of its rows without counting them). Nothing after.
  const listedRows = async () => {
    const listed = await stack.prisma.listing.findMany({ where: { caseNumber: { startsWith: '（2026）宁01执6' } }, select: { caseNumber: true } });
    const cases = new Set(listed.map((listing) => listing.caseNumber));
    return rows.flatMap((row, index) => (cases.has(String(row.caseNumber)) ? [index] : []));
  };
  const listed = await listedRows();
  expect(listed.length).toBeGreaterThanOrEqual(stopped.created);
  expect(Math.max(...listed)).toBeLessThan(atRevocation + IMPORT_CHUNK_SIZE);
  // However long one waits.
  await sleep(3_000);
  expect(await listedRows()).toEqual(listed);
  const { body: results } = await stack.request('GET', `/api/listings/import/${importId}/results`, { key: supervisor });
  expect(results.rows).toHaveLength(stopped.processed);
}, 240_000);

it('a start with ADMIN_API_KEY revokes the admin keys earlier starts generated and printed', async () => {
  const bootstrap = createApiKeyService(stack.prisma);
  // An earlier start without ADMIN_API_KEY printed this key.
  const printed = await bootstrap.ensureBootstrapAdmin(undefined);
  expect(printed.generated).toBe(true);
  const configured = `jsc_configured_${Date.now()}_0123456789abcdef`;
  expect(await bootstrap.ensureBootstrapAdmin(configured)).toEqual({ key: configured, generated: false });

  const refused = await stack.request('GET', '/api/api-keys', { key: printed.key });
  expect(refused.status).toBe(401);
  expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
  const listed = await stack.request('GET', '/api/api-keys', { key: configured });
  expect(listed.status).toBe(200);
  const admins = listed.body.filter((key: { role: string }) => key.role === 'admin');
  expect(admins.filter((key: { status: string }) => key.status === 'active').map((key: { name: string }) => key.name)).toEqual(['ADMIN_API_KEY']);

  // Starting again with the same key keeps it.
  await bootstrap.ensureBootstrapAdmin(configured);
  expect((await stack.request('GET', '/api/api-keys', { key: configured })).status).toBe(200);

  // A configured key an administrator revoked is not brought back by a restart.
  const own = admins.find((key: { name: string; status: string }) => key.name === 'ADMIN_API_KEY' && key.status === 'active');
  expect((await stack.request('DELETE', `/api/api-keys/${own.id}`, { key: configured })).status).toBe(204);
  await expect(bootstrap.ensureBootstrapAdmin(configured)).rejects.toThrow(/revoked.*set ADMIN_API_KEY to a new key/);
  expect((await stack.prisma.apiKey.findUniqueOrThrow({ where: { id: own.id } })).revokedAt).not.toBeNull();
});
