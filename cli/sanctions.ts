// The operators' command line: `sanctions <command>`. It talks to the API with
// the key in SANCTIONS_API_KEY (at SANCTIONS_API_URL, default http://localhost:3000).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { Command } from 'commander';
import { XLSX_MEDIA_TYPE } from '../imports/read-sheet.js';
import { ApiError, createApiClient } from './api-client.js';
import { print } from './output.js';

const program = new Command()
  .name('sanctions')
  .description('Joint Sanctions Coordinator (联合惩戒协同平台) — operators\' command line')
  .option('--url <url>', 'API base URL', process.env.SANCTIONS_API_URL ?? 'http://localhost:3000')
  .option('--key <key>', 'API key (default: SANCTIONS_API_KEY)')
  .option('--json', 'print JSON instead of tables', false)
  .showHelpAfterError();

const api = () => {
  const options = program.opts<{ url: string; key?: string }>();
  return createApiClient({ baseUrl: options.url, key: options.key ?? process.env.SANCTIONS_API_KEY });
};
const json = () => program.opts<{ json: boolean }>().json;

const taskColumns = [
  { header: 'task', value: (t: any) => t.id },
  { header: 'department', value: (t: any) => t.departmentCode },
  { header: 'phase', value: (t: any) => t.kind },
  { header: 'status', value: (t: any) => t.status },
  { header: 'acknowledge by', value: (t: any) => t.acknowledgeDueAt },
  { header: 'complete by', value: (t: any) => t.completeDueAt },
  { header: 'level', value: (t: any) => t.escalationLevel },
];

program
  .command('listings')
  .description('list listings, newest first')
  .option('--status <status>', 'active, lifting, lifted or revoked')
  .option('--q <text>', 'case number, debtor name or identifier')
  .option('--limit <n>', 'at most this many', '50')
  .action(async (options: { status?: string; q?: string; limit: string }) => {
    const query = new URLSearchParams({ limit: options.limit, ...(options.status ? { status: options.status } : {}), ...(options.q ? { q: options.q } : {}) });
    const page = await api().get<{ items: any[] }>(`/api/listings?${query}`);
    print(page.items, json(), [
      { header: 'listing', value: (l) => l.id },
      { header: 'case', value: (l) => l.caseNumber },
      { header: 'court', value: (l) => l.courtCode },
      { header: 'debtor', value: (l) => l.debtor.name },
      { header: 'status', value: (l) => l.status },
      { header: 'listed', value: (l) => l.listedAt },
    ]);
  });

program
  .command('show')
  .description('a listing with its tasks')
  .argument('<listing>', 'listing id')
  .action(async (id: string) => {
    const listing = await api().get<any>(`/api/listings/${encodeURIComponent(id)}`);
    if (json()) return print(listing, true);
    process.stdout.write(`${listing.caseNumber} · ${listing.debtor.name} (${listing.debtor.idNumber}) · ${listing.status}\n`);
    print(listing.tasks, false, taskColumns);
  });

program
  .command('overdue')
  .description('overdue tasks, most overdue first (supervisor key)')
  .option('--department <code>', 'one department')
  .action(async (options: { department?: string }) => {
    const query = options.department ? `?departmentCode=${encodeURIComponent(options.department)}` : '';
    print(await api().get<any[]>(`/api/supervision/overdue${query}`), json(), [
      ...taskColumns.slice(0, 3),
      { header: 'case', value: (t) => t.caseNumber },
      { header: 'overdue (s)', value: (t) => t.overdueSeconds },
      { header: 'level', value: (t) => t.escalationLevel },
    ]);
  });

