// Guessing API keys or link tokens is slowed down; a working client is not.
import { networkInterfaces } from 'node:os';
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

/** A client behind the proxy: its address as the proxy reports it. */
const from = (address: string) => ({ 'x-forwarded-for': address });

it('a valid key is never refused for the failures of others from the same address', async () => {
  const clerk = await stack.key('clerk');
  const statuses: number[] = [];
  for (let i = 0; i < 35; i++) statuses.push((await stack.request('GET', '/api/catalog', { key: `jsc_office_guess_${i}`, headers: from('198.51.100.7') })).status);
  expect(statuses.slice(0, 30).every((status) => status === 401)).toBe(true);
  expect(statuses.slice(30).every((status) => status === 429)).toBe(true);
  // A colleague behind the same address goes on working, with a key used before or for the first time.
  for (let i = 0; i < 3; i++) expect((await stack.request('GET', '/api/catalog', { key: clerk, headers: from('198.51.100.7') })).status).toBe(200);
  expect((await stack.request('GET', '/api/catalog', { key: await stack.key('supervisor'), headers: from('198.51.100.7') })).status).toBe(200);
  // The guesser is still refused.
  expect((await stack.request('GET', '/api/catalog', { key: 'jsc_office_guess_again', headers: from('198.51.100.7') })).status).toBe(429);
  expect((await stack.request('GET', '/api/catalog', { headers: from('198.51.100.7') })).status).toBe(429);
});

it('one wrong key presented again and again is refused whatever address it comes from', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 32; i++) statuses.push((await stack.request('GET', '/api/catalog', { key: 'jsc_stale_key_in_a_loop', headers: from(`198.51.100.${100 + i}`) })).status);
  expect(statuses.slice(0, 30).every((status) => status === 401)).toBe(true);
  expect(statuses.slice(30)).toEqual([429, 429]);
  // Other keys from those addresses are not affected.
  expect((await stack.request('GET', '/api/catalog', { key: 'jsc_another_wrong_key', headers: from('198.51.100.131') })).status).toBe(401);
});

/** An address of this machine that is not loopback, as a reverse proxy on another host would connect from. */
function nonLoopbackAddress(): string {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address;
  if (!address) throw new Error('this test needs a network interface with a non-loopback IPv4 address');
  return address;
}

it('behind a trusted proxy on another host (TRUST_PROXY), each client has its own failure counter', async () => {
  const proxyAddress = nonLoopbackAddress();
  const behindProxy = await startTestStack({ env: { HOST: proxyAddress, TRUST_PROXY: proxyAddress } });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await behindProxy.request('GET', '/api/catalog', { key: `jsc_guess_${i}`, headers: from('203.0.113.1') })).status);
    expect(statuses.slice(0, 30).every((status) => status === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
    // Another client of the same proxy has a counter of its own.
    expect((await behindProxy.request('GET', '/api/catalog', { key: 'jsc_typo', headers: from('203.0.113.2') })).status).toBe(401);
  } finally {
    await behindProxy.stop();
  }
});
