// Many clients working through a shared list of items, each pausing between
// its requests: with a pause, an open and paced load (clients / pause
// requests per second offered, whatever the answers cost); without one, a
// closed loop that finds the saturation throughput.
import { performance } from 'node:perf_hooks';
import { percentile, perSecond } from './stats.js';

export interface PacedLoadOptions<T> {
  items: T[];
  clients: number;
  /** The pause after each answer before the client's next request; 0 for a closed loop. */
  intervalMs: number;
  seconds: number;
  /** Sends one request and returns its status, 0 when no answer came. */
  send: (item: T) => Promise<number>;
  /** The one status that counts as a success; any other is an error. */
  okStatus?: number;
}

export interface PacedLoadResult<T> {
  latencies: number[];
  errors: number;
  /** How many answers of each status ("0": none came). */
  statuses: Record<string, number>;
  elapsedMs: number;
  /** The items whose request succeeded, in the order their answers came. */
  succeeded: T[];
  p50: number;
  p99: number;
  perSecond: number;
}

export async function pacedLoad<T>({ items, clients, intervalMs, seconds, send, okStatus = 200 }: PacedLoadOptions<T>): Promise<PacedLoadResult<T>> {
  const latencies: number[] = [];
  const succeeded: T[] = [];
  let errors = 0;
  const statuses: Record<string, number> = {};
  let next = 0;
  let lastAnswerAt = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const pause = (delayMs: number) => new Promise((resolve) => setTimeout(resolve, delayMs));
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      // Staggered starts spread the offered load evenly over each interval instead of in bursts of `clients`.
      if (intervalMs > 0) await pause((client * intervalMs) / clients);
      while (performance.now() < deadline && next < items.length) {
        const item = items[next++]!;
        const sent = performance.now();
        const status = await send(item).catch(() => 0);
        lastAnswerAt = performance.now();
        latencies.push(lastAnswerAt - sent);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === okStatus) succeeded.push(item);
        else errors++;
        if (intervalMs > 0) await pause(intervalMs);
      }
    }),
  );
  // Counted until the last answer, not until the last client's pause ended.
  const elapsedMs = Math.max(0, lastAnswerAt - started);
  return { latencies, errors, statuses, elapsedMs, succeeded, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), perSecond: perSecond(latencies.length, elapsedMs) };
}
