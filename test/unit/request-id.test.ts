import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestLogger } from '../../http/request-log.js';
import { createLogger } from '../../platform/logger.js';

const lines: Record<string, any>[] = [];
const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(JSON.parse(String(chunk))), done()) });
const app = express()
  .use(requestLogger(createLogger('info', 'test', sink), (path) => path === '/healthz'))
  .get('/work', (req, res) => {
    req.log.info('working');
    res.json({ ok: true });
  });
let base: string;
let server: ReturnType<typeof app.listen>;
beforeAll(async () => {
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => void server.close());

const get = (headers: Record<string, string> = {}) => fetch(`${base}/work`, { headers });
const linesOf = (id: string) => lines.filter((line) => line.reqId === id);

describe('request ids', () => {
  it('a sane X-Request-Id is kept, echoed, and on every line of the request', async () => {
    const response = await get({ 'x-request-id': 'lb-7f3a.91' });
    expect(response.headers.get('x-request-id')).toBe('lb-7f3a.91');
    const logged = linesOf('lb-7f3a.91');
    expect(logged.map((line) => line.msg)).toEqual(['working', 'request completed']);
    expect(logged[1]!.req).toMatchObject({ id: 'lb-7f3a.91', method: 'GET', path: '/work' });
  });

  it('without one, or with one that is not a short token, a UUID is made', async () => {
    const offered: Record<string, string>[] = [{}, { 'x-request-id': 'x'.repeat(129) }, { 'x-request-id': 'a b' }, { 'x-request-id': '"><script>' }];
    for (const headers of offered) {
      const id = (await get(headers)).headers.get('x-request-id')!;
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(linesOf(id)).toHaveLength(2);
    }
  });
});
