import { readFile } from 'node:fs/promises';
import { defaultPolicy, parsePolicy, type Policy } from '../domain/policy.js';

/** POLICY_FILE when set, else the built-in policy of API.md. */
export async function loadPolicy(path: string | undefined): Promise<Policy> {
  if (!path) return defaultPolicy;
  const text = await readFile(path, 'utf8');
  try {
    return parsePolicy(JSON.parse(text));
  } catch (error) {
    throw new Error(`POLICY_FILE ${path}: ${(error as Error).message}`);
  }
}
