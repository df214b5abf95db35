// Guessing API keys or link tokens is slowed down; a working client is not.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack?.stop());

it('failed authentications beyond the limit are answered 429 problem+json; successes never count', async () => {
  const clerk = await stack.key('clerk');
  for (let i = 0; i < 50; i++) expect((await stack.request('GET', '/api/catalog', { key: clerk })).status).toBe(200);
  const statuses: number[] = [];
  for (let i = 0; i < 32; i++) statuses.push((await stack.request('GET', '/api/catalog', { key: `jsc_guess_${i}` })).status);
  expect(statuses.slice(0, 30).every((status) => status === 401)).toBe(true);
  expect(statuses.slice(30)).toEqual([429, 429]);
  const limited = await stack.request('GET', '/api/catalog', { key: 'jsc_guess_again' });
  expect(limited.status).toBe(429);
  expect(limited.headers.get('content-type')).toMatch(/problem\+json/);
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
});

it('refused link tokens beyond the limit are answered 429', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 31; i++) statuses.push((await fetch(`${stack.apiUrl}/ack/forged-${i}`)).status);
  expect(statuses.slice(0, 30).every((status) => status === 404)).toBe(true);
  expect(statuses[30]).toBe(429);
});