program
  .command('ledger')
  .description("the coordinating office's ledger (台账): one row per task dispatched in the period (supervisor key)")
  .option('--from <date>', 'first dispatch date, YYYY-MM-DD (China time)')
  .option('--to <date>', 'last dispatch date, YYYY-MM-DD (China time)')
  .option('--department <code>', 'one department')
  .option('--kind <kind>', 'impose, lift or correct')
  .option('--format <format>', 'xlsx, csv or json (default: the extension of --out, else json)')
  .option('--out <file>', 'where to write it; without it JSON and CSV go to standard output')
  .action(async (options: { from?: string; to?: string; department?: string; kind?: string; format?: string; out?: string }) => {
    const format = (options.format ?? (options.out ? path.extname(options.out).slice(1) : 'json')).toLowerCase();
    if (!['xlsx', 'csv', 'json'].includes(format)) throw new Error('name the format with --format xlsx, csv or json');
    if (format === 'xlsx' && !options.out) throw new Error('name the file to write the workbook to with --out');
    const query = new URLSearchParams({
      format,
      ...(options.from ? { from: options.from } : {}),
      ...(options.to ? { to: options.to } : {}),
      ...(options.department ? { departmentCode: options.department } : {}),
      ...(options.kind ? { kind: options.kind } : {}),
    });
    const file = await api().download(`/api/ledger?${query}`);
    if (!options.out) return void process.stdout.write(file);
    await writeFile(options.out, file);
    process.stdout.write(`wrote ${options.out}\n`);
  });

program
  .command('ack')
  .description('acknowledge a task (department key); --complete reports it done')
  .argument('<task>', 'task id')
  .requiredOption('--by <name>', 'who acknowledges')
  .option('--note <text>', 'a note')
  .option('--complete', 'report the task completed', false)
  .option('--reference <ref>', 'your reference for the implementation (with --complete)')
  .action(async (taskId: string, options: { by: string; note?: string; complete: boolean; reference?: string }) => {
    const action = options.complete ? 'complete' : 'acknowledge';
    const body = { by: options.by, ...(options.note ? { note: options.note } : {}), ...(options.complete && options.reference ? { reference: options.reference } : {}) };
    print([await api().post<any>(`/api/tasks/${encodeURIComponent(taskId)}/${action}`, body)], json(), taskColumns);
  });

program
  .command('lift')
  .description('record performance (or, with --revoke, revoke the listing): lifts every sanction (clerk key)')
  .argument('<listing>', 'listing id')
  .requiredOption('--note <text>', 'what was performed, or why it is revoked')
  .option('--revoke', 'revoke a wrong listing instead', false)
  .action(async (id: string, options: { note: string; revoke: boolean }) => {
    const path = `/api/listings/${encodeURIComponent(id)}/${options.revoke ? 'revocation' : 'performance'}`;
    print(await api().post<any>(path, options.revoke ? { reason: options.note } : { note: options.note }), true);
  });

const SPREADSHEET_TYPES: Record<string, string> = {
  '.csv': 'text/csv',
  '.xlsx': XLSX_MEDIA_TYPE,
};
const spreadsheetType = (file: string) => {
  const type = SPREADSHEET_TYPES[path.extname(file).toLowerCase()];
  if (!type) throw new Error(`${file}: name a .csv or .xlsx file`);
  return type;
};

program
  .command('import')
  .description('list every debtor of a CSV or XLSX file (clerk key): the whole file is checked first, then imported with a progress bar')
  .argument('<file>', 'a .csv or .xlsx file laid out like the template (sanctions template FILE)')
  .option('--dry-run', 'check the file and report, importing nothing', false)
  .action(async (file: string, options: { dryRun: boolean }) => {
    const type = spreadsheetType(file);
    const client = api();
    const query = new URLSearchParams({ fileName: path.basename(file), ...(options.dryRun ? { dryRun: 'true' } : {}) });
    let job = await client.upload<ImportProgress>(`/api/listings/import?${query}`, await readFile(file), type);
    if (options.dryRun) {
      if (json()) return print(job, true);
      process.stdout.write(`${file}: ${job.total} rows, no errors; nothing imported.\n`);
      return;
    }
    const bar = new SingleBar({ format: 'importing [{bar}] {value}/{total} rows · {eta_formatted} left', stream: process.stderr, hideCursor: true }, Presets.shades_classic);
    if (!json()) bar.start(job.total, job.processed);
    while (job.status !== 'completed' && job.status !== 'stopped') {
      await new Promise((resolve) => setTimeout(resolve, 500));
      job = await client.get<ImportProgress>(`/api/listings/import/${job.id}`);
      bar.update(job.processed);
    }
    bar.stop();
    print(json() ? job : [job], json(), [
      { header: 'import', value: (j) => j.id },
      { header: 'rows', value: (j) => j.total },
      { header: 'created', value: (j) => j.created },
      { header: 'already listed', value: (j) => j.existing },
      { header: 'failed', value: (j) => j.failed },
    ]);
    if (job.status === 'stopped') {
      process.stderr.write(`import stopped after ${job.processed} of ${job.total} rows: ${job.stoppedReason === 'key-expired' ? 'the key expired' : 'the key was revoked'}\n`);
      process.exitCode = 1;
    }
    if (job.failed > 0) process.exitCode = 1;
  });

