import { describe, expect, it } from 'vitest';
import { superviseChild, type RestartPolicy, type RunningChild } from '../../platform/child-supervisor.js';
import { probeDependencies } from '../../http/health.js';
import { createDependencyStatus } from '../../platform/dependency-status.js';

/** A child that exits when told to, with the cause given. */
function fakeChild(): RunningChild & { exit(cause: string): void; stopped: boolean } {
  let exit!: (cause: string) => void;
  const exited = new Promise<string>((resolve) => (exit = resolve));
  const child = {
    exited,
    stopped: false,
    exit,
    async stop() {
      child.stopped = true;
      exit('stopped');
    },
  };
  return child;
}

const fast: RestartPolicy = { firstDelayMs: 10, maxDelayMs: 40, maxFailures: 4, windowMs: 60_000, stableAfterMs: 60_000 };
const settle = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

function recorder() {
  const events: string[] = [];
  const delays: number[] = [];
  let gaveUp: string | null = null;
  return {
    events,
    delays,
    gaveUp: () => gaveUp,
    handlers: {
      down: (cause: string, retryInMs: number) => {
        events.push(`down: ${cause}`);
        delays.push(retryInMs);
      },
      restarting: (attempt: number) => events.push(`restarting ${attempt}`),
      up: () => events.push('up'),
      gaveUp: (message: string) => {
        events.push('gave up');
        gaveUp = message;
      },
    },
  };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await settle(5);
  expect(check()).toBe(true);
}

describe('a supervised child', () => {
  it('is started again after an unexpected exit, and supervision follows the new one', async () => {
    const first = fakeChild();
    const restarts: ReturnType<typeof fakeChild>[] = [];
    const seen = recorder();
    const supervised = superviseChild({ name: 'the server', first, start: async () => restarts[restarts.push(fakeChild()) - 1]!, events: seen.handlers, policy: fast });

    first.exit('was killed by SIGKILL');
    await until(() => seen.events.includes('up'));
    expect(seen.events).toEqual(['down: was killed by SIGKILL', 'restarting 1', 'up']);
    expect(supervised.current()).toBe(restarts[0]);

    restarts[0]!.exit('exited with code 2');
    await until(() => restarts.length === 2 && supervised.current() === restarts[1]);
    expect(seen.events.slice(3)).toEqual(['down: exited with code 2', 'restarting 2', 'up']);
    await supervised.stop();
    expect(restarts[1]!.stopped).toBe(true);
  });

  it('waits longer after each failure, up to the limit, and gives up after too many failures in the window', async () => {
    const first = fakeChild();
    const seen = recorder();
    let tries = 0;
    superviseChild({
      name: 'the server',
      first,
      start: async () => {
        tries += 1;
        throw new Error('did not become ready: the server process exited with 1\nLast lines of its log: …');
      },
      events: seen.handlers,
      policy: fast,
    });
    first.exit('was killed by SIGKILL');
    await until(() => seen.gaveUp() !== null);
    expect(seen.delays).toEqual([10, 20, 40]);
    expect(tries).toBe(3);
    expect(seen.events.filter((event) => event.startsWith('down: restart'))[0]).toBe('down: restart 1 failed: did not become ready: the server process exited with 1');
    expect(seen.gaveUp()).toMatch(/^the server failed 4 times within 1 minute \(last: restart 3 failed: did not become ready.*\); giving up$/);
    await settle(100);
    expect(tries).toBe(3);
  });

  it('starts again from the first delay after a run that lasted', async () => {
    let clock = 0;
    const first = fakeChild();
    const children: ReturnType<typeof fakeChild>[] = [];
    const seen = recorder();
    superviseChild({ name: 'the server', first, start: async () => children[children.push(fakeChild()) - 1]!, events: seen.handlers, policy: { ...fast, maxFailures: 10 }, now: () => clock });
    first.exit('crashed');
    await until(() => children.length === 1);
    children[0]!.exit('crashed');
    await until(() => children.length === 2);
    clock += fast.stableAfterMs;
    children[1]!.exit('crashed');
    await until(() => children.length === 3);
    expect(seen.delays).toEqual([10, 20, 10]);
  });

  it('is not restarted once stopped, even while a restart was waiting', async () => {
    const first = fakeChild();
    let tries = 0;
    const seen = recorder();
    const supervised = superviseChild({ name: 'the server', first, start: async () => (tries++, fakeChild()), events: seen.handlers, policy: { ...fast, firstDelayMs: 200 } });
    first.exit('crashed');
    await settle(20);
    await supervised.stop();
    await settle(300);
    expect(tries).toBe(0);
    expect(supervised.current()).toBeNull();
  });
});

describe('the dependency status', () => {
  it('keeps the time a part went down while it stays down, with the latest cause', () => {
    let now = new Date('2026-12-02T10:00:00Z');
    const status = createDependencyStatus(() => now);
    status.report('temporal', true);
    now = new Date('2026-12-02T10:00:05Z');
    status.report('temporal', false, 'unreachable');
    now = new Date('2026-12-02T10:00:07Z');
    status.report('temporal', false, 'restart 1 failed');
    status.report('database', true);
    expect(status.down()).toEqual([{ part: 'temporal', since: new Date('2026-12-02T10:00:05Z'), cause: 'restart 1 failed' }]);
    now = new Date('2026-12-02T10:00:09Z');
    status.report('temporal', true);
    status.restarted('temporal');
    expect(status.down()).toEqual([]);
    expect(status.state('temporal')).toEqual({ up: true, since: new Date('2026-12-02T10:00:09Z'), cause: null, restarts: 1 });
  });

  it('ignores a finding older than the last one: a slow probe begun before a restart does not undo it', () => {
    let now = new Date('2026-12-02T10:00:00Z');
    const status = createDependencyStatus(() => now);
    status.report('temporal', false, 'killed');
    now = new Date('2026-12-02T10:00:03Z');
    status.report('temporal', true);
    status.report('temporal', false, 'unreachable: deadline exceeded', new Date('2026-12-02T10:00:01Z'));
    expect(status.state('temporal')).toMatchObject({ up: true, since: new Date('2026-12-02T10:00:03Z') });
  });

  it('does not probe a part while the child that serves it is down, and probes it again once the child is back', async () => {
    const status = createDependencyStatus();
    status.report('temporalDevServer', true);
    status.runsOn('temporal', 'temporalDevServer');
    let probed = 0;
    const probes = { database: async () => 1, temporal: async () => (probed += 1) };
    status.report('temporalDevServer', false, 'was killed by SIGKILL');
    status.report('temporal', false, 'the embedded Temporal dev server was killed by SIGKILL');
    await probeDependencies(probes, status);
    expect(probed).toBe(0);
    expect(status.down().map(({ part }) => part)).toEqual(['temporalDevServer', 'temporal']);
    status.report('temporalDevServer', true);
    await probeDependencies(probes, status);
    expect(probed).toBe(1);
    expect(status.down()).toEqual([]);
  });
});
