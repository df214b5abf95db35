// The benchmark's own arithmetic: what it reports as met or missed must not depend on a slip in a helper.
import { describe, expect, it } from 'vitest';
import { firstVersusRest, parseShape, percentile } from '../../bench/stats.js';
import { pacedLoad } from '../../bench/paced-load.js';
import { parentPidOf, vmRssMiB } from '../../bench/process-memory.js';
import { measure, summaryTable, supervisionFigures } from '../../bench/results.js';

describe('bench figures', () => {
  it('compares the first idle listing with the median of the others, not of all', () => {
    // Others 100, 200, 300 → median 200; the first (900) is 4.5× that.
    expect(firstVersusRest([900, 300, 100, 200])).toEqual({ ratio: 4.5, restMedian: 200 });
    expect(firstVersusRest([900])).toBeNull();
    expect(percentile([5, 1, 4, 2, 3], 0.99)).toBe(5);
  });

  it('reads a shape of steps and refuses anything but positive integers', () => {
    expect(parseShape('1,42')).toEqual([1, 42]);
    expect(parseShape(' 1, 1 ')).toEqual([1, 1]);
    expect(() => parseShape('1,0')).toThrow();
    expect(() => parseShape('1,x')).toThrow();
  });

  it('reads a target as not measured without a value, and as met or missed with one', () => {
    expect(measure(null, 'ms', '< 50 ms', (v) => v < 50)).toEqual({ value: null, unit: 'ms', target: '< 50 ms', met: null });
    expect(measure(Number.NaN, 'ms', '< 50 ms', (v) => v < 50).met).toBeNull();
    expect(measure(49.9, 'ms', '< 50 ms', (v) => v < 50).met).toBe(true);
    expect(measure(50, 'ms', '< 50 ms', (v) => v < 50).met).toBe(false);
    expect(measure(3, '/s', 'informational', null).met).toBeNull();
    const table = summaryTable({ a: measure(null, 'ms', '< 50 ms', (v) => v < 50), b: measure(0.4, '×', '≥ 0.5', (v) => v >= 0.5, { baseline: { value: 10, unit: 'workflows/s', what: 'ceiling' } }) });
    expect(table).toContain('| a | not measured |  | < 50 ms | — |');
    expect(table).toContain('| b | 0.40 × | 10.0 workflows/s (ceiling) | ≥ 0.5 | NO |');
  });

  it('takes the supervision figures where they are given, and not measured where they are not', () => {
    expect(supervisionFigures('| table |')).toEqual({ text: '| table |', statsP95Ms: null, overduePageP95Ms: null });
    expect(supervisionFigures({ text: 't', statsP50Ms: 1, statsP95Ms: 2, overduePageP95Ms: 3 })).toEqual({ text: 't', statsP95Ms: 2, overduePageP95Ms: 3 });
    expect(supervisionFigures({ table: 't', figures: { statsP95Ms: 4 } })).toEqual({ text: 't', statsP95Ms: 4, overduePageP95Ms: null });
    expect(supervisionFigures(null)).toEqual({ text: null, statsP95Ms: null, overduePageP95Ms: null });
  });

  it('reads /proc figures, also for a command name with spaces and parentheses', () => {
    expect(parentPidOf('1234 (node (tsx) x) S 77 1234 1234 0 -1')).toBe(77);
    expect(vmRssMiB('Name:\tnode\nVmRSS:\t  409600 kB\nRssAnon: 1 kB\n')).toBe(400);
    expect(vmRssMiB('Name:\tkthreadd\n')).toBeNull();
  });

  it('paces each client: about clients / interval requests per second, however fast the answers', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const result = await pacedLoad({ items, clients: 10, intervalMs: 100, seconds: 0.5, send: async (i) => (i % 7 === 0 ? 409 : 200) });
    // 10 clients × (0.5 s / 100 ms) = about 50 requests, far fewer than a closed loop would send.
    expect(result.latencies.length).toBeGreaterThanOrEqual(40);
    expect(result.latencies.length).toBeLessThanOrEqual(70);
    expect(result.errors + result.succeeded.length).toBe(result.latencies.length);
    expect(result.succeeded.every((i) => i % 7 !== 0)).toBe(true);
    expect(result.statuses['409']).toBe(result.errors);
  });
});
