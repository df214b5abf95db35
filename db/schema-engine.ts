// Prisma's schema engine compiled to WebAssembly: the engine behind
// `prisma migrate`, driven through a driver adapter instead of the native
// binary that the CLI would have to download.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  bindMigrationAwareSqlAdapterFactory,
  DriverAdapterError,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';

export type SchemaEngine = glue.SchemaEngine;

// The project's `lib` has no WebAssembly types (they come with the DOM lib);
// this is the one call used here.
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
};

let engineClass: Promise<typeof glue.SchemaEngine> | undefined;

// The package's own entry imports the .wasm file as an ES module, which
// Node 20 only does behind --experimental-wasm-modules; instantiating the
// bytes with the same glue does the same without the flag. The glue holds
// one module-wide instance, so this happens once per process.
function loadSchemaEngine(): Promise<typeof glue.SchemaEngine> {
  engineClass ??= (async () => {
    const require = createRequire(import.meta.url);
    const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = await readFile(path.join(path.dirname(gluePath), 'schema_engine_bg.wasm'));
    const imports: Record<string, unknown> = { ...glue };
    for (const name of Object.keys(imports).filter((key) => key.startsWith('__wbg_setTimeout_'))) {
      imports[name] = trackedSetTimeout;
    }
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': imports });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue.SchemaEngine;
  })();
  return engineClass;
}

// The engine arms timeouts (around ten seconds) that it never clears, and
// each one would keep the process alive after the work is done. They are
// cleared once no engine is left that could be waiting on one.
const pendingTimers = new Set<NodeJS.Timeout>();
let openEngines = 0;

function trackedSetTimeout(callback: () => void, ms: number): NodeJS.Timeout {
  const timer = setTimeout(() => {
    pendingTimers.delete(timer);
    callback();
  }, ms >>> 0);
  pendingTimers.add(timer);
  return timer;
}

function engineClosed(): void {
  openEngines -= 1;
  if (openEngines > 0) return;
  for (const timer of pendingTimers) clearTimeout(timer);
  pendingTimers.clear();
}

export interface SchemaEngineOptions {
  /** Receives the engine's log lines (JSON); dropped by default. */
  log?: (line: string) => void;
}

/**
 * Runs `work` with a schema engine connected through `factory`, then frees the
 * engine and disposes every connection it opened (the engine itself leaves
 * them open, and an open pool keeps the process alive).
 */
export async function withSchemaEngine<T>(
  factory: SqlMigrationAwareDriverAdapterFactory,
  work: (engine: SchemaEngine) => Promise<T>,
  options: SchemaEngineOptions = {},
): Promise<T> {
  const Engine = await loadSchemaEngine();
  const opened: SqlDriverAdapter[] = [];
  const tracking: SqlMigrationAwareDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => remember(opened, await factory.connect()),
    connectToShadowDb: async () => remember(opened, await factory.connectToShadowDb()),
  };
  const log = options.log ?? (() => {});
  openEngines += 1;
  try {
    const engine = await Engine.new({ datamodels: undefined }, log, bindMigrationAwareSqlAdapterFactory(tracking));
    try {
      return await work(engine);
    } finally {
      engine.free();
    }
  } finally {
    await Promise.allSettled(opened.map((adapter) => adapter.dispose()));
    engineClosed();
  }
}

function remember(opened: SqlDriverAdapter[], adapter: SqlDriverAdapter): SqlDriverAdapter {
  opened.push(adapter);
  return adapter;
}

/**
 * Wraps an adapter so that `executeScript` sends a migration script to the
 * database as one simple-protocol query: adapter-pg splits scripts on `;`
 * (which breaks `$$`-quoted bodies), and the PGlite adapter does not await
 * the script (so a failing migration would go unnoticed). One query also makes
 * each migration run in a single implicit transaction. `dispose` runs once.
 */
export function withWholeScripts(
  inner: SqlDriverAdapter,
  runScript: (script: string) => Promise<unknown>,
  afterDispose: () => Promise<void> = async () => {},
): SqlDriverAdapter {
  let disposed: Promise<void> | undefined;
  const adapter: SqlDriverAdapter = {
    provider: inner.provider,
    adapterName: inner.adapterName,
    queryRaw: (query) => inner.queryRaw(query),
    executeRaw: (query) => inner.executeRaw(query),
    startTransaction: (isolationLevel) => inner.startTransaction(isolationLevel),
    executeScript: async (script) => {
      try {
        await runScript(script);
      } catch (error) {
        throw asDriverAdapterError(error);
      }
    },
    dispose: () => (disposed ??= inner.dispose().then(afterDispose)),
  };
  const connectionInfo = inner.getConnectionInfo?.bind(inner);
  if (connectionInfo) adapter.getConnectionInfo = connectionInfo;
  return adapter;
}

// Both node-postgres and PGlite raise errors carrying the server's fields;
// in this shape the engine reports them like any other database error.
function asDriverAdapterError(error: unknown): unknown {
  if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string') return error;
  const field = (name: string): string | undefined => {
    const value = (error as unknown as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  };
  return new DriverAdapterError({
    kind: 'postgres',
    code: error.code,
    severity: field('severity') ?? 'ERROR',
    message: error.message,
    detail: field('detail'),
    column: field('column'),
    hint: field('hint'),
  });
}
