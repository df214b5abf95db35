// What a client without a key can make the server do: nothing beyond reading
// its headers. Oversized headers are refused as problem+json too.
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack?.stop());

/** Sends raw bytes and returns what the server answered before closing, or after `waitMs`. */
function rawExchange(request: string, waitMs: number): Promise<{ text: string; elapsedMs: number }> {
  const { hostname, port } = new URL(stack.apiUrl);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(Number(port), hostname);
    let text = '';
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (chunk) => {
      text += chunk.toString('utf8');
      // One complete answer is enough.
      const [head, body = ''] = text.split('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(head ?? '')?.[1] ?? NaN);
      if (text.includes('\r\n\r\n') && body.length >= length) finish();
    });
    socket.on('end', finish);
    socket.on('error', reject);
    socket.write(request);
  });
}

it('headers larger than the server takes are answered 431 problem+json', async () => {
  const response = await fetch(`${stack.apiUrl}/api/catalog`, { headers: { 'x-padding': 'x'.repeat(20_000) } });
  expect(response.status).toBe(431);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(await response.json()).toMatchObject({ status: 431, title: 'Request header fields too large' });
  // The server goes on serving.
  expect((await stack.request('GET', '/api/catalog', { key: await stack.key('clerk') })).status).toBe(200);
});

it('a request line that is not HTTP is answered 400 problem+json', async () => {
  const { text } = await rawExchange('GET /api/catalog HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', 5_000);
  expect(text).toMatch(/^HTTP\/1\.1 400 /);
  expect(text).toMatch(/content-type: application\/problem\+json/i);
  expect(JSON.parse(text.split('\r\n\r\n')[1]!)).toMatchObject({ status: 400 });
});

it('a request to /api without a key is answered 401 before its body is read', async () => {
  // A body announced as 1 MB that never comes: answered at once, without waiting for it.
  const { host } = new URL(stack.apiUrl);
  const { text, elapsedMs } = await rawExchange(
    `POST /api/catalog HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"categories":`,
    10_000,
  );
  expect(text).toMatch(/^HTTP\/1\.1 401 /);
  expect(text).toMatch(/content-type: application\/problem\+json/i);
  expect(elapsedMs).toBeLessThan(5_000);
});

it('an unauthenticated body is never parsed: malformed or oversized, it is answered 401', async () => {
  const malformed = await stack.request('POST', '/api/catalog', { body: `{"categories": [${'1,'.repeat(500_000)}`, headers: { 'content-type': 'application/json' } });
  expect(malformed.status).toBe(401);
  const oversized = await stack.request('POST', '/api/listings', { body: { note: 'x'.repeat(3_000_000) } });
  expect(oversized.status).toBe(401);
  const wrongType = await stack.request('POST', '/api/listings', { body: 'a=1', headers: { 'content-type': 'text/plain' } });
  expect(wrongType.status).toBe(401);
  for (const response of [malformed, oversized, wrongType]) expect(response.headers.get('content-type')).toMatch(/problem\+json/);
});

it('an authenticated body keeps its limits: a catalog up to 2 MB, other requests 64 KB', async () => {
  const admin = stack.adminKey;
  const clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  expect((await stack.request('POST', '/api/listings', { key: clerk, body: { note: 'x'.repeat(100_000) } })).status).toBe(413);
  // Large but within the catalog's limit: parsed, then refused by the schema.
  const bigCatalog = await stack.request('POST', '/api/catalog', { key: admin, body: { categories: [], padding: 'x'.repeat(1_000_000) } });
  expect(bigCatalog.status).toBe(400);
  expect((await stack.request('POST', '/api/catalog', { key: admin, body: { padding: 'x'.repeat(2_500_000) } })).status).toBe(413);
});
