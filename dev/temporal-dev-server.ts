// A local Temporal server (`temporal server start-dev`) for development and
// tests, used when TEMPORAL_ADDRESS is unset. Production runs a Temporal
// cluster on PostgreSQL instead (docker-compose.yml).
//
// "Ready" means more than an open port: the frontend must answer for the
// namespace and route a call to the history service. A file-backed server
// restarted after an unclean stop can accept connections yet fail to serve
// ("Not enough hosts to serve the request"); such a start fails here with the
// server's log instead of surfacing later as hanging workflows.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, stat } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection, isGrpcServiceError } from '@temporalio/client';
import { ensureSearchAttributes, type SearchAttributeKind } from '../platform/search-attributes.js';
import type { LogFn } from './temporal-cli.js';


export interface TemporalDevServerOptions {
  cliPath: string;
  /** SQLite file that keeps state across restarts; in memory when omitted. */
  dbFilename?: string;
  /** Frontend gRPC port; a free one when omitted. */
  port?: number;
  /** Web UI port; a free one when omitted. Ignored when headless. */
  uiPort?: number;
  headless?: boolean;
  namespace: string;
  searchAttributes?: Record<string, SearchAttributeKind>;
  /** `--dynamic-config-value KEY=JSON` for each entry. */
  dynamicConfig?: Record<string, string | number | boolean>;
  /** Server output is appended here; a temporary file when omitted. */
  logFile?: string;
  readyTimeoutMs?: number;
  log: LogFn;
}

export interface TemporalDevServer {
  /** `127.0.0.1:PORT`, for `Connection.connect({ address })`. */
  address: string;
  namespace: string;
  uiUrl?: string;
  logFile: string;
  pid: number;
  /** Milliseconds from spawn until the namespace was usable. */
  startupMs: number;
  /** Resolves when the server process has exited, with how it did ("was killed by SIGKILL"). */
  exited: Promise<string>;
  stop(): Promise<void>;
}

// Wire values of temporal.api.enums.v1.IndexedValueType.
const grpcNotFound = 5;
const loopback = '127.0.0.1';

export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const logFile = options.logFile ?? path.join(await mkdtemp(path.join(os.tmpdir(), 'temporal-dev-')), 'server.log');
  await mkdir(path.dirname(logFile), { recursive: true });
  if (options.dbFilename) await mkdir(path.dirname(path.resolve(options.dbFilename)), { recursive: true });

  // Ports we pick can be taken between probing and binding; retry those.
  const attempts = options.port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options, logFile);
    } catch (error) {
      if (attempt >= attempts || !(error instanceof PortInUseError)) throw error;
      options.log('Temporal dev server: a port was taken meanwhile, retrying with other ports');
    }
  }
}

class PortInUseError extends Error {}

