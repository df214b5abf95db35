// What this process knows about the parts it depends on: which is down, since
// when and why, and how often a supervised child was restarted. The health
// probes and the child supervisor write it; /readyz, /metrics and the
// dashboard's banner read it without doing any I/O of their own.

export interface PartState {
  up: boolean;
  /** When the part was last seen to change state (or first seen). */
  since: Date;
  /** Why it is down, in words an operator can act on. */
  cause: string | null;
  /** Restarts of a supervised child since this process started. */
  restarts: number;
}

export interface DownPart {
  part: string;
  since: Date;
  cause: string | null;
}

export interface DependencyStatus {
  /**
   * Records a probe's or supervisor's finding made at `observedAt` (when the
   * probe began; now by default). `since` moves only when the state changes,
   * and a finding older than the last one recorded is ignored: a slow probe
   * that began before a restart must not undo what a later one saw.
   */
  report(part: string, up: boolean, cause?: string | null, observedAt?: Date): void;
  /** Counts a restart of a supervised child. */
  restarted(part: string): void;
  /** Declares that `part` is served by the supervised child `host` (Temporal by the embedded dev server). */
  runsOn(part: string, host: string): void;
  /**
   * True while the child that serves `part` is known to be down: nothing can
   * reach the part then, so a probe need not wait for its deadline to say so.
   */
  hostDown(part: string): boolean;
  state(part: string): PartState | undefined;
  all(): Record<string, PartState>;
  /** The parts down now, longest down first. */
  down(): DownPart[];
}

export function createDependencyStatus(now: () => Date = () => new Date()): DependencyStatus {
  const parts = new Map<string, PartState>();
  const observed = new Map<string, number>();
  const hosts = new Map<string, string>();
  return {
    report(part, up, cause = null, observedAt = now()) {
      if (observedAt.getTime() < (observed.get(part) ?? -Infinity)) return;
      observed.set(part, observedAt.getTime());
      const known = parts.get(part);
      if (!known) {
        parts.set(part, { up, since: observedAt, cause: up ? null : cause, restarts: 0 });
        return;
      }
      if (known.up !== up) known.since = observedAt;
      known.up = up;
      // While down, the latest cause is the useful one (the supervisor's "restart 2 failed" replaces "exited on SIGKILL").
      known.cause = up ? null : (cause ?? known.cause);
    },
    restarted(part) {
      const known = parts.get(part);
      if (known) known.restarts += 1;
      else parts.set(part, { up: false, since: now(), cause: null, restarts: 1 });
    },
    runsOn(part, host) {
      hosts.set(part, host);
    },
    hostDown(part) {
      const host = hosts.get(part);
      return host !== undefined && parts.get(host)?.up === false;
    },
    state: (part) => parts.get(part),
    all: () => Object.fromEntries([...parts].map(([part, state]) => [part, { ...state }])),
    down: () =>
      [...parts]
        .filter(([, state]) => !state.up)
        .map(([part, state]) => ({ part, since: state.since, cause: state.cause }))
        .sort((a, b) => a.since.getTime() - b.since.getTime()),
  };
}
