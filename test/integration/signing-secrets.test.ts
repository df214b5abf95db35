// Where the signing secrets come from: the environment for the production
// processes, a file under the data directory for the embedded default, and
// never the application database; a secret an earlier version kept there is
// moved into the file once, so links already mailed keep working, and signs
// no session.
import { createHash, createHmac, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { parseSetCookie } from 'cookie';
import { Client, Connection } from '@temporalio/client';
import { createApiKeyService } from '../../app/api-keys.js';
import { createPrismaClient, type DatabaseClient } from '../../db/client.js';
import { loadCatalog } from '../../db/seed-catalog.js';
import { createTestDatabase, type TestDatabase } from '../../db/test-database.js';
import { MailCatcher } from '../../dev/mail-catcher.js';
import { createLogger } from '../../platform/logger.js';
import { embeddedSigningSecret } from '../../platform/signing-secret.js';
import { relayScheduleIdOf } from '../../workflows/workflow-id.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { entityListing } from '../support/fixtures.js';
import { waitUntil } from '../support/wait.js';
import { freePort, startService, stopService, tempDir, type ServiceProcess } from '../faults/harness.js';

const temporalAddress = inject('temporalAddress');
/** What an earlier version generated and stored in the `Setting` table. */
const storedSecret = randomBytes(32).toString('base64url');
const adminKey = `jsc_admin_${randomUUID().replaceAll('-', '')}`;
const taskQueue = `signing-secrets-${randomUUID()}`;
/** Unset in the child processes whatever the caller's environment holds. */
const noSecrets = { ACK_TOKEN_SECRET: '', ACK_TOKEN_PREVIOUS_SECRETS: '', SESSION_SECRET: '', TEMPORAL_PAYLOAD_KEY: '' };

const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest('base64url');
/** Key ids as the keyring names them: of the secret itself (before derivation), and of its derived keys. */
const underivedKeyId = (secret: string) => createHash('sha256').update(`jsc-signing-key-id\n${secret}`).digest('hex').slice(0, 4);
const derivedKeyId = (secret: string) => createHash('sha256').update(`jsc-signing-key-id/derived\n${secret}`).digest('hex').slice(0, 4);
const derivedKey = (secret: string, purpose: string) => Buffer.from(hkdfSync('sha256', secret, 'jsc-signing', `jsc-signing/${purpose}`, 32));

let database: TestDatabase;
let db: DatabaseClient;
let mail: MailCatcher;
let dataDir: string;
let allInOne: ServiceProcess | undefined;
let baseUrl: string;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createPrismaClient({ url: database.url, poolSize: 3 });
  await loadCatalog(db.prisma, twoDepartmentCatalog());
  await db.prisma.setting.create({ data: { key: 'ackTokenSecret', value: storedSecret } });
  mail = await new MailCatcher().start();
  dataDir = await tempDir('signing-secrets');
});

