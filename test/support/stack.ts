// The real stack for one test file: its own PostgreSQL database, its own SMTP
// server, and a worker + API on their own task queue against the shared
// Temporal dev server.
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { defaultCatalog, type Catalog } from '../../domain/catalog.js';
import { defaultPolicy, type Policy } from '../../domain/policy.js';
import { createPrismaClient } from '../../db/client.js';
import { loadCatalog } from '../../db/seed-catalog.js';
import { loadInstitutionDirectory } from '../../db/institution-directory.js';
import { defaultInstitutionDirectory, type InstitutionDirectory } from '../../domain/institutions.js';
import { createTestDatabase } from '../../db/test-database.js';
import { createLogger, type Logger } from '../../platform/logger.js';
import { startSystem } from '../../main/compose.js';
import { installTemporalRuntime, metricsUrlOf } from '../../platform/temporal-runtime.js';
import { startTracing, type TracingSettings } from '../../platform/tracing.js';
import { MailCatcher } from '../../dev/mail-catcher.js';
import { createApiKeyService } from '../../app/api-keys.js';
import type { PrismaClient } from '../../prisma/generated/client.js';
import type { Role } from '../../domain/access.js';
import type { UseCases } from '../../app/index.js';
import { testDataConverter, testSettings } from './settings.js';
import { listingRelayWorkflow } from '../../workflows/listing-relay.js';
import { backgroundTaskQueueOf, relayScheduleIdOf } from '../../workflows/workflow-id.js';

export interface TestStack {
  apiUrl: string;
  useCases: UseCases;
  prisma: PrismaClient;
  mail: MailCatcher;
  temporal: Client;
  taskQueue: string;
  adminKey: string;
  /** The port of the inbound reply server, with `inbound: true`. */
  inboundPort: number | undefined;
  /** Runs the relay the schedule runs: starts the workflows of what was recorded but never started. */
  relay(): Promise<{ listings: number; imports: number }>;
  /** Creates an API key directly in the database. */
  key(role: Role, scope?: { departmentCode?: string; courtCode?: string; institutionCode?: string }): Promise<string>;
  request(method: string, path: string, options?: { key?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; headers: Headers; body: any }>;
  stop(): Promise<void>;
}

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The Temporal SDK runtime of this test process, installed once, before the
 * first worker: its logs through our logger at WARN (INFO would bury the test
 * report) and, with `workerMetrics`, its Prometheus endpoint on a free port,
 * whose URL is returned.
 */
async function installRuntime(workerMetrics: boolean): Promise<string | undefined> {
  const metricsAddress = workerMetrics ? `127.0.0.1:${await freePort()}` : undefined;
  try {
    installTemporalRuntime({ log: createLogger(process.env.TEST_LOG_LEVEL ?? 'warn'), metricsAddress });
  } catch (error) {
    // Installed by an earlier stack in this process: only worker metrics cannot be added any more.
    if (metricsAddress) throw error;
  }
  return metricsAddress && metricsUrlOf(metricsAddress);
}

export interface TestStackOptions {
  policy?: Policy;
  /** The system's logger (for a test that reads what was logged); quiet by default. */
  log?: Logger;
  catalog?: Catalog;
  /** The directory of institutions asset searches go to; the shipped default otherwise. */
  institutions?: InstitutionDirectory;
  inbound?: boolean;
  /** Serve the worker's SDK metrics and append them to the API's /metrics (the first stack of a test file only). */
  workerMetrics?: boolean;
  /** Export spans; the tracer provider is process-wide and shut down with the stack. */
  tracing?: TracingSettings;
  /** Database connections; the default suits tests that list a few debtors. */
  poolSize?: number;
  /** More environment, as the process would read it (e.g. HOST, TRUST_PROXY, METRICS_TOKEN). */
  env?: Record<string, string>;
}

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const workerMetricsUrl = await installRuntime(options.workerMetrics ?? false);
  const tracing = startTracing(options.tracing);
  const database = await createTestDatabase();
  const client = createPrismaClient({ url: database.url, poolSize: options.poolSize ?? 5 });
  const { prisma, close } = client;
  await loadCatalog(prisma, options.catalog ?? defaultCatalog);
  await loadInstitutionDirectory(prisma, options.institutions ?? defaultInstitutionDirectory);
  const mail = await new MailCatcher().start();
  const taskQueue = `test-${randomUUID()}`;
  const temporalAddress = inject('temporalAddress');
  const inboundPort = options.inbound ? await freePort() : undefined;
  const system = await startSystem(
    { database: client, temporalAddress, smtpUrl: mail.url },
    {
      settings: testSettings({ ...options.env, TEMPORAL_TASK_QUEUE: taskQueue, INBOUND_SMTP_PORT: inboundPort?.toString() }),
      policy: options.policy ?? defaultPolicy,
      log: options.log ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'warn'),
      workflowBundle: { code: inject(options.tracing ? 'tracedWorkflowBundleCode' : 'workflowBundleCode') },
      roles: { worker: true, http: true, inboundMail: options.inbound ?? false },
      tracing,
      workerMetricsUrl,
    },
  );
  const connection = await Connection.connect({ address: temporalAddress });
  const temporal = new Client({ connection, namespace: 'default', dataConverter: testDataConverter() });
  const keys = createApiKeyService(prisma);
  const { key: adminKey } = await keys.ensureBootstrapAdmin(undefined);
  const apiUrl = system.url!;

  return {
    apiUrl,
    useCases: system.useCases!,
    prisma,
    mail,
    temporal,
    taskQueue,
    adminKey,
    inboundPort,
    relay: () => temporal.workflow.execute(listingRelayWorkflow, { taskQueue: backgroundTaskQueueOf(taskQueue), workflowId: `relay-${randomUUID()}` }),
    async key(role, scope = {}) {
      const { key } = await keys.create({ name: `${role}-${randomUUID().slice(0, 8)}`, role, ...scope });
      return key;
    },
    async request(method, path, { key, body, headers = {} } = {}) {
      const response = await fetch(`${apiUrl}${path}`, {
        method,
        headers: {
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, headers: response.headers, body: parsed };
    },
    async stop() {
      await temporal.schedule.getHandle(relayScheduleIdOf(taskQueue)).delete().catch(() => undefined);
      await system.stop();
      await tracing.shutdown();
      await connection.close();
      await mail.stop();
      await close();
      await database.drop();
    },
  };
}
