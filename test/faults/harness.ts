// What the fault tests share: child processes that can be killed outright,
// a private PostgreSQL cluster, plain HTTP calls with timings, and checks
// over Temporal histories.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkflowHandle } from '@temporalio/client';
import type { CaughtMessage } from '../../dev/mail-catcher.js';
import { TEST_PAYLOAD_KEY } from '../support/settings.js';

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A port nothing listens on right now, on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls until `probe` gives a value that is not undefined/false/null. */
export async function until<T>(probe: () => Promise<T | undefined | false | null> | T | undefined | false | null, what: string, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export interface ServiceProcess {
  pid: number;
  /** Everything the process wrote, stdout and stderr. */
  output(): Promise<string>;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal to the whole process group (npx → tsx → node). */
  kill(signal: NodeJS.Signals): void;
  running(): boolean;
}

/**
 * `npx tsx <entry>` as a process group of its own, so that SIGKILL takes the
 * whole tree at once, as when a container or machine dies.
 */
export async function startService(entry: string, env: Record<string, string>, logDir: string, name: string): Promise<ServiceProcess> {
  const logFile = path.join(logDir, `${name}-${Date.now()}.log`);
  const log = createWriteStream(logFile);
  const childEnv: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_PAYLOAD_KEY: TEST_PAYLOAD_KEY, ...env };
  delete childEnv.NODE_OPTIONS;
  const child: ChildProcess = spawn('npx', ['tsx', entry], { cwd: projectRoot, env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
  });
  // A test that fails must not leave its services behind.
  const killOnExit = () => {
    if (!done) kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const pid = child.pid!;
  function kill(signal: NodeJS.Signals) {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  }
  return {
    pid,
    exited: exited.finally(() => process.off('exit', killOnExit)),
    output: () => readFile(logFile, 'utf8').catch(() => ''),
    kill,
    running: () => !done,
  };
}

/** Stops a service group and waits for it (SIGKILL after `graceMs`). */
export async function stopService(service: ServiceProcess | undefined, graceMs = 10_000): Promise<void> {
  if (!service || !service.running()) return;
  service.kill('SIGTERM');
  const timer = setTimeout(() => service.kill('SIGKILL'), graceMs);
  await service.exited;
  clearTimeout(timer);
  // The group may outlive its leader (tsx's child): make sure nothing is left.
  service.kill('SIGKILL');
}

export interface Answer {
  status: number;
  contentType: string;
  body: any;
  ms: number;
  /** Set when no HTTP answer came (connection refused or reset, timeout). */
  error?: string;
}

/** One HTTP call; a network failure or timeout is an answer with status 0. */
export async function call(
  baseUrl: string,
  method: string,
  urlPath: string,
  options: { key?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Answer> {
  const started = performance.now();
  try {
    const response = await fetch(`${baseUrl}${urlPath}`, {
      method,
      headers: {
        ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // not JSON
    }
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', body, ms: performance.now() - started };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return { status: 0, contentType: '', body: null, ms: performance.now() - started, error: cause?.code ?? (error as Error).name ?? String(error) };
  }
}

/** Whether a workflow's history holds a failed workflow task, and how many timed out. */
export async function workflowTaskTrouble(handle: WorkflowHandle): Promise<{ failed: number; timedOut: number; events: number }> {
  const history = await handle.fetchHistory();
  const events = history.events ?? [];
  return {
    failed: events.filter((event) => event.workflowTaskFailedEventAttributes != null).length,
    timedOut: events.filter((event) => event.workflowTaskTimedOutEventAttributes != null).length,
    events: events.length,
  };
}

/** Runs `work` over `items` with at most `limit` at a time. */
export async function inBatches<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!, index);
      }
    }),
  );
  return results;
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `jsc-${prefix}-`));
}

const pgBin = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** Runs a PostgreSQL binary (as the postgres user when we are root) without blocking the event loop. */
function run(command: string, args: string[], asPostgres: boolean): Promise<string> {
  const [file, argv] = asPostgres ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    execFile(file, argv, { encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr || stdout || error.message}`));
      else resolve(stdout);
    });
  });
}

export interface PrivatePostgres {
  url: string;
  port: number;
  dir: string;
  start(): Promise<void>;
  /** `pg_ctl stop -m fast`: open connections are cut, new ones refused. */
  stop(): Promise<void>;
  /**
   * SIGKILL to the postmaster, as when the machine or container dies: no
   * shutdown checkpoint, its backends end when they notice their parent is
   * gone (SIGKILLed too after 5 s). The next start() runs crash recovery.
   */
  kill(): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * A PostgreSQL cluster of its own (initdb into a temporary directory, trust
 * authentication, socket in that directory), so a test can stop and start it
 * without touching the shared server.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = await tempDir('pg');
  const dataDir = path.join(dir, 'data');
  const asPostgres = process.getuid?.() === 0;
  if (asPostgres) {
    const { uid, gid } = userIds('postgres');
    await chown(dir, uid, gid);
  }
  await chmod(dir, 0o700);
  await run(path.join(pgBin, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync'], asPostgres);
  const port = await freePort();
  const ctl = (...args: string[]) => run(path.join(pgBin, 'pg_ctl'), ['-D', dataDir, ...args], asPostgres);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = () => ctl('-o', options, '-l', path.join(dir, 'server.log'), '-w', '-t', '30', 'start');
  let running = false;
  await start();
  running = true;
  // A test that fails or times out must not leave its cluster running.
  const stopOnExit = () => {
    if (!running) return;
    const argv = [path.join(pgBin, 'pg_ctl'), '-D', dataDir, '-m', 'immediate', 'stop'];
    spawnSync(asPostgres ? 'runuser' : argv[0]!, asPostgres ? ['-u', 'postgres', '--', ...argv] : argv.slice(1), { timeout: 10_000 });
  };
  process.once('exit', stopOnExit);
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    async start() {
      await start();
      running = true;
    },
    async stop() {
      await ctl('-m', 'fast', '-w', '-t', '30', 'stop');
      running = false;
    },
    async kill() {
      const postmaster = Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
      const backends = childrenOf(postmaster);
      process.kill(postmaster, 'SIGKILL');
      running = false;
      const deadline = Date.now() + 5_000;
      while ([postmaster, ...backends].some(alive)) {
        if (Date.now() > deadline) for (const pid of backends) if (alive(pid)) process.kill(pid, 'SIGKILL');
        await sleep(20);
      }
    },
    async destroy() {
      process.off('exit', stopOnExit);
      if (running) {
        await ctl('-m', 'immediate', '-w', '-t', '30', 'stop').catch(() => {});
        running = false;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The processes whose parent is `pid` (/proc/<pid>/task/<pid>/children is not always there: read every stat). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The fields after the command name (which may hold spaces) in parentheses: state, ppid, …
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/** Whether a process exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function userIds(name: string): { uid: number; gid: number } {
  const uid = Number(spawnSync('id', ['-u', name], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', name], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error(`no user ${name}`);
  return { uid, gid };
}

/** Percentile of a list of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** What a task mail is, "<task>.<type>[.L<level>]": a step a test expects to arrive exactly once. */
export function stepOf(message: CaughtMessage): string {
  const type = message.headers['x-notice-type'];
  const level = type === 'escalation' ? `.L${/第(\d)级/.exec(message.subject)?.[1]}` : '';
  return `${message.headers['x-task-id']}.${type}${level}`;
}
