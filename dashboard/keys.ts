import { createHmac } from 'node:crypto';

/** One key per use, so a value signed for one purpose is never accepted for another. */
export interface DashboardKeys {
  session: Buffer;
  csrf: Buffer;
}

export function deriveDashboardKeys(secret: string): DashboardKeys {
  const derive = (purpose: string) => createHmac('sha256', secret).update(`jsc-dashboard/${purpose}`).digest();
  return { session: derive('session'), csrf: derive('csrf') };
}

/** Resolves the secret on first use and keeps the derived keys. */
export function lazyDashboardKeys(secret: () => Promise<string>): () => Promise<DashboardKeys> {
  let keys: Promise<DashboardKeys> | null = null;
  return () => {
    if (!keys) {
      const pending = secret().then(deriveDashboardKeys);
      // A failed lookup (database down) is retried by the next request.
      pending.catch(() => {
        if (keys === pending) keys = null;
      });
      keys = pending;
    }
    return keys;
  };
}
