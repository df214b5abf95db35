/**
 * A read whose result is reused for `ttlMs` after it completes, and shared by
 * every caller while it runs: however often it is asked, it runs at most once
 * per interval. A failed read is not kept: the next caller tries again.
 */
export function reusedFor<T>(ttlMs: number, read: () => Promise<T>, now: () => number = Date.now): () => Promise<T> {
  let pending: Promise<T> | undefined;
  let kept: { value: T; until: number } | undefined;
  return () => {
    if (kept && now() < kept.until) return Promise.resolve(kept.value);
    pending ??= read().then(
      (value) => {
        kept = { value, until: now() + ttlMs };
        pending = undefined;
        return value;
      },
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
}
