import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTemporalCli } from '../../dev/temporal-cli.js';
import { ensureSearchAttributes } from '../../platform/search-attributes.js';
import { startTemporalDevServer, type TemporalDevServer } from '../../dev/temporal-dev-server.js';

const namespace = 'sanctions-test';
const keyword = 2; // temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
const log = (message: string): void => console.log(message);

describe('temporal dev server', () => {
  let cliPath: string;
  let dir: string;
  const running: TemporalDevServer[] = [];

  const start = async (): Promise<TemporalDevServer> => {
    const server = await startTemporalDevServer({
      cliPath,
      dbFilename: path.join(dir, 'state', 'temporal.sqlite'),
      headless: true,
      namespace,
      searchAttributes: { SanctionStatus: 'Keyword' },
      logFile: path.join(dir, 'server.log'),
      log,
    });
    running.push(server);
    return server;
  };

  const withClient = async <T>(server: TemporalDevServer, fn: (client: Client) => Promise<T>): Promise<T> => {
    const connection = await Connection.connect({ address: server.address });
    try {
      return await fn(new Client({ connection, namespace }));
    } finally {
      await connection.close();
    }
  };

  // Building the CLI from source takes minutes; CI does it beforehand with
  // scripts/temporal-cli.ts.
  beforeAll(async () => {
    cliPath = await ensureTemporalCli({ log });
    dir = await mkdtemp(path.join(os.tmpdir(), 'temporal-dev-test-'));
  }, 600_000);

  afterAll(async () => {
    await Promise.all(running.map((server) => server.stop()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('registers search attributes and keeps the namespace and workflows across restarts', async () => {
    const first = await start();
    expect(first.address).toMatch(/^127\.0\.0\.1:\d+$/);
    console.log(`cold start on a new db file: ${first.startupMs} ms`);

    const workflowId = await withClient(first, async (client) => {
      const attributes = await client.connection.operatorService.listSearchAttributes({ namespace });
      expect(attributes.customAttributes?.SanctionStatus).toBe(keyword);

      // Against a running server: adds what is missing, keeps what exists,
      // refuses to change a type.
      await ensureSearchAttributes(client.connection, namespace, { SanctionStatus: 'Keyword', CourtCode: 'Keyword' });
      const added = await client.connection.operatorService.listSearchAttributes({ namespace });
      expect(added.customAttributes?.CourtCode).toBe(keyword);
      await expect(ensureSearchAttributes(client.connection, namespace, { CourtCode: 'Int' })).rejects.toThrow(
        /CourtCode exists .* as Keyword, not Int/,
      );

      // No worker polls this queue: the execution simply stays open.
      const handle = await client.workflow.start('persistenceProbe', {
        taskQueue: 'no-worker',
        workflowId: `persistence-probe-${Date.now()}`,
      });
      return handle.workflowId;
    });

    await first.stop();
    await expect(Connection.connect({ address: first.address, connectTimeout: 500 })).rejects.toThrow();

    const second = await start();
    console.log(`restart on an existing db file: ${second.startupMs} ms`);
    await withClient(second, async (client) => {
      const described = await client.connection.workflowService.describeNamespace({ namespace });
      expect(described.namespaceInfo?.name).toBe(namespace);
      const attributes = await client.connection.operatorService.listSearchAttributes({ namespace });
      expect(attributes.customAttributes?.SanctionStatus).toBe(keyword);
      const description = await client.workflow.getHandle(workflowId).describe();
      expect(description.status.name).toBe('RUNNING');
    });

    // An unclean stop must not leave a file that the next start hangs on.
    process.kill(second.pid, 'SIGKILL');
    await second.stop();
    const third = await start();
    console.log(`restart after SIGKILL: ${third.startupMs} ms`);
    await withClient(third, async (client) => {
      const description = await client.workflow.getHandle(workflowId).describe();
      expect(description.status.name).toBe('RUNNING');
    });
    await third.stop();
  }, 60_000);

  it('reports the log when the server process exits early', async () => {
    const failing = startTemporalDevServer({
      // Node refuses the `server start-dev ...` arguments and exits at once.
      cliPath: process.execPath,
      headless: true,
      namespace,
      logFile: path.join(dir, 'failing.log'),
      readyTimeoutMs: 10_000,
      log,
    });
    await expect(failing).rejects.toThrow(/exited with code 1[\s\S]*Last lines of[\s\S]*Cannot find module/);
  }, 20_000);
});
