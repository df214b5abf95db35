// Bulk listing from a court's spreadsheet: the whole file is checked first and
// refused with every error, then imported in the background; a repeat creates nothing.
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IMPORT_COLUMNS } from '../../imports/columns.js';
import { XLSX_MEDIA_TYPE } from '../../imports/read-sheet.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { individualListing, residentId } from '../support/fixtures.js';
import { list } from '../support/listing-client.js';
import { calmPolicy } from '../support/policies.js';
import { HEADERS, listingRows, toCsv, toXlsx } from '../support/spreadsheets.js';
import { rowXml, sheetXmlOf, workbookParts, zipOf } from '../support/xlsx-parts.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';

let stack: TestStack;
let clerk: string;
beforeAll(async () => {
  // The production pool size: an import records rows side by side.
  stack = await startTestStack({ policy: calmPolicy, catalog: twoDepartmentCatalog(), poolSize: 20 });
  clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
});
afterAll(async () => stack?.stop());

async function upload(file: Buffer, type: string, { key = clerk, query = '' } = {}) {
  const response = await fetch(`${stack.apiUrl}/api/listings/import${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': type },
    body: file,
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

async function completed(id: string, seen: number[] = []) {
  return waitUntil(
    async () => {
      const { body } = await stack.request('GET', `/api/listings/import/${id}`, { key: clerk });
      seen.push(body.processed);
      return body.status === 'completed' && body;
    },
    `import ${id} to complete`,
    // Generous: the whole suite runs two files at a time on two cores.
    240_000,
  );
}

const listingCount = () => stack.prisma.listing.count();

it('refuses a 1,000-row file with bad rows whole, naming the row, column and rule of each error', async () => {
  const rows = listingRows(1000);
  rows[10]!.debtorIdNumber = '110105194912310021'; // wrong check character
  rows[20]!.debtorKind = '公司';
  rows[30]!.caseNumber = '';
  rows[40]!.obligationAmountYuan = '五万元';
  rows[50]!.debtorIdNumber = residentId('20150601', 7); // a minor
  rows[60]!.periodYears = 3; // item 1 has no fixed term
  rows[70] = { ...rows[1]!, obligationAmountYuan: 1 }; // the same case and debtor as row 3
  rows[80]!.courtCode = 'NX-ZW-02'; // not the key's court
  rows[90]!.legalRepName = '赵六'; // a person has no legal representative

  const before = await listingCount();
  const { status, headers, body } = await upload(toCsv(rows), 'text/csv');
  expect(status).toBe(400);
  expect(headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(body.detail).toMatch(/9 errors in 9 rows; nothing was imported/);
  expect(body.errorCount).toBe(9);
  const reported = body.errors.map((error: any) => [error.row, error.column, error.rule]);
  // Spreadsheet row numbers: the header is row 1, so the row at index i is row i + 2.
  expect(reported).toEqual([
    [12, '证件号码', 'custom'],
    [22, '被执行人类型', 'one-of'],
    [32, '案号', 'required'],
    [42, '未履行金额（元）', 'number'],
    [52, '证件号码', 'minor'],
    [62, '失信期限（年）', 'no-fixed-term'],
    [72, '案号', 'duplicate-row'],
    [82, '执行法院代码', 'court-of-key'],
    [92, '法定代表人或负责人', 'individual-has-no-representative'],
  ]);
  expect(body.errors[6].message).toMatch(/row 3/);
  expect(await listingCount()).toBe(before);
  expect(await stack.prisma.listingImport.count()).toBe(0);
});

it('imports 1,000 rows in the background with progress to poll; importing the file again creates nothing', async () => {
  const file = toCsv(listingRows(1000));
  const before = await listingCount();

  const queued = await upload(file, 'text/csv', { query: '?fileName=court-2026-11.csv' });
  expect(queued.status).toBe(202);
  expect(queued.headers.get('location')).toBe(`/api/listings/import/${queued.body.id}`);
  expect(queued.body).toMatchObject({ status: expect.stringMatching(/queued|running/), total: 1000, fileName: 'court-2026-11.csv', format: 'csv' });
  // Operators see the rows still to record on /metrics.
  const metrics = async () => (await (await fetch(`${stack.apiUrl}/metrics`, { headers: { authorization: `Bearer ${stack.adminKey}` } })).text()).match(/^sanctions_listing_import_rows\{state="total"\} (\d+)$/m)?.[1];
  expect(await metrics()).toBe('1000');
  const progress: number[] = [];
  const done = await completed(queued.body.id, progress);
  expect(await metrics()).toBe('0');
  expect(done).toMatchObject({ total: 1000, processed: 1000, created: 1000, existing: 0, failed: 0 });
  expect(progress.some((processed) => processed > 0 && processed < 1000)).toBe(true);
  expect(await listingCount()).toBe(before + 1000);

  // Every listing has its sanction workflow, and the results map rows to listings.
  const { body: results } = await stack.request('GET', `/api/listings/import/${queued.body.id}/results`, { key: clerk });
  expect(results.rows).toHaveLength(1000);
  expect(results.rows[0]).toMatchObject({ row: 2, outcome: 'created' });
  const last = results.rows[999];
  const listing = await stack.prisma.listing.findUniqueOrThrow({ where: { id: last.listingId } });
  expect(listing.caseNumber).toBe('（2026）宁01执10999号');
  const described = await stack.temporal.workflow.getHandle(listing.workflowId).describe();
  expect(described.status.name).toBe('RUNNING');

  const again = await upload(file, 'text/csv');
  expect(again.status).toBe(202);
  expect(again.body.id).not.toBe(queued.body.id);
  expect(await completed(again.body.id)).toMatchObject({ total: 1000, created: 0, existing: 1000, failed: 0 });
  expect(await listingCount()).toBe(before + 1000);
}, 480_000);

it('reads XLSX, finds listings made by hand, refuses identifiers Excel stored as numbers, and checks without importing', async () => {
  const rows = listingRows(5, { caseOffset: 20_000 });
  const byHand = await list(stack, clerk, individualListing({ caseNumber: rows[0]!.caseNumber, debtor: { kind: 'individual', name: '债务人20000', idNumber: rows[0]!.debtorIdNumber } }));

  const numeric = [...rows.map((row) => ({ ...row }))];
  numeric[2]!.debtorIdNumber = 110105194912310000; // what Excel keeps of an 18-digit number
  const refused = await upload(await toXlsx(numeric), XLSX_MEDIA_TYPE);
  expect(refused.status).toBe(400);
  expect(refused.body.errors).toEqual([expect.objectContaining({ row: 4, column: '证件号码', rule: 'stored-as-number' })]);

  const before = await listingCount();
  const checked = await upload(await toXlsx(rows), XLSX_MEDIA_TYPE, { query: '?dryRun=true' });
  expect(checked.status).toBe(200);
  expect(checked.body).toEqual({ status: 'checked', format: 'xlsx', total: 5 });
  expect(await listingCount()).toBe(before);

  const queued = await upload(await toXlsx(rows), 'application/octet-stream');
  expect(queued.status).toBe(202);
  expect(await completed(queued.body.id)).toMatchObject({ format: 'xlsx', created: 4, existing: 1 });
  const { body: results } = await stack.request('GET', `/api/listings/import/${queued.body.id}/results`, { key: clerk });
  expect(results.rows[0]).toMatchObject({ row: 2, outcome: 'existing', listingId: byHand });
});

it('reads a CSV saved by Excel in GB 18030, with English or Chinese headers', async () => {
  const rows = listingRows(2, { caseOffset: 30_000 });
  const headers = IMPORT_COLUMNS.map((column, index) => (index % 2 === 0 ? column.header : column.key));
  const gb18030 = iconv.encode(toCsv(rows, headers).toString('utf8'), 'gb18030');
  const queued = await upload(gb18030, 'text/csv');
  expect(queued.status).toBe(202);
  expect(await completed(queued.body.id)).toMatchObject({ created: 2 });
  const listing = await stack.prisma.listing.findFirstOrThrow({ where: { caseNumber: String(rows[0]!.caseNumber) } });
  expect(listing.debtorName).toBe(rows[0]!.debtorName);
});

it('refuses spreadsheet bombs while reading them, and records nothing', async () => {
  const before = await listingCount();
  const header = rowXml(1, HEADERS);
  // 80 MB of spaces deflate to about 80 KB: over the 64 MB a file may unpack to.
  const padded = Buffer.concat([Buffer.from(sheetXmlOf([header])), Buffer.alloc(80 * 1024 * 1024, 0x20)]);
  const bomb = await upload(zipOf(workbookParts(padded)), XLSX_MEDIA_TYPE);
  expect(bomb.status).toBe(400);
  expect(bomb.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(bomb.body.errors).toEqual([expect.objectContaining({ field: 'file', rule: 'max-unpacked-size' })]);

  const farRight = `<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c><c r="XFD2" t="inlineStr"><is><t>far</t></is></c></row>`;
  const wide = await upload(zipOf(workbookParts(sheetXmlOf([header, farRight]))), XLSX_MEDIA_TYPE);
  expect(wide.status).toBe(400);
  expect(wide.body.errors).toEqual([expect.objectContaining({ field: 'file', rule: 'max-columns' })]);

  const rows = Array.from({ length: 10_001 }, (_, index) => rowXml(index + 2, [`（2026）宁01执${index}号`]));
  const long = await upload(zipOf(workbookParts(sheetXmlOf([header, ...rows]))), XLSX_MEDIA_TYPE);
  expect(long.status).toBe(400);
  expect(long.body.errors).toEqual([expect.objectContaining({ field: 'file', rule: 'max-rows' })]);
  expect(long.body.detail).toBe('The file has more than 10000 rows; split it into files of at most 10000.');
  expect(await listingCount()).toBe(before);
});

it('refuses unreadable files, unknown or missing columns and empty files, and only clerks import', async () => {
  const unknown = await upload(toCsv(listingRows(1), [...HEADERS.slice(0, -1), '备注']), 'text/csv');
  expect(unknown.status).toBe(400);
  expect(unknown.body.errors).toEqual([expect.objectContaining({ row: 1, column: '备注', rule: 'unknown-column' })]);

  const missing = await upload(Buffer.from('案号,证件号码\n（2026）宁01执1号,11010519491231002X\n'), 'text/csv');
  expect(missing.status).toBe(400);
  expect(missing.body.errors.map((error: any) => error.rule)).toEqual(['missing-column', 'missing-column', 'missing-column', 'missing-column']);

  const empty = await upload(toCsv([]), 'text/csv');
  expect(empty.status).toBe(400);
  expect(empty.body.errors[0]).toMatchObject({ field: 'file', rule: 'not-empty' });

  const xls = await upload(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), 'application/vnd.ms-excel');
  expect(xls.status).toBe(400);
  expect(xls.body.detail).toMatch(/save it as \.xlsx/);

  const brokenZip = await upload(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64)]), XLSX_MEDIA_TYPE);
  expect(brokenZip.status).toBe(400);
  expect(brokenZip.body.errors[0]).toMatchObject({ field: 'file', rule: 'readable' });

  const department = await stack.key('department', { departmentCode: 'D05' });
  expect((await upload(toCsv(listingRows(1)), 'text/csv', { key: department })).status).toBe(403);
  expect((await upload(toCsv(listingRows(1)), 'text/csv', { key: 'not-a-key' })).status).toBe(401);
  const otherCourt = await stack.key('clerk', { courtCode: 'NX-ZW-02' });
  const { body: someImport } = await upload(toCsv(listingRows(1, { caseOffset: 40_000 })), 'text/csv');
  expect((await stack.request('GET', `/api/listings/import/${someImport.id}`, { key: otherCourt })).status).toBe(403);
  expect((await stack.request('GET', '/api/listings/import/not-an-id', { key: clerk })).status).toBe(404);
  await completed(someImport.id);
});

it('serves the template as CSV and as an XLSX workbook with a guide', async () => {
  const csv = await fetch(`${stack.apiUrl}/api/listings/import/template.csv`, { headers: { authorization: `Bearer ${clerk}` } });
  expect(csv.status).toBe(200);
  expect(csv.headers.get('content-disposition')).toMatch(/listings-template\.csv/);
  const bytes = Buffer.from(await csv.arrayBuffer());
  expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  expect(bytes.subarray(3).toString('utf8').trim()).toBe(HEADERS.join(','));

  const xlsx = await fetch(`${stack.apiUrl}/api/listings/import/template.xlsx`, { headers: { authorization: `Bearer ${clerk}` } });
  expect(xlsx.headers.get('content-type')).toMatch(/spreadsheetml/);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(await xlsx.arrayBuffer());
  expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['失信被执行人', '填写说明']);
  expect((workbook.worksheets[0]!.getRow(1).values as unknown[]).slice(1)).toEqual(HEADERS);

  // The empty template filled with rows imports as it is.
  const filled = new ExcelJS.Workbook();
  await filled.xlsx.load(await (await fetch(`${stack.apiUrl}/api/listings/import/template.xlsx`, { headers: { authorization: `Bearer ${clerk}` } })).arrayBuffer());
  for (const row of listingRows(2, { caseOffset: 50_000 })) filled.worksheets[0]!.addRow(IMPORT_COLUMNS.map((column) => row[column.key] ?? null));
  const checked = await upload(Buffer.from(await filled.xlsx.writeBuffer()), XLSX_MEDIA_TYPE, { query: '?dryRun=true' });
  expect(checked.body).toMatchObject({ status: 'checked', total: 2 });
});

it('an import queued without its workflow (Temporal was away) is started by the relay, without listing a row twice', async () => {
  const rows = listingRows(30, { caseOffset: 60_000 });
  // The first ten rows were recorded before the instance stopped.
  const first = await upload(toCsv(rows.slice(0, 10)), 'text/csv');
  await completed(first.body.id);
  const queue = rows.map((row, index) => ({
    row: index + 2,
    body: {
      caseNumber: row.caseNumber,
      courtCode: 'NX-YC-01',
      debtor: { kind: 'individual', name: row.debtorName, idNumber: row.debtorIdNumber },
      circumstance: 'refuses-despite-ability',
      securityProvided: false,
      seizedAssetsSufficient: false,
      obligation: { description: row.obligationDescription, amountYuan: row.obligationAmountYuan },
    },
  }));
  const entities = rows.filter((row) => row.debtorKind !== '自然人').length;
  expect(entities).toBeGreaterThan(0);
  const persons = queue.filter((_, index) => rows[index]!.debtorKind === '自然人');
  const clerkKey = await stack.prisma.apiKey.findFirstOrThrow({ where: { role: 'clerk', courtCode: 'NX-YC-01' }, orderBy: { createdAt: 'asc' } });
  const id = randomUUID();
  await stack.prisma.listingImport.create({
    data: {
      id,
      fileSha256: 'f'.repeat(64),
      format: 'csv',
      createdByKeyId: clerkKey.id,
      principal: { keyId: clerkKey.id, name: clerkKey.name, role: 'clerk', departmentCode: null, courtCode: 'NX-YC-01' },
      rows: persons,
      total: persons.length,
      status: 'queued',
      // Queued a minute ago: the relay starts what waited that long.
      updatedAt: new Date(Date.now() - 60_000),
    },
  });
  expect((await stack.relay()).imports).toBeGreaterThanOrEqual(1);
  const done = await completed(id);
  const personsAmongFirstTen = rows.slice(0, 10).filter((row) => row.debtorKind === '自然人').length;
  expect(done).toMatchObject({ processed: persons.length, existing: personsAmongFirstTen, created: persons.length - personsAmongFirstTen, failed: 0 });
  const caseNumbers = rows.map((row) => String(row.caseNumber));
  const listed = await stack.prisma.listing.groupBy({ by: ['caseNumber'], where: { caseNumber: { in: caseNumbers } }, _count: true });
  expect(listed.every((group) => group._count === 1)).toBe(true);
});
