import { Router } from 'express';
import { permit } from '../auth.js';
import type { ObjectionService } from '../../app/objections.js';
import type { SupervisionService } from '../../app/supervision.js';
import type { TaskReviewService } from '../../app/task-review.js';
import { OVERDUE_PAGE } from '../../app/schemas.js';

export function supervisionRoutes(supervision: SupervisionService, objections: ObjectionService, review: TaskReviewService): Router {
  const router = Router();
  router.use(permit('supervision:read'));
  router.get('/overdue', async (req, res) => {
    // Asked for a page (`limit` or `cursor`): { items, nextCursor }, like GET /api/tasks.
    if ('limit' in req.query || 'cursor' in req.query) return res.json(await supervision.overdue(req.query));
    // The plain list keeps its documented form, an array: the largest page, and a Link to the next.
    const page = await supervision.overdue({ ...req.query, limit: String(OVERDUE_PAGE.max) });
    if (page.nextCursor) {
      res.set('X-Next-Cursor', page.nextCursor);
      res.set('Link', `</api/supervision/overdue?${new URLSearchParams({ ...(req.query as Record<string, string>), cursor: page.nextCursor })}>; rel="next"`);
    }
    res.json(page.items);
  });
  router.get('/overdue-objections', async (_req, res) => {
    res.json(await objections.overdue());
  });
  router.get('/declined', async (_req, res) => {
    res.json(await review.declined());
  });
  router.get('/awaiting-verification', async (_req, res) => {
    res.json(await review.awaitingVerification());
  });
  router.get('/undelivered-mail', async (_req, res) => {
    res.json(await supervision.undeliveredMail());
  });
  router.get('/disclosures', async (req, res) => {
    res.json(await supervision.disclosures(req.query));
  });
  // With `month` or `by=month`: the documented rows per department and kind; without, the totals per department.
  router.get('/stats', async (req, res) => {
    res.json(Object.keys(req.query).length > 0 ? await supervision.monthlyStats(req.query) : await supervision.stats());
  });
  return router;
}
