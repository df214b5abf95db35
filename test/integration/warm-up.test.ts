// The start-up warm-up of the worker and the API: it reads, greets and
// rehearses a round's writes, and leaves nothing behind — not a row, not a mail.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RESTRICTIONS_BACKFILLED } from '../../app/listings.js';
import { createPrismaClient, type DatabaseClient } from '../../db/client.js';
import { loadCatalog } from '../../db/seed-catalog.js';
import { createTestDatabase, type TestDatabase } from '../../db/test-database.js';
import { MailCatcher } from '../../dev/mail-catcher.js';
import { defaultCatalog } from '../../domain/catalog.js';
import { defaultPolicy } from '../../domain/policy.js';
import { startSystem, type RunningSystem } from '../../main/compose.js';
import { createLogger } from '../../platform/logger.js';
import { testSettings } from '../support/settings.js';
import { waitUntil } from '../support/wait.js';

/** Every table's content, as one digest each: a row added, changed or removed changes it. */
async function tableDigests(database: DatabaseClient): Promise<Record<string, string>> {
  const tables = await database.rows<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`, []);
  const digests: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await database.rows<{ digest: string }>(`SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS digest FROM "${name}" t`, []);
    digests[name] = row!.digest;
  }
  return digests;
}

interface WarmUpLine {
  component: string;
  msg: string;
  failed?: string[];
  step?: string;
  err?: { message: string };
}

describe('the warm-up at start', () => {
  let testDatabase: TestDatabase;
  let database: DatabaseClient;
  let mail: MailCatcher;
  let system: RunningSystem | undefined;
  const lines: WarmUpLine[] = [];
  let before: Record<string, string>;

  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    database = createPrismaClient({ url: testDatabase.url, poolSize: 5 });
    await loadCatalog(database.prisma, defaultCatalog);
    // The relay's first run, at the same start, records once that older listings' restrictions were backfilled;
    // here that was done long ago, so whatever changes is the warm-up's.
    await database.prisma.setting.create({ data: { key: RESTRICTIONS_BACKFILLED, value: new Date(0).toISOString() } });
    mail = await new MailCatcher().start();
    before = await tableDigests(database);
    const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(JSON.parse(String(chunk)) as WarmUpLine), done()) });
    system = await startSystem(
      { database, temporalAddress: inject('temporalAddress'), smtpUrl: mail.url },
      {
        settings: testSettings({ TEMPORAL_TASK_QUEUE: `test-warm-up-${Date.now()}` }),
        policy: defaultPolicy,
        log: createLogger('info', 'sanctions', sink),
        workflowBundle: { code: inject('workflowBundleCode') },
        roles: { worker: true, http: true, inboundMail: false },
      },
    );
  });

  afterAll(async () => {
    await system?.stop();
    await database?.close();
    await mail?.stop();
    await testDatabase?.drop();
  });

  it('runs every step of the worker and the API without a failure', async () => {
    // Usually before the system is ready; on a busy machine some steps finish after.
    await waitUntil(async () => lines.filter((line) => line.msg === 'warm-up finished').length === 2, 'both warm-ups to finish');
    const finished = lines.filter((line) => line.msg === 'warm-up finished').map(({ component, failed }) => ({ component, failed }));
    const failures = lines.filter((line) => line.step !== undefined).map((line) => `${line.component} ${line.step}: ${line.err?.message}`);
    expect({ finished, failures }).toEqual({
      finished: expect.arrayContaining([
        { component: 'worker', failed: [] },
        { component: 'api', failed: [] },
      ]),
      failures: [],
    });
  });

  it('writes no row in any table and sends no mail', async () => {
    await waitUntil(async () => lines.filter((line) => line.msg === 'warm-up finished').length === 2, 'both warm-ups to finish');
    expect(await tableDigests(database)).toEqual(before);
    expect(mail.messages).toEqual([]);
  });
});
