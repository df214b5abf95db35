// npm run migrate              apply pending migrations to DATABASE_URL, or to
//                              the embedded database in data/pglite when unset
// npm run migrate -- new NAME  write the next migration from the schema diff
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyMigrations, createMigration, type MigrationTarget } from '../db/migrations.js';
import { loadSettings } from '../platform/settings.js';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
export const defaultPgliteDir = path.join(projectRoot, 'data', 'pglite');

async function main(args: string[]): Promise<void> {
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;

  if (args[0] === 'new') {
    const name = args[1];
    if (!name) throw new Error('usage: npm run migrate -- new NAME');
    const created = await createMigration(name);
    console.log(
      created
        ? `Created ${path.relative(projectRoot, created)}/migration.sql (${elapsed()})`
        : 'The schema and the migrations agree: no migration needed.',
    );
    return;
  }
  if (args.length > 0) throw new Error(`unknown arguments: ${args.join(' ')}`);

  const url = loadSettings().database.url;
  const target: MigrationTarget = url ? { url } : { pgliteDir: defaultPgliteDir };
  const where = url ? 'DATABASE_URL' : path.relative(projectRoot, defaultPgliteDir);
  const applied = await applyMigrations(target);
  console.log(
    applied.length
      ? `Applied to ${where} in ${elapsed()}:\n${applied.map((name) => `  ${name}`).join('\n')}`
      : `${where} is up to date (${elapsed()}).`,
  );
}

// A pg pool's sockets can keep the process alive for seconds after it ends.
main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