afterAll(async () => {
  await stopService(allInOne);
  const connection = await Connection.connect({ address: temporalAddress });
  await new Client({ connection }).schedule.getHandle(relayScheduleIdOf(taskQueue)).delete().catch(() => undefined);
  await connection.close();
  await mail?.stop();
  await db?.close();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function exitOf(entry: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const service = await startService(entry, env, dataDir, path.basename(entry, '.ts'));
  const timer = setTimeout(() => service.kill('SIGKILL'), 70_000);
  const { code } = await service.exited;
  clearTimeout(timer);
  return { code, output: await service.output() };
}

describe('the production processes', { timeout: 150_000 }, () => {
  it('refuse to start without ACK_TOKEN_SECRET, naming it, and touch nothing', async () => {
    const env = { ...noSecrets, DATABASE_URL: database.url, TEMPORAL_ADDRESS: temporalAddress, SMTP_URL: mail.url, TEMPORAL_PAYLOAD_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'warn' };
    for (const entry of ['main/api.ts', 'main/worker.ts']) {
      const { code, output } = await exitOf(entry, env);
      expect(output, entry).toMatch(/Set ACK_TOKEN_SECRET\b/);
      expect(code, `${entry}:\n${output}`).toBe(2);
    }
    expect(await db.prisma.setting.findUnique({ where: { key: 'ackTokenSecret' } })).toMatchObject({ value: storedSecret });
  });
});

describe('the embedded default', { timeout: 120_000 }, () => {
  let cookie: string;

  beforeAll(async () => {
    const port = await freePort();
    allInOne = await startService(
      'main/all-in-one.ts',
      {
        ...noSecrets,
        DATABASE_URL: database.url,
        TEMPORAL_ADDRESS: temporalAddress,
        TEMPORAL_TASK_QUEUE: taskQueue,
        SMTP_URL: mail.url,
        DATA_DIR: dataDir,
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
        WORKER_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`,
        ADMIN_API_KEY: adminKey,
        LOG_LEVEL: 'warn',
      },
      dataDir,
      'all-in-one',
    );
    baseUrl = `http://127.0.0.1:${port}`;
    await waitUntil(async () => {
      if (!allInOne!.running()) throw new Error(`the all-in-one start exited:\n${await allInOne!.output()}`);
      return (await fetch(`${baseUrl}/healthz`).catch(() => undefined))?.status === 200 || undefined;
    }, 'the all-in-one start to answer /healthz', 120_000);
    // Admin keys cannot sign in to the dashboard; a supervisor's can.
    cookie = await signIn((await createApiKeyService(db.prisma).create({ name: 'supervisor', role: 'supervisor' })).key);
  }, 180_000);

  it('keeps no secret in the database: the stored one moved into an owner-only file under the data directory', async () => {
    expect(await db.prisma.setting.findMany({ where: { OR: [{ key: 'ackTokenSecret' }, { value: { contains: storedSecret } }] } })).toEqual([]);
    const file = path.join(dataDir, 'secrets', 'signing.key');
    expect((await readFile(file, 'utf8')).trim()).toBe(storedSecret);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dataDir, 'secrets', 'session.key'))).mode & 0o777).toBe(0o600);
  });

  it('still accepts a link mailed before the move, signed with the stored secret itself, and the links it mails now', async () => {
    const clerk = (await createApiKeyService(db.prisma).create({ name: 'clerk', role: 'clerk', courtCode: 'NX-YC-01' })).key;
    const listed = await fetch(`${baseUrl}/api/listings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clerk}`, 'content-type': 'application/json' },
      body: JSON.stringify(entityListing({ caseNumber: '（2026）宁01执901号' })),
    });
    expect(listed.status).toBe(201);
    const { id: listingId } = (await listed.json()) as { id: string };
    const task = await waitUntil(async () => (await db.prisma.task.findFirst({ where: { listingId } })) ?? undefined, 'a task of the listing', 60_000);

    const payload = Buffer.from(JSON.stringify([task.id, 'acknowledge', Math.floor(Date.now() / 1000) + 3600, 'n0nce'])).toString('base64url');
    const mailedBefore = `${payload}.${underivedKeyId(storedSecret)}.${hmac(storedSecret, `link.${payload}`)}`;
    expect((await fetch(`${baseUrl}/ack/${mailedBefore}`)).status).toBe(200);
    const otherSecret = `${payload}.${underivedKeyId('other')}.${hmac('other', `link.${payload}`)}`;
    expect((await fetch(`${baseUrl}/ack/${otherSecret}`)).status).toBe(404);

    const [notice] = await mail.waitFor((message) => message.headers['x-task-id'] === task.id && message.headers['x-notice-type'] === 'notice');
    const link = /https?:\/\/[^/\s]+(\/ack\/[A-Za-z0-9_.-]+)/.exec(notice!.text)?.[1];
    expect(link).toBeDefined();
    expect(link!.split('.')[1]).toBe(derivedKeyId(storedSecret));
    expect((await fetch(`${baseUrl}${link}`)).status).toBe(200);
  });

  it('opens a session it signed, and none signed with the stored secret, with its link key, or with its session key', async () => {
    expect((await page('/', cookie)).status).toBe(200);
    const [payload] = cookie.split('.') as [string];
    const forgeries = {
      'the stored secret itself': `${payload}.${underivedKeyId(storedSecret)}.${hmac(storedSecret, `session.${payload}`)}`,
      'the link key derived from it': `${payload}.${derivedKeyId(storedSecret)}.${hmac(derivedKey(storedSecret, 'link'), `session.${payload}`)}`,
      'the session key derived from it': `${payload}.${derivedKeyId(storedSecret)}.${hmac(derivedKey(storedSecret, 'session'), `session.${payload}`)}`,
    };
    for (const [signedWith, forged] of Object.entries(forgeries)) {
      const answer = await page('/', forged);
      expect(answer.status, signedWith).toBe(303);
      expect(answer.location, signedWith).toBe('/login');
    }
  });
});

describe('moving a stored secret into its file', () => {
  const log = createLogger('silent');

  it('happens once: a second start reads the file, and a configured secret wins but the stored one is kept in the file', async () => {
    const dir = await tempDir('signing-secret-file');
    const scratch = await createTestDatabase();
    const { prisma, close } = createPrismaClient({ url: scratch.url, poolSize: 2 });
    try {
      const file = path.join(dir, 'secrets', 'signing.key');
      await prisma.setting.create({ data: { key: 'ackTokenSecret', value: 'stored-before' } });
      expect(await embeddedSigningSecret({ prisma, configured: 'from-the-environment', file, log })).toBe('from-the-environment');
      expect((await readFile(file, 'utf8')).trim()).toBe('stored-before');
      expect(await prisma.setting.count()).toBe(0);
      expect(await embeddedSigningSecret({ prisma, configured: undefined, file, log })).toBe('stored-before');

      // A stored secret found once the file exists (a database restored from before) does not replace it.
      await prisma.setting.create({ data: { key: 'ackTokenSecret', value: 'restored-later' } });
      expect(await embeddedSigningSecret({ prisma, configured: undefined, file, log })).toBe('stored-before');
      expect(await prisma.setting.count()).toBe(0);
    } finally {
      await close();
      await scratch.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

async function page(urlPath: string, session?: string): Promise<{ status: number; location: string | null; html: string; setCookies: string[] }> {
  const response = await fetch(`${baseUrl}${urlPath}`, { redirect: 'manual', headers: session ? { cookie: `jsc_session=${encodeURIComponent(session)}` } : {} });
  return { status: response.status, location: response.headers.get('location'), html: await response.text(), setCookies: response.headers.getSetCookie() };
}

/** Signs in to the dashboard with an API key; the session cookie's value. */
async function signIn(key: string): Promise<string> {
  const form = await fetch(`${baseUrl}/login`, { redirect: 'manual' });
  const loginCookie = parseSetCookie(form.headers.getSetCookie()[0]!);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  expect(csrf).toBeDefined();
  const signedIn = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: `${loginCookie.name}=${encodeURIComponent(loginCookie.value ?? '')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf!, key }).toString(),
  });
  expect(signedIn.status).toBe(303);
  const session = signedIn.headers.getSetCookie().map((header) => parseSetCookie(header)).find((cookie) => cookie.name === 'jsc_session');
  expect(session?.value).toBeTruthy();
  return session!.value!;
}
