import { Router } from 'express';
import { principalOf, permit } from '../auth.js';
import type { TaskService } from '../../app/tasks.js';
import type { TaskReviewService } from '../../app/task-review.js';
import { TASK_PAGE } from '../../app/schemas.js';

export function taskRoutes(tasks: TaskService, review: TaskReviewService): Router {
  const router = Router();
  router.get('/', permit('tasks:read'), async (req, res) => {
    // Asked for a page (`limit` or `cursor`): { items, nextCursor }, like GET /api/listings.
    if ('limit' in req.query || 'cursor' in req.query) return res.json(await tasks.list(principalOf(res), req.query));
    // The plain list keeps its documented form, an array: the largest page, and a Link to the next.
    const page = await tasks.list(principalOf(res), { ...req.query, limit: String(TASK_PAGE.max) });
    if (page.nextCursor) {
      res.set('X-Next-Cursor', page.nextCursor);
      res.set('Link', `</api/tasks?${new URLSearchParams({ ...(req.query as Record<string, string>), cursor: page.nextCursor })}>; rel="next"`);
    }
    res.json(page.items);
  });
  router.post('/:id/acknowledge', permit('tasks:act'), async (req, res) => {
    res.json(await tasks.acknowledge(principalOf(res), String(req.params.id), req.body, req.get('idempotency-key')));
  });
  router.post('/:id/complete', permit('tasks:act'), async (req, res) => {
    res.json(await tasks.complete(principalOf(res), String(req.params.id), req.body, req.get('idempotency-key')));
  });
  router.post('/:id/decline', permit('tasks:act'), async (req, res) => {
    res.json(await tasks.decline(principalOf(res), String(req.params.id), req.body));
  });
  router.post('/:id/extension-requests', permit('tasks:act'), async (req, res) => {
    res.status(201).json(await tasks.requestExtension(principalOf(res), String(req.params.id), req.body));
  });
  // `reassign` and `verify` are the documented paths; `reassignment` and `verification` name the same actions.
  for (const path of ['/:id/reassign', '/:id/reassignment']) {
    router.post(path, permit('tasks:review'), async (req, res) => {
      res.json(await review.reassign(principalOf(res), String(req.params.id), req.body));
    });
  }
  router.post('/:id/return', permit('tasks:review'), async (req, res) => {
    res.json(await review.returnTask(principalOf(res), String(req.params.id), req.body));
  });
  for (const path of ['/:id/verify', '/:id/verification']) {
    router.post(path, permit('tasks:review'), async (req, res) => {
      res.json(await review.verify(principalOf(res), String(req.params.id), req.body));
    });
  }
  router.post('/:id/send-back', permit('tasks:review'), async (req, res) => {
    res.json(await review.sendBack(principalOf(res), String(req.params.id), req.body));
  });
  return router;
}