async function startOnce(options: TemporalDevServerOptions, logFile: string): Promise<TemporalDevServer> {
  // A server already listening on the port would answer the readiness probe
  // in place of ours, so an occupied port is refused up front.
  const port = options.port ?? (await freePort());
  await assertPortFree(port, 'port');
  const uiPort = options.headless ? undefined : (options.uiPort ?? (await freePort()));
  if (uiPort !== undefined) await assertPortFree(uiPort, 'uiPort');

  const args = ['server', 'start-dev', '--ip', loopback, '--port', String(port), '--namespace', options.namespace];
  args.push(...(uiPort === undefined ? ['--headless'] : ['--ui-port', String(uiPort)]));
  if (options.dbFilename) args.push('--db-filename', path.resolve(options.dbFilename));
  for (const [name, kind] of Object.entries(options.searchAttributes ?? {})) {
    args.push('--search-attribute', `${name}=${kind}`);
  }
  for (const [key, value] of Object.entries(options.dynamicConfig ?? {})) {
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }
  args.push('--log-level', 'warn');

  const logOffset = await fileSize(logFile);
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    writeSync(fd, `\n=== ${new Date().toISOString()} ${options.cliPath} ${args.join(' ')}\n`);
    child = spawn(options.cliPath, args, { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }

  const address = `${loopback}:${port}`;
  const exit = trackExit(child);
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.on('exit', killOnExit);
  const stop = memoize(async () => {
    process.off('exit', killOnExit);
    await terminate(child, exit);
  });

  const dbFile = options.dbFilename ? path.resolve(options.dbFilename) : undefined;
  options.log(`Temporal dev server starting on ${address} (${dbFile ? `file ${dbFile}` : 'in memory'}), log: ${logFile}`);
  const started = performance.now();
  const target = { address, namespace: options.namespace, exit, timeoutMs: options.readyTimeoutMs ?? 60_000 };
  try {
    const connection = await waitUntilReady(target);
    try {
      // Normally a no-op: start-dev registered them already.
      if (options.searchAttributes) {
        await ensureSearchAttributes(connection, options.namespace, options.searchAttributes);
      }
    } finally {
      await connection.close();
    }
  } catch (error) {
    // Read before stopping: shutdown noise would bury the cause.
    const tail = await logTail(logFile, logOffset);
    await stop();
    const reason = error instanceof Error ? error.message : String(error);
    const hint = dbFile
      ? `\nA file-backed dev server that was not stopped cleanly, or a file written by another CLI version, ` +
        `can fail to come up; delete ${dbFile} (its workflows are lost) or use another file.`
      : '';
    const message = `Temporal dev server did not become ready: ${reason}${hint}\nLast lines of ${logFile}:\n${tail}`;
    throw /address already in use/i.test(tail) ? new PortInUseError(message) : new Error(message);
  }
  const startupMs = Math.round(performance.now() - started);
  const uiUrl = uiPort === undefined ? undefined : `http://${loopback}:${uiPort}`;
  options.log(`Temporal dev server ready on ${address} in ${startupMs} ms${uiUrl ? `, UI ${uiUrl}` : ''} (pid ${child.pid})`);
  const exited = exit.promise.then(() => describeExit(exit));
  return { address, namespace: options.namespace, uiUrl, logFile, pid: child.pid ?? -1, startupMs, exited, stop };
}

interface ExitState {
  promise: Promise<void>;
  code?: number | null;
  signal?: NodeJS.Signals | null;
  error?: Error;
  done: boolean;
}

function describeExit(exit: ExitState): string {
  if (exit.error) return `could not run: ${exit.error.message}`;
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

function trackExit(child: ChildProcess): ExitState {
  const state = { done: false } as ExitState;
  state.promise = new Promise((resolve) => {
    child.once('error', (error) => {
      state.error = error;
      state.done = true;
      resolve();
    });
    child.once('exit', (code, signal) => {
      state.code = code;
      state.signal = signal;
      state.done = true;
      resolve();
    });
  });
  return state;
}

async function terminate(child: ChildProcess, exit: ExitState): Promise<void> {
  if (exit.done) return;
  child.kill('SIGTERM');
  if (await within(exit.promise, 10_000)) return;
  child.kill('SIGKILL');
  await within(exit.promise, 5_000);
}

async function waitUntilReady(target: {
  address: string;
  namespace: string;
  exit: ExitState;
  timeoutMs: number;
}): Promise<Connection> {
  const deadline = Date.now() + target.timeoutMs;
  let connection: Connection | undefined;
  let lastProblem = 'no answer yet';
  try {
    while (Date.now() < deadline) {
      if (target.exit.done) throw new Error(`the server process ${describeExit(target.exit)}`);
      try {
        // A refused gRPC connect waits out its whole timeout; a TCP probe
        // notices the listening port sooner.
        if (!connection) await tcpProbe(target.address);
        connection ??= await Connection.connect({ address: target.address, connectTimeout: 2_000 });
        const conn = connection;
        const callDeadline = Math.min(deadline, Date.now() + 3_000);
        await conn.withDeadline(callDeadline, () =>
          conn.workflowService.describeNamespace({ namespace: target.namespace }),
        );
        await conn.withDeadline(callDeadline, () => probeHistory(conn, target.namespace));
        return conn;
      } catch (error) {
        lastProblem = error instanceof Error ? error.message : String(error);
      }
      await sleep(100);
    }
    throw new Error(`not ready within ${target.timeoutMs} ms (last answer: ${lastProblem})`);
  } catch (error) {
    await connection?.close();
    throw error;
  }
}

// Looking up a workflow that does not exist goes through the history
// service's shard ownership; NOT_FOUND is the healthy answer.
async function probeHistory(connection: Connection, namespace: string): Promise<void> {
  try {
    await connection.workflowService.describeWorkflowExecution({
      namespace,
      execution: { workflowId: `readiness-probe-${process.pid}-${Date.now()}` },
    });
  } catch (error) {
    if (isGrpcServiceError(error) && error.code === grpcNotFound) return;
    throw error;
  }
}

function tcpProbe(address: string): Promise<void> {
  const separator = address.lastIndexOf(':');
  const host = address.slice(0, separator);
  const port = Number(address.slice(separator + 1));
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(1_000, () => socket.destroy(new Error(`no answer from ${address}`)));
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

function assertPortFree(port: number, option: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`Temporal dev server: ${option} ${port} on ${loopback} is already in use`)
          : error,
      ),
    );
    server.listen(port, loopback, () => server.close(() => resolve()));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, loopback, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

async function logTail(file: string, fromOffset: number, lines = 40): Promise<string> {
  try {
    const text = (await readFile(file)).subarray(fromOffset).toString('utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n') || '(empty)';
  } catch (error) {
    return `(could not read: ${error instanceof Error ? error.message : String(error)})`;
  }
}

async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  const cancel = new AbortController();
  const timeout = sleep(ms, false, { signal: cancel.signal }).catch(() => false);
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    cancel.abort();
  }
}

function memoize(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}
