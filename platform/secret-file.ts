import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A secret generated once into a file only its owner can read, for the
 * embedded default: it survives restarts, every process of one installation
 * reads the same value, and a reader of the application database does not
 * learn it. Production configures secrets from the environment instead.
 */
export async function readOrCreateSecretFile(file: string, bytes = 32, firstValue?: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // `firstValue`: a secret kept elsewhere until now, written instead of a new one if the file does not exist yet.
  const generated = firstValue ?? randomBytes(bytes).toString('base64url');
  // Written aside, then linked into place: link fails if the file exists, so two
  // processes starting together agree on the first one, and none reads it half-written.
  const aside = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(aside, `${generated}\n`, { flag: 'wx', mode: 0o600 });
  try {
    await link(aside, file);
    return generated;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(aside);
  }
  // A file made wider by hand is narrowed again: the secret is worth one chmod.
  if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  const value = (await readFile(file, 'utf8')).trim();
  if (value === '') throw new Error(`${file} is empty: delete it to generate a new secret, or configure the secret in the environment`);
  return value;
}
