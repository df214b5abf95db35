import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { redactPath } from '../../http/log-paths.js';
import { createLogger } from '../../platform/logger.js';

describe('what reaches the logs', () => {
  it('request paths lose their query and link tokens', () => {
    expect(redactPath('/api/listings?q=11010519491231002X')).toBe('/api/listings');
    expect(redactPath('/ack/WyIzNDJk.yfIYkwfn')).toBe('/ack/[token]');
    expect(redactPath('/api/tasks/abc/acknowledge')).toBe('/api/tasks/abc/acknowledge');
  });

  it('the logger censors keys, authorization headers and identifiers', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    const logger = createLogger('info', 'test', sink);
    logger.info({ req: { headers: { authorization: 'Bearer jsc_secret' } }, debtor: { idNumber: '11010519491231002X' }, created: { key: 'jsc_abc' } }, 'x');
    expect(lines).toHaveLength(1);
    expect(lines.join('')).not.toMatch(/jsc_secret|11010519491231002X|jsc_abc/);
    expect(lines.join('')).toContain('[redacted]');
  });
});
