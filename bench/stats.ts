/** Small helpers for the benchmark's figures. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

export const median = (samples: number[]) => percentile(samples, 0.5);

/**
 * The first sample against the median of the others: how much slower the
 * first listing after start is than a warm one. Null without two samples.
 */
export function firstVersusRest(samples: number[]): { ratio: number; restMedian: number } | null {
  if (samples.length < 2) return null;
  const restMedian = median(samples.slice(1));
  return { ratio: samples[0]! / restMedian, restMedian };
}

/** "1,42" → [1, 42]: sequential steps, each a number of activities side by side. */
export function parseShape(text: string): number[] {
  const shape = text.split(',').map((part) => Number(part.trim()));
  if (shape.length === 0 || shape.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`a shape is a list of positive integers such as 1,42, not ${text}`);
  return shape;
}

export const ms = (value: number) => `${value.toFixed(1)} ms`;
export const perSecond = (count: number, elapsedMs: number) => (count / (elapsedMs / 1000));

/** Runs `work` over `items` with at most `concurrency` in flight. */
export async function inPool<T>(items: T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index]!, index);
      }
    }),
  );
}
