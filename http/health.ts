import { Router } from 'express';
import type { Connection } from '@temporalio/client';
import type { DependencyStatus, DownPart } from '../platform/dependency-status.js';
import type { PrismaClient } from '../prisma/generated/client.js';
import { sendProblem } from './problem.js';

/** Set when the process starts shutting down: load balancers stop sending it requests. */
export interface Readiness {
  draining: boolean;
}

/** The holiday calendar's last day and the days left to it: /readyz reports them, a deadline counted past them is provisional. */
export type CalendarHorizon = () => Promise<{ horizon: string | null; daysLeft: number | null; warning: boolean }>;

/** The dependencies a process checks: each probe resolves when the part answers. */
export type DependencyProbes = Record<'database' | 'temporal', () => Promise<unknown>>;

export function dependencyProbes(prisma: PrismaClient, temporal: Connection): DependencyProbes {
  return {
    database: () => prisma.$queryRaw`SELECT 1`,
    // A health check answers within seconds, even when Temporal does not.
    temporal: () => temporal.withDeadline(Date.now() + 3_000, () => temporal.workflowService.getSystemInfo({})),
  };
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);

/**
 * Runs every probe once and records what it found. A part whose supervised
 * child is down is not probed: it is down, as the supervisor recorded, and a
 * probe would only wait (the client retries until its deadline) to say so.
 */
export async function probeDependencies(probes: DependencyProbes, status: DependencyStatus): Promise<void> {
  await Promise.all(
    Object.entries(probes).map(async ([part, probe]) => {
      if (status.hostDown(part)) return;
      const began = new Date();
      try {
        await probe();
        status.report(part, true, null, began);
      } catch (error) {
        status.report(part, false, `unreachable: ${firstLine(error)}`, began);
      }
    }),
  );
}

/**
 * Probes every `everyMs` in the background, so that "down since" is known to
 * within seconds and the dashboard can show it without waiting on a probe.
 */
export function watchDependencies(probes: DependencyProbes, status: DependencyStatus, everyMs = 2_000): { stop(): Promise<void> } {
  let running: Promise<void> = probeDependencies(probes, status);
  const timer = setInterval(() => {
    running = running.then(() => probeDependencies(probes, status));
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/** "temporal since 2026-12-02T10:00:05.000Z (12 s): unreachable: …", for a problem's detail. */
function describeDown(parts: DownPart[], now: Date): string {
  return parts
    .map(({ part, since, cause }) => `${part} down since ${since.toISOString()} (${Math.round((now.getTime() - since.getTime()) / 1000)} s)${cause ? `: ${cause}` : ''}`)
    .join('; ');
}

function partsView(status: DependencyStatus) {
  return Object.fromEntries(
    Object.entries(status.all()).map(([part, state]) => [part, { status: state.up ? 'up' : 'down', since: state.since.toISOString(), cause: state.cause, restarts: state.restarts }]),
  );
}

/**
 * GET /healthz: 200 only when both the database and Temporal answer.
 * GET /readyz: the same, and 503 once the process is shutting down, so it
 * leaves the load balancer before it stops accepting connections. Both name
 * what is down, since when and why; /readyz also lists every part it knows
 * (a supervised child's restarts among them).
 */
export function healthRoutes(probes: DependencyProbes, status: DependencyStatus, readiness: Readiness = { draining: false }, calendarHorizon?: CalendarHorizon): Router {
  const router = Router();
  router.get('/readyz', (req, res, next) => {
    if (!readiness.draining) return next();
    res.set('Retry-After', '5');
    sendProblem(res, 503, 'Service unavailable', 'This instance is shutting down.', { draining: true });
  });
  router.get(['/healthz', '/readyz'], async (req, res) => {
    await probeDependencies(probes, status);
    const state = (part: string) => (status.state(part)?.up ? 'ok' : 'unreachable');
    const [database, temporal] = [state('database'), state('temporal')];
    const parts = req.path === '/readyz' ? { parts: partsView(status) } : {};
    const down = status.down();
    if (down.length === 0) {
      const calendar = req.path === '/readyz' && calendarHorizon ? { calendar: await calendarHorizon() } : {};
      res.json({ status: 'ok', database, temporal, ...parts, ...calendar });
      return;
    }
    res.set('Retry-After', '5');
    const now = new Date();
    sendProblem(res, 503, 'Service unavailable', describeDown(down, now), {
      database,
      temporal,
      down: down.map(({ part, since, cause }) => ({ part, since: since.toISOString(), seconds: Math.round((now.getTime() - since.getTime()) / 1000), cause })),
      ...parts,
    });
  });
  return router;
}
