import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { warmUp } from '../../main/warm-up.js';
import { createLogger } from '../../platform/logger.js';

function capturedLog() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(JSON.parse(String(chunk)) as Record<string, unknown>), done()) });
  return { log: createLogger('info', 'sanctions', sink), lines };
}

describe('warmUp', () => {
  it('logs a failing step and still runs the others, without throwing', async () => {
    const { log, lines } = capturedLog();
    let ran = false;
    await warmUp({ smtp: () => Promise.reject(new Error('relay away')), reads: async () => void (ran = true) }, log);
    expect(ran).toBe(true);
    expect(lines.find((line) => line.msg === 'warm-up finished')).toMatchObject({ failed: ['smtp'] });
    expect(lines.find((line) => line.step === 'smtp')).toMatchObject({ level: 40 });
  });

  it('gives up waiting after its budget when a step hangs', async () => {
    const { log, lines } = capturedLog();
    const started = performance.now();
    await warmUp({ hangs: () => new Promise(() => {}) }, log, 100);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(lines.map((line) => line.msg)).toEqual(['warm-up still running: ready without waiting for it']);
  });
});
