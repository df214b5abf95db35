import { Router } from 'express';
import type { Connection } from '@temporalio/client';
import type { PrismaClient } from '../prisma/generated/client.js';
import { sendProblem } from './problem.js';

/** Set when the process starts shutting down: load balancers stop sending it requests. */
export interface Readiness {
  draining: boolean;
}

/**
 * GET /healthz: 200 only when both the database and Temporal answer.
 * GET /readyz: the same, and 503 once the process is shutting down, so it
 * leaves the load balancer before it stops accepting connections.
 */
/** The holiday calendar's last day and the days left to it: /readyz reports them, a deadline counted past them is provisional. */
export type CalendarHorizon = () => Promise<{ horizon: string | null; daysLeft: number | null; warning: boolean }>;

export function healthRoutes(prisma: PrismaClient, temporal: Connection, readiness: Readiness = { draining: false }, calendarHorizon?: CalendarHorizon): Router {
  const router = Router();
  router.get('/readyz', (req, res, next) => {
    if (!readiness.draining) return next();
    res.set('Retry-After', '5');
    sendProblem(res, 503, 'Service unavailable', 'This instance is shutting down.', { draining: true });
  });
  router.get(['/healthz', '/readyz'], async (req, res) => {
    const checks = await Promise.allSettled([
      prisma.$queryRaw`SELECT 1`,
      // A health check answers within seconds, even when Temporal does not.
      temporal.withDeadline(Date.now() + 3_000, () => temporal.workflowService.getSystemInfo({})),
    ]);
    const [database, workflowEngine] = checks.map((check) => (check.status === 'fulfilled' ? 'ok' : 'unreachable'));
    if (database === 'ok' && workflowEngine === 'ok') {
      const calendar = req.path === '/readyz' && calendarHorizon ? { calendar: await calendarHorizon() } : {};
      res.json({ status: 'ok', database, temporal: workflowEngine, ...calendar });
    } else {
      sendProblem(res, 503, 'Service unavailable', 'A dependency is unreachable.', { database, temporal: workflowEngine });
    }
  });
  return router;
}
