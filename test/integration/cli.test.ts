// The `sanctions` command line against a running stack.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { entityListing } from '../support/fixtures.js';
import { list, tasksOf } from '../support/listing-client.js';
import { calmPolicy } from '../support/policies.js';
import { listingRows, toCsv, toXlsx } from '../support/spreadsheets.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const bin = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url));
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ policy: calmPolicy, catalog: twoDepartmentCatalog() });
});
afterAll(async () => stack?.stop());

async function sanctions(key: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], { env: { ...process.env, SANCTIONS_API_URL: stack.apiUrl, SANCTIONS_API_KEY: key } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

it('lists, shows, acknowledges and lifts, with tables by default and --json for scripts', async () => {
  const created = await sanctions(stack.adminKey, 'keys', 'create', '--name', 'clerk', '--role', 'clerk', '--court', 'NX-YC-01');
  expect(created.code).toBe(0);
  const clerk = JSON.parse(created.stdout).key as string;
  const listingId = await list(stack, clerk, entityListing({ caseNumber: '（2026）宁01执995号' }));
  const [d05] = await tasksOf(stack, listingId, 'impose', 2);

  const table = await sanctions(clerk, 'listings');
  expect(table.code).toBe(0);
  expect(table.stdout).toContain('（2026）宁01执995号');
  expect(table.stdout).toMatch(/1 row/);
  const asJson = await sanctions(clerk, '--json', 'show', listingId);
  expect(JSON.parse(asJson.stdout)).toMatchObject({ id: listingId, status: 'active' });

  const department = await stack.key('department', { departmentCode: 'D05' });
  const acknowledged = await sanctions(department, '--json', 'ack', d05!.id, '--by', '王五');
  expect(acknowledged.code).toBe(0);
  expect(JSON.parse(acknowledged.stdout)[0]).toMatchObject({ id: d05!.id, status: 'acknowledged' });

  const lifted = await sanctions(clerk, 'lift', listingId, '--note', '已履行');
  expect(lifted.code).toBe(0);
  expect(JSON.parse(lifted.stdout)).toMatchObject({ id: listingId });
});

it('fails with a non-zero exit and the problem on stderr', async () => {
  const supervisor = await stack.key('supervisor');
  const missing = await sanctions(supervisor, 'show', '00000000-0000-4000-8000-000000000000');
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/404 Not found/);
  const forbidden = await sanctions(supervisor, 'keys', 'create', '--name', 'x', '--role', 'admin');
  expect(forbidden.code).toBe(1);
  expect(forbidden.stderr).toMatch(/403/);
  const noKey = await sanctions('', 'listings');
  expect(noKey.code).toBe(2);
  expect(noKey.stderr).toMatch(/SANCTIONS_API_KEY/);
  const help = await sanctions('', 'ack', '--help');
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('--complete');
});

it('imports a spreadsheet: every error at once, then the rows with a summary; writes the template', async () => {
  const clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sanctions-cli-'));
  const rows = listingRows(12, { caseOffset: 70_000 });
  const bad = rows.map((row) => ({ ...row }));
  bad[1]!.debtorIdNumber = '110105194912310021';
  await writeFile(path.join(dir, 'bad.csv'), toCsv(bad));
  const refused = await sanctions(clerk, 'import', path.join(dir, 'bad.csv'));
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/1 error in 1 row; nothing was imported/);
  expect(refused.stderr).toMatch(/row 3, 证件号码: .*\[custom\]/);

  await writeFile(path.join(dir, 'good.xlsx'), await toXlsx(rows));
  const checked = await sanctions(clerk, 'import', '--dry-run', path.join(dir, 'good.xlsx'));
  expect(checked).toMatchObject({ code: 0, stdout: expect.stringMatching(/12 rows, no errors; nothing imported/) });
  const imported = await sanctions(clerk, '--json', 'import', path.join(dir, 'good.xlsx'));
  expect(imported.code).toBe(0);
  expect(JSON.parse(imported.stdout)).toMatchObject({ status: 'completed', total: 12, created: 12, existing: 0 });
  const again = await sanctions(clerk, 'import', path.join(dir, 'good.xlsx'));
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/already listed/);
  expect(again.stdout).toMatch(/│ 12\s+│ 0\s+│ 12\s+│ 0\s+│/);

  const template = await sanctions(clerk, 'template', path.join(dir, 'template.xlsx'));
  expect(template.code).toBe(0);
  expect((await readFile(path.join(dir, 'template.xlsx'))).subarray(0, 2).toString()).toBe('PK');
  const wrongType = await sanctions(clerk, 'import', path.join(dir, 'notes.txt'));
  expect(wrongType.code).toBe(2);
  expect(wrongType.stderr).toMatch(/\.csv or \.xlsx/);
  const help = await sanctions('', 'import', '--help');
  expect(help.stdout).toContain('--dry-run');
});