program
  .command('template')
  .description('write the import template: a .xlsx workbook with drop-down lists and a guide, or a .csv header row')
  .argument('<file>', 'where to write it; the extension chooses the format')
  .action(async (file: string) => {
    spreadsheetType(file);
    await writeFile(file, await api().download(`/api/listings/import/template${path.extname(file).toLowerCase()}`));
    process.stdout.write(`wrote ${file}\n`);
  });

interface ImportProgress {
  id: string;
  status: string;
  stoppedReason?: string;
  total: number;
  processed: number;
  created: number;
  existing: number;
  failed: number;
}

const catalog = program.command('catalog').description('the measures catalog');
catalog
  .command('import')
  .description('import a catalog JSON file as a new version (admin key); prints what it changes')
  .argument('<file>', 'catalog JSON, shaped like domain/catalog-data/catalog.json')
  .action(async (file: string) => {
    const body = JSON.parse(await readFile(file, 'utf8'));
    print(await api().post<any>('/api/catalog', body), true);
  });
catalog
  .command('versions')
  .description('the catalog versions imported so far')
  .action(async () => {
    print(await api().get<any[]>('/api/catalog/versions'), json(), [
      { header: 'version', value: (v) => v.version },
      { header: 'imported', value: (v) => v.importedAt },
      { header: 'checksum', value: (v) => String(v.checksum).slice(0, 12) },
    ]);
  });

const calendar = program.command('calendar').description('the holiday calendar deadlines are counted on');
calendar
  .command('import')
  .description("import a holiday calendar JSON file (every year) as a new version (admin key); deadlines counted on incomplete data are counted again")
  .argument('<file>', 'calendar JSON, shaped like domain/calendar-data/cn-holidays.json')
  .action(async (file: string) => {
    const body = JSON.parse(await readFile(file, 'utf8'));
    print(await api().post<any>('/api/calendar', body), true);
  });
calendar
  .command('show')
  .description('the years covered, the horizon and the days left to it')
  .action(async () => {
    const view = await api().get<any>('/api/calendar');
    print(view.years, json(), [
      { header: 'year', value: (y) => y.year },
      { header: 'provisional', value: (y) => (y.provisional ? 'yes' : '') },
      { header: 'source', value: (y) => y.source },
    ]);
    if (!json()) process.stdout.write(`horizon ${view.horizon ?? '—'}, ${view.daysLeft ?? '—'} days left${view.warning ? ' — import the next year' : ''}\n`);
  });

const keys = program.command('keys').description('API keys (admin key)');
keys
  .command('create')
  .description('create an API key; the key is shown once')
  .requiredOption('--name <name>', 'who or what uses it')
  .requiredOption('--role <role>', 'clerk, department, supervisor, admin or institution')
  .option('--department <code>', 'the department of a department key')
  .option('--court <code>', 'the court of a clerk key')
  .option('--institution <code>', 'the financial institution or registry of an institution key')
  .option('--expires <instant>', 'refuse the key from this ISO-8601 instant on, e.g. 2027-06-30T16:00:00Z')
  .action(async (options: { name: string; role: string; department?: string; court?: string; institution?: string; expires?: string }) => {
    const body = {
      name: options.name,
      role: options.role,
      ...(options.department ? { departmentCode: options.department } : {}),
      ...(options.court ? { courtCode: options.court } : {}),
      ...(options.institution ? { institutionCode: options.institution } : {}),
      ...(options.expires ? { expiresAt: options.expires } : {}),
    };
    print(await api().post<any>('/api/api-keys', body), true);
  });
