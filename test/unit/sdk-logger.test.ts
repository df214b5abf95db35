import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createLogger } from '../../platform/logger.js';
import { sdkLoggerOver } from '../../platform/sdk-logger.js';

it('the Temporal SDK logs through our logger: same levels, errors serialized, identifiers redacted', () => {
  const lines: Record<string, any>[] = [];
  const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(JSON.parse(String(chunk))), done()) });
  const sdk = sdkLoggerOver(createLogger('info', 'test', sink));
  sdk.debug('below the level');
  sdk.warn('Activity failed', { sdkComponent: 'worker', error: new Error('smtp down'), input: { idNumber: '11010519491231002X' } });
  sdk.log('INFO', 'Worker state changed', { state: 'RUNNING' });
  expect(lines.map((line) => [line.level, line.msg])).toEqual([
    [40, 'Activity failed'],
    [30, 'Worker state changed'],
  ]);
  expect(lines[0]).toMatchObject({ sdkComponent: 'worker', err: { message: 'smtp down' }, input: { idNumber: '[redacted]' } });
  expect(lines[0]!.err.stack).toContain('smtp down');
});
