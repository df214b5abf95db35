// The dashboard in a real browser on the real stack: a task goes overdue, the
// supervisor sees it, the department acknowledges it from its page, and it
// leaves the overdue list. A department declines a task as not its own, the
// supervisor reassigns it, the other department finds it on its page, and the
// supervisor downloads the ledger.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chinaLocalDate } from '../../domain/china-time.js';
import { maskIdentifier } from '../../domain/disclosure.js';
import { parsePolicy } from '../../domain/policy.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { VALID_CREDIT_CODE, entityListing } from '../support/fixtures.js';
import { list, tasksOf } from '../support/listing-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

// Acknowledge within 3 s; once acknowledged the task has a minute to complete,
// so it is off the overdue list for the rest of the test.
const fastPolicy = parsePolicy({
  impose: { acknowledge: 'PT3S', complete: 'PT60S' },
  lift: { acknowledge: 'PT3S', complete: 'PT60S' },
  escalation: [{ after: 'PT0S', notify: 'department-supervisor' }],
  reminderBefore: 'PT1S',
});

// The test command provides Chromium (test/support/system-tools.ts).
describe('dashboard in a browser', () => {
  let stack: TestStack;
  let context: BrowserContext;
  let page: Page;
  let profile: string;

  beforeAll(async () => {
    stack = await startTestStack({ policy: fastPolicy, catalog: twoDepartmentCatalog() });
    profile = await mkdtemp(join(tmpdir(), 'jsc-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    page = context.pages()[0] ?? (await context.newPage());
    await mkdir(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await context?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
    await stack?.stop();
  });

  async function signIn(key: string, screenshot?: string) {
    await page.goto(`${stack.apiUrl}/`);
    await page.waitForURL(/\/login/);
    await page.fill('input[name="key"]', key);
    if (screenshot) await page.screenshot({ path: join(ARTIFACTS, screenshot) });
    await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/login')), page.click('form[action="/login"] button[type="submit"]')]);
  }

  async function signOut() {
    await Promise.all([page.waitForURL(/\/login/), page.click('form[action="/logout"] button')]);
  }

  it('shows an overdue task to the supervisor until its department acknowledges it from the page', { timeout: 120_000 }, async () => {
    expect(existsSync(CHROMIUM), `Chromium is not installed at ${CHROMIUM} (apt-get install chromium fonts-noto-cjk)`).toBe(true);
    const clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
    const supervisor = await stack.key('supervisor');
    const d05 = await stack.key('department', { departmentCode: 'D05' });
    const d06 = await stack.key('department', { departmentCode: 'D06' });
    const caseNumber = '（2026）宁01执801号';
    const listingId = await list(stack, clerk, entityListing({ caseNumber }));
    const tasks = await tasksOf(stack, listingId, 'impose', 2);
    const prompt = tasks.find((task) => task.departmentCode === 'D05')!;
    const late = tasks.find((task) => task.departmentCode === 'D06')!;
    expect((await stack.request('POST', `/api/tasks/${prompt.id}/acknowledge`, { key: d05, body: { by: '王五' } })).status).toBe(200);
    await waitUntil(async () => {
      const task = await stack.prisma.task.findUniqueOrThrow({ where: { id: late.id } });
      return task.escalationLevel >= 1 && task.openDeadlineAt !== null && Date.now() - task.openDeadlineAt.getTime() >= 2_000;
    }, 'the D06 task to be overdue and escalated');

    // The supervisor sees it, most overdue first, and opens its listing.
    await signIn(supervisor, 'dashboard-login.png');
    const row = page.locator(`#overdue tr[data-task-id="${late.id}"]`);
    await expect(row.count()).resolves.toBe(1);
    const rowText = await row.innerText();
    expect(rowText).toContain(caseNumber);
    expect(rowText).toContain('D06');
    expect(rowText).toContain('惩戒');
    expect(rowText).toContain('第1级');
    expect(rowText).toMatch(/\d+秒/);
    expect(await page.locator(`#overdue tr[data-task-id="${prompt.id}"]`).count()).toBe(0);
    expect(await page.locator('figure.chart svg rect').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-supervisor.png'), fullPage: true });

    await Promise.all([page.waitForURL(`**/listings/${listingId}`), row.getByRole('link', { name: caseNumber }).click()]);
    expect(await page.locator('#debtor-id').innerText()).toBe(maskIdentifier(VALID_CREDIT_CODE));
    expect(await page.content()).not.toContain(VALID_CREDIT_CODE);
    expect(await page.locator('#tasks tr[data-task-id]').count()).toBe(2);
    expect(await page.locator('#chain').innerText()).toContain('哈希链完整');
    const timeline = await page.locator('#timeline li').evaluateAll((items) => items.map((item) => item.getAttribute('data-type')));
    expect(timeline[0]).toBe('listed');
    expect(timeline).toContain('escalated');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-listing.png'), fullPage: true });
    await signOut();

    // The late department acknowledges from its home page.
    await signIn(d06);
    const own = page.locator(`#tasks tr[data-task-id="${late.id}"]`);
    expect(await own.getAttribute('class')).toContain('is-overdue');
    expect(await page.locator(`#tasks tr[data-task-id="${prompt.id}"]`).count()).toBe(0);
    await Promise.all([page.waitForURL(`${stack.apiUrl}/`), own.locator('button[data-action="acknowledge"]').click()]);
    expect(await page.locator('.flash').innerText()).toContain(caseNumber);
    expect(await own.innerText()).toContain('已确认');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-department.png'), fullPage: true });
    const acknowledged = await stack.prisma.task.findUniqueOrThrow({ where: { id: late.id } });
    expect(acknowledged).toMatchObject({ status: 'acknowledged', acknowledgedBy: expect.stringMatching(/^department-/) });
    await signOut();

    // Its open deadline is now the completion deadline: it has left the overdue list.
    await signIn(supervisor);
    expect(await page.locator(`tr[data-task-id="${late.id}"]`).count()).toBe(0);
    expect(await page.locator('#overdue').count()).toBe(0);
    await page.goto(`${stack.apiUrl}/?lang=en`);
    expect(await page.locator('h1').innerText()).toBe('Supervision');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-supervisor-en.png'), fullPage: true });
  });

  it('takes a task declined as "not ours" through reassignment to another department, and downloads the ledger', { timeout: 120_000 }, async () => {
    expect(existsSync(CHROMIUM), `Chromium is not installed at ${CHROMIUM}`).toBe(true);
    await context.clearCookies();
    const clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
    const supervisor = await stack.key('supervisor');
    const d05 = await stack.key('department', { departmentCode: 'D05' });
    const d07 = await stack.key('department', { departmentCode: 'D07' });
    const caseNumber = '（2026）宁01执802号';
    const listingId = await list(stack, clerk, entityListing({ caseNumber }));
    const declined = (await tasksOf(stack, listingId, 'impose', 2)).find((task) => task.departmentCode === 'D05')!;

    // D05 says the task is not its own, and suggests D07.
    await signIn(d05);
    const own = page.locator(`#tasks tr[data-task-id="${declined.id}"]`);
    expect(await own.locator('details.feedback select[name="result"]').count()).toBe(declined.measures.length);
    await own.locator('details[data-answer="decline"] summary').click();
    await own.locator('form[action$="/decline"] input[name="reason"]').fill('该措施不属于本部门职责');
    await own.locator('form[action$="/decline"] select[name="suggestedDepartmentCode"]').selectOption('D07');
    await Promise.all([page.waitForURL(`${stack.apiUrl}/`), own.locator('button[data-action="decline"]').click()]);
    expect(await page.locator('.flash').innerText()).toContain(caseNumber);
    expect(await page.locator(`#tasks tr[data-task-id="${declined.id}"]`).count()).toBe(0);
    expect(await stack.prisma.task.findUniqueOrThrow({ where: { id: declined.id } })).toMatchObject({ status: 'declined', declineReason: '该措施不属于本部门职责', suggestedDepartmentCode: 'D07' });
    await signOut();

    // The supervisor finds it among the declined tasks and reassigns it to the suggested department.
    await signIn(supervisor);
    const queued = page.locator(`#declined tr[data-task-id="${declined.id}"]`);
    expect(await queued.innerText()).toContain('该措施不属于本部门职责');
    expect(await queued.locator('select[name="departmentCode"]').inputValue()).toBe('D07');
    await queued.locator('form[data-form="reassign"] input[name="reason"]').fill('按部门职责改派');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-declined.png'), fullPage: true });
    await Promise.all([page.waitForURL(`${stack.apiUrl}/`), queued.locator('button[data-action="reassign"]').click()]);
    expect(await page.locator('.flash').innerText()).toContain(caseNumber);
    expect(await page.locator(`#declined tr[data-task-id="${declined.id}"]`).count()).toBe(0);
    const reassigned = await stack.prisma.task.findFirstOrThrow({ where: { listingId, departmentCode: 'D07' } });
    expect(reassigned).toMatchObject({ reassignedFromId: declined.id, measures: declined.measures });
    expect((await stack.prisma.task.findUniqueOrThrow({ where: { id: declined.id } })).status).toBe('reassigned');

    // The ledger for today, downloaded through the page's form, opens and lists both tasks.
    const today = chinaLocalDate(new Date());
    await page.fill('#ledger-export input[name="from"]', today);
    await page.fill('#ledger-export input[name="to"]', today);
    await page.selectOption('#ledger-export select[name="format"]', 'xlsx');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#ledger-export button[data-action="export-ledger"]')]);
    expect(download.suggestedFilename()).toBe(`ledger-${today}-${today}.xlsx`);
    const file = join(ARTIFACTS, 'dashboard-ledger.xlsx');
    await download.saveAs(file);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await readFile(file)) as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('台账')!;
    const headers = (sheet.getRow(1).values as unknown[]).slice(1);
    const column = (header: string) => headers.indexOf(header) + 1;
    const rows = sheet.getRows(2, sheet.rowCount - 1)!.filter((row) => row.getCell(column('案号')).value === caseNumber);
    expect(rows.map((row) => row.getCell(column('部门代码')).value).sort()).toEqual(['D05', 'D06', 'D07']);
    await signOut();

    // D07 has the task on its page, and the listing page shows D05's answer.
    await signIn(d07);
    expect(await page.locator(`#tasks tr[data-task-id="${reassigned.id}"]`).innerText()).toContain(caseNumber);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-reassigned.png'), fullPage: true });
    await signOut();
    await signIn(supervisor);
    await page.goto(`${stack.apiUrl}/listings/${listingId}`);
    expect(await page.locator(`#tasks tr[data-task-id="${declined.id}"]`).innerText()).toContain('该措施不属于本部门职责');
    expect(await page.locator(`#tasks tr[data-task-id="${declined.id}"] .badge.status-reassigned`).count()).toBe(1);
    await signOut();
  });
});