keys
  .command('list')
  .description('every key, newest first, with whether it still works (never the secrets)')
  .action(async () => {
    print(await api().get<any[]>('/api/api-keys'), json(), [
      { header: 'key', value: (k) => k.id },
      { header: 'name', value: (k) => k.name },
      { header: 'role', value: (k) => k.role },
      { header: 'scope', value: (k) => k.departmentCode ?? k.courtCode ?? k.institutionCode ?? '' },
      { header: 'status', value: (k) => k.status },
      { header: 'created', value: (k) => k.createdAt },
      { header: 'expires', value: (k) => k.expiresAt ?? '' },
      { header: 'revoked', value: (k) => k.revokedAt ?? '' },
    ]);
  });
keys
  .command('revoke')
  .description('revoke a key: refused from now on, and the imports it started stop')
  .argument('<key>', 'the key id (from keys list)')
  .action(async (id: string) => {
    await api().delete(`/api/api-keys/${encodeURIComponent(id)}`);
    process.stdout.write(`revoked ${id}\n`);
  });

const assets = program.command('assets').description('online asset query and control (网络执行查控)');
assets
  .command('search')
  .description('search a debtor\'s assets at the institutions of the directory (clerk key)')
  .requiredOption('--case <number>', 'the case number')
  .requiredOption('--name <name>', 'the debtor\'s name')
  .requiredOption('--id <number>', 'the debtor\'s resident ID number or unified social credit code')
  .option('--entity', 'the debtor is an entity (default: an individual)', false)
  .option('--institutions <codes>', 'comma-separated institution codes (default: all)')
  .option('--court <code>', 'the searching court, when the key is not bound to one')
  .action(async (options: { case: string; name: string; id: string; entity: boolean; institutions?: string; court?: string }) => {
    const search = await api().post<any>('/api/asset-searches', {
      caseNumber: options.case,
      debtor: { kind: options.entity ? 'entity' : 'individual', name: options.name, idNumber: options.id },
      institutions: options.institutions ? options.institutions.split(',').map((code) => code.trim()) : 'all',
      ...(options.court ? { courtCode: options.court } : {}),
    });
    if (json()) return print(search, true);
    process.stdout.write(`search ${search.id}: ${search.summary.requests} institutions asked, answers due ${search.answerDueAt}\n`);
  });
assets
  .command('show')
  .description('a search with every institution\'s answer and findings (clerk or supervisor key)')
  .argument('<search>', 'search id')
  .action(async (id: string) => {
    const search = await api().get<any>(`/api/asset-searches/${encodeURIComponent(id)}`);
    if (json()) return print(search, true);
    process.stdout.write(`${search.caseNumber} · ${search.debtor.name} · ${search.status} · ${search.summary.answered}/${search.summary.requests} answered, ${search.summary.findings} findings\n`);
    print(search.requests.filter((r: any) => r.status !== 'answered' || r.findings.length > 0), false, [
      { header: 'institution', value: (r) => r.institutionCode },
      { header: 'status', value: (r) => r.status },
      { header: 'due', value: (r) => r.dueAt },
      { header: 'findings', value: (r) => r.findings.map((f: any) => `${f.kind}${f.account ? ` ${f.account}` : ''}${f.amountYuan !== undefined ? ` ${f.amountYuan}` : ''} [${f.id}]`).join('; ') },
    ]);
  });
assets
  .command('freezes')
  .description('freezes in force by their end, most urgent first (clerk or supervisor key)')
  .option('--within <days>', 'only those ending within this many days', '30')
  .action(async (options: { within: string }) => {
    print(await api().get<any[]>(`/api/supervision/freezes?expiringWithinDays=${encodeURIComponent(options.within)}`), json(), [
      { header: 'freeze', value: (f) => f.id },
      { header: 'case', value: (f) => f.caseNumber },
      { header: 'institution', value: (f) => f.institutionCode },
      { header: 'amount', value: (f) => f.amountYuan - f.deductedYuan },
      { header: 'until', value: (f) => f.until },
      { header: 'days left', value: (f) => f.daysLeft },
      { header: 'renewal ordered', value: (f) => (f.renewalOrdered ? 'yes' : 'NO') },
    ]);
  });

try {
  await program.parseAsync();
} catch (error) {
  process.stderr.write(`sanctions: ${error instanceof ApiError || error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = error instanceof ApiError && error.status < 500 ? 1 : 2;
}
