// The embedded database of the all-in-one start: PostgreSQL compiled to
// WebAssembly (PGlite), persisted in a directory, used when no DATABASE_URL is given.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';

/** Where the embedded database lives by default. */
export const defaultEmbeddedDir = fileURLToPath(new URL('../data/pglite', import.meta.url));

/**
 * Opens (creating if needed) the PGlite database persisted in `dir`. Only one
 * PGlite may have a directory open at a time; the caller closes it with
 * `close()` when done, or the process does not exit.
 */
export async function openEmbeddedDatabase(dir: string = defaultEmbeddedDir): Promise<PGlite> {
  const resolved = path.resolve(dir);
  await mkdir(resolved, { recursive: true });
  return PGlite.create(resolved);
}
