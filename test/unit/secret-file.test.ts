import { mkdtemp, readFile, rm, stat, writeFile, chmod, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readOrCreateSecretFile } from '../../platform/secret-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'secret-file-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('a secret generated once into a file', () => {
  it('is created readable by its owner only, in a directory only its owner can enter', async () => {
    const file = path.join(dir, 'secrets', 'signing.key');
    const secret = await readOrCreateSecretFile(file);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect((await readFile(file, 'utf8')).trim()).toBe(secret);
  });

  it('gives the same value on every later call, and leaves nothing aside', async () => {
    const file = path.join(dir, 'secrets', 'signing.key');
    const first = await readOrCreateSecretFile(file);
    expect(await readOrCreateSecretFile(file)).toBe(first);
    expect(await readdir(path.dirname(file))).toEqual(['signing.key']);
  });

  it('makes concurrent callers agree on one value', async () => {
    const file = path.join(dir, 'secrets', 'signing.key');
    const values = await Promise.all(Array.from({ length: 20 }, () => readOrCreateSecretFile(file)));
    expect(new Set(values).size).toBe(1);
    expect((await readFile(file, 'utf8')).trim()).toBe(values[0]);
  });

  it('writes a secret kept elsewhere until now instead of a new one, only while the file does not exist', async () => {
    const file = path.join(dir, 'secrets', 'signing.key');
    expect(await readOrCreateSecretFile(file, 32, 'kept-in-the-database')).toBe('kept-in-the-database');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readOrCreateSecretFile(file, 32, 'another-one')).toBe('kept-in-the-database');
  });

  it('narrows a file made readable by others, and refuses an empty one', async () => {
    const file = path.join(dir, 'signing.key');
    await writeFile(file, 'kept-secret\n');
    await chmod(file, 0o644);
    expect(await readOrCreateSecretFile(file)).toBe('kept-secret');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await writeFile(file, '\n');
    await expect(readOrCreateSecretFile(file)).rejects.toThrow(/empty/);
  });
});
