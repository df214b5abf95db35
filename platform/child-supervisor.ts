// Keeps a child process running: when it exits unexpectedly it is started
// again after a delay that doubles from one second up to thirty, and after
// too many failures in a short window supervision ends, so the process that
// owns the child can exit and let a process manager (systemd, a container
// runtime) take over instead of lingering half alive.
import { setTimeout as sleepFor } from 'node:timers/promises';

/** A started child: its exit (with a cause in words) and how to stop it. */
export interface RunningChild {
  /** Resolves when the child has exited, however that happened. */
  exited: Promise<string>;
  stop(): Promise<void>;
}

export interface RestartPolicy {
  /** Delay before the first restart; each further failure doubles it. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** This many failures (exits or failed starts) within `windowMs` end supervision. */
  maxFailures: number;
  windowMs: number;
  /** A child that ran this long was healthy: the next delay is the first one again. */
  stableAfterMs: number;
}

export const defaultRestartPolicy: RestartPolicy = { firstDelayMs: 1_000, maxDelayMs: 30_000, maxFailures: 5, windowMs: 5 * 60_000, stableAfterMs: 60_000 };

export interface SupervisionEvents<C extends RunningChild = RunningChild> {
  /** The child is down (it exited or a restart failed); the next attempt comes in `retryInMs`. */
  down(cause: string, retryInMs: number): void;
  /** A restart is being attempted (the metric counts these). */
  restarting(attempt: number): void;
  /** A restart succeeded. */
  up(child: C, downForMs: number): void;
  /** Too many failures: supervision has ended and the child is not running. */
  gaveUp(message: string): void;
}

export interface SupervisedChild<C extends RunningChild = RunningChild> {
  current(): C | null;
  /** Stops supervising and the child; no restart follows. */
  stop(): Promise<void>;
}

export interface SuperviseOptions<C extends RunningChild> {
  /** For messages: "the Temporal dev server". */
  name: string;
  first: C;
  start(): Promise<C>;
  events: SupervisionEvents<C>;
  policy?: RestartPolicy;
  now?: () => number;
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

export function superviseChild<C extends RunningChild>(options: SuperviseOptions<C>): SupervisedChild<C> {
  const policy = options.policy ?? defaultRestartPolicy;
  const now = options.now ?? Date.now;
  const stopping = new AbortController();
  let child: C | null = options.first;
  let startedAt = now();
  let nextDelayMs = policy.firstDelayMs;
  let failures: number[] = [];
  let attempts = 0;

  /** Records a failure; the delay before the next attempt, or null when supervision ends. */
  function failed(cause: string): number | null {
    const at = now();
    failures = [...failures.filter((time) => at - time < policy.windowMs), at];
    if (failures.length >= policy.maxFailures) {
      const minutes = Math.round(policy.windowMs / 60_000);
      options.events.gaveUp(`${options.name} failed ${failures.length} times within ${minutes} minute${minutes === 1 ? '' : 's'} (last: ${cause}); giving up`);
      return null;
    }
    const delay = nextDelayMs;
    nextDelayMs = Math.min(nextDelayMs * 2, policy.maxDelayMs);
    options.events.down(cause, delay);
    return delay;
  }

  async function watch(): Promise<void> {
    while (child && !stopping.signal.aborted) {
      const cause = await child.exited;
      if (stopping.signal.aborted) return;
      const downAt = now();
      if (downAt - startedAt >= policy.stableAfterMs) nextDelayMs = policy.firstDelayMs;
      child = null;
      let delay = failed(cause);
      while (delay !== null) {
        try {
          await sleepFor(delay, undefined, { signal: stopping.signal });
        } catch {
          return; // stopped while waiting
        }
        options.events.restarting(++attempts);
        try {
          const started = await options.start();
          if (stopping.signal.aborted) {
            await started.stop();
            return;
          }
          child = started;
          startedAt = now();
          options.events.up(started, startedAt - downAt);
          break;
        } catch (error) {
          if (stopping.signal.aborted) return;
          delay = failed(`restart ${attempts} failed: ${firstLine(error)}`);
        }
      }
    }
  }

  const watching = watch();
  return {
    current: () => child,
    async stop() {
      stopping.abort();
      await child?.stop();
      // A restart under way when the stop came stops what it started.
      await watching;
    },
  };
}