it('creates keys with an expiry, lists them without secrets, and revokes one', async () => {
  const expiresAt = '2099-06-30T16:00:00.000Z';
  const created = await sanctions(stack.adminKey, 'keys', 'create', '--name', 'licensing system', '--role', 'department', '--department', 'D06', '--expires', expiresAt);
  expect(created.code).toBe(0);
  const made = JSON.parse(created.stdout) as { id: string; key: string; expiresAt: string };
  expect(made.expiresAt).toBe(expiresAt);
  expect((await stack.request('GET', '/api/catalog', { key: made.key })).status).toBe(200);

  const table = await sanctions(stack.adminKey, 'keys', 'list');
  expect(table.code).toBe(0);
  expect(table.stdout).toMatch(new RegExp(`${made.id}.*licensing system.*department.*D06.*active.*${expiresAt}`));
  expect(table.stdout).not.toContain(made.key);

  const revoked = await sanctions(stack.adminKey, 'keys', 'revoke', made.id);
  expect(revoked).toMatchObject({ code: 0, stdout: `revoked ${made.id}\n` });
  expect((await stack.request('GET', '/api/catalog', { key: made.key })).status).toBe(401);
  const listed = JSON.parse((await sanctions(stack.adminKey, '--json', 'keys', 'list')).stdout) as { id: string; status: string }[];
  expect(listed.find((key) => key.id === made.id)?.status).toBe('revoked');

  const refused = await sanctions(made.key, 'keys', 'list');
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/401/);
  const badExpiry = await sanctions(stack.adminKey, 'keys', 'create', '--name', 'x', '--role', 'supervisor', '--expires', 'tomorrow');
  expect(badExpiry.code).toBe(1);
  expect(badExpiry.stderr).toMatch(/400.*\n\s+expiresAt:/);
  // Each command is a process of its own: generous on a loaded machine.
}, 180_000);

it('searches a debtor\'s assets, shows the answers and lists the freezes about to end', async () => {
  const clerk = JSON.parse((await sanctions(stack.adminKey, 'keys', 'create', '--name', 'assets clerk', '--role', 'clerk', '--court', 'FJ-XM-0203')).stdout).key as string;
  const institution = await sanctions(stack.adminKey, 'keys', 'create', '--name', 'icbc desk', '--role', 'institution', '--institution', 'ICBC');
  expect(institution.code).toBe(0);
  const started = await sanctions(clerk, '--json', 'assets', 'search', '--case', '（2026）闽0203执5号', '--name', '厦门某某有限公司', '--id', '91350100M000100Y43', '--entity', '--institutions', 'ICBC,BOC');
  expect(started.code, started.stderr).toBe(0);
  const search = JSON.parse(started.stdout);
  expect(search.requests).toHaveLength(2);
  const shown = await sanctions(clerk, 'assets', 'show', search.id);
  expect(shown.code).toBe(0);
  expect(shown.stdout).toContain('0/2 answered');
  expect(shown.stdout).toContain('ICBC');
  const freezes = await sanctions(clerk, 'assets', 'freezes', '--within', '30');
  expect(freezes.code).toBe(0);
  expect(freezes.stdout).toContain('0 rows');
  const unknown = await sanctions(clerk, 'assets', 'search', '--case', '（2026）闽0203执6号', '--name', 'X', '--id', '91350100M000100Y43', '--entity', '--institutions', 'NOPE');
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain('institutions.0');
});
