// A new catalog version while a listing is in flight: new listings use it, the listing in flight keeps its own,
// and address changes apply to the next email at once.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { creditCode, entityListing } from '../support/fixtures.js';
import { list, tasksOf } from '../support/listing-client.js';
import { calmPolicy } from '../support/policies.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ policy: calmPolicy, catalog: twoDepartmentCatalog() });
});
afterAll(async () => stack?.stop());

it('imports a new version with a readable diff; listings in flight keep theirs; addresses change at once', async () => {
  const clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  const inFlight = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执996号' }));
  await tasksOf(stack, inFlight, 'impose', 2);

  // Version 2: every measure moves to D07, and D05 gets a new contact address.
  const current = twoDepartmentCatalog();
  const next = {
    ...current,
    measures: current.measures.map((m) => ({ ...m, departments: ['D07'] })),
    departments: current.departments.map((d) => (d.code === 'D05' ? { ...d, contactEmail: 'new-desk@d05.departments.example' } : d)),
  };
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'catalog-')), 'catalog.json');
  await writeFile(file, JSON.stringify(next));
  const cli = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [cli, 'catalog', 'import', file], { env: { ...process.env, SANCTIONS_API_URL: stack.apiUrl, SANCTIONS_API_KEY: stack.adminKey } });
  const imported = JSON.parse(stdout);
  expect(imported).toMatchObject({ version: 2, created: true });
  expect(imported.diff.measures.changed.map((c: { code: string }) => c.code)).toEqual(current.measures.map((m) => m.code).sort());
  expect(imported.diff.departments.changed).toEqual([{ code: 'D05', fields: ['contactEmail'] }]);
  const again = await stack.request('POST', '/api/catalog', { key: stack.adminKey, body: next });
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({ version: 2, created: false });
  expect((await stack.request('POST', '/api/catalog', { key: clerk, body: next })).status).toBe(403);
  const invalid = await stack.request('POST', '/api/catalog', { key: stack.adminKey, body: { ...next, measures: [{ code: 'M99' }] } });
  expect(invalid.status).toBe(400);
  expect((await stack.request('GET', '/api/catalog/versions', { key: clerk })).body.map((v: { version: number }) => v.version)).toEqual([1, 2]);

  // A new listing uses version 2: one task, at D07.
  const fresh = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执997号', debtor: { kind: 'entity', name: '新公司', idNumber: creditCode(77) } }));
  const freshTasks = await tasksOf(stack, fresh, 'impose', 1);
  expect(freshTasks.map((t) => t.departmentCode)).toEqual(['D07']);
  expect((await stack.prisma.listing.findUniqueOrThrow({ where: { id: fresh } })).catalogVersion).toBe(2);

  // The listing in flight keeps version 1: it lifts at D05 and D06, and D05's lift notice goes to the new address.
  expect((await stack.prisma.listing.findUniqueOrThrow({ where: { id: inFlight } })).catalogVersion).toBe(1);
  expect((await stack.request('POST', `/api/listings/${inFlight}/performance`, { key: clerk, body: { note: '已履行' } })).status).toBe(202);
  const liftTasks = await tasksOf(stack, inFlight, 'lift', 2);
  expect(liftTasks.map((t) => t.departmentCode)).toEqual(['D05', 'D06']);
  const d05Lift = liftTasks.find((t) => t.departmentCode === 'D05')!;
  const [liftNotice] = await stack.mail.waitFor((m) => m.headers['x-task-id'] === d05Lift.id && m.headers['x-notice-type'] === 'lift-notice');
  expect(liftNotice!.envelopeTo).toEqual(['new-desk@d05.departments.example']);
});
