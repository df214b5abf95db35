// `prisma generate` on machines where Prisma cannot download its native
// schema engine. Every CLI command insists that the engine binary exists,
// but generate never runs it, so a stub that refuses to run is enough.
import { spawn } from 'node:child_process';
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const schemaFile = path.join(projectRoot, 'prisma', 'schema.prisma');
const generatedEntry = path.join(projectRoot, 'prisma', 'generated', 'client.ts');
const stubEngine = path.join(projectRoot, '.tools', 'prisma-stub-engine');

const stubScript = `#!/bin/sh
echo "prisma-stub-engine: no native schema engine here; migrations run through db/migrations.ts" >&2
exit 1
`;

/**
 * Generates the Prisma client unless it is newer than the schema.
 * Returns whether it ran.
 */
export async function ensurePrismaClient(options: { force?: boolean } = {}): Promise<boolean> {
  if (!options.force && (await isFresh())) return false;
  await mkdir(path.dirname(stubEngine), { recursive: true });
  await writeFile(stubEngine, stubScript);
  await chmod(stubEngine, 0o755);
  await runPrisma(['generate'], {
    PRISMA_SCHEMA_ENGINE_BINARY: stubEngine,
    CHECKPOINT_DISABLE: '1',
  });
  return true;
}

async function isFresh(): Promise<boolean> {
  const [schema, generated] = await Promise.all([mtime(schemaFile), mtime(generatedEntry)]);
  return schema !== undefined && generated !== undefined && generated > schema;
}

function mtime(file: string): Promise<number | undefined> {
  return stat(file).then(
    (info) => info.mtimeMs,
    () => undefined,
  );
}

function runPrisma(args: string[], env: Record<string, string>): Promise<void> {
  const cli = createRequire(import.meta.url).resolve('prisma/build/index.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: projectRoot,
      env: { ...process.env, ...env },
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`prisma ${args.join(' ')} failed (${signal ?? `exit ${code}`})`)),
    );
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  const ran = await ensurePrismaClient({ force: process.argv.includes('--force') });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(ran ? `Prisma client generated in ${seconds} s` : 'Prisma client is up to date');
}
