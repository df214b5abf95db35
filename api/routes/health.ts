import { Router } from 'express';
import type { Connection } from '@temporalio/client';
import type { PrismaClient } from '../../prisma/generated/client.js';
import { sendProblem } from '../problem.js';

/** GET /healthz: 200 only when both the database and Temporal answer. */
export function healthRoutes(prisma: PrismaClient, temporal: Connection): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    const checks = await Promise.allSettled([
      prisma.$queryRaw`SELECT 1`,
      // A health check answers within seconds, even when Temporal does not.
      temporal.withDeadline(Date.now() + 3_000, () => temporal.workflowService.getSystemInfo({})),
    ]);
    const [database, workflowEngine] = checks.map((check) => (check.status === 'fulfilled' ? 'ok' : 'unreachable'));
    if (database === 'ok' && workflowEngine === 'ok') {
      res.json({ status: 'ok', database, temporal: workflowEngine });
    } else {
      sendProblem(res, 503, 'Service unavailable', 'A dependency is unreachable.', { database, temporal: workflowEngine });
    }
  });
  return router;
}
