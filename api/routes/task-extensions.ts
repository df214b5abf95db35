import { Router } from 'express';
import { permit, principalOf } from '../auth.js';
import type { TaskReviewService } from '../../app/task-review.js';

/** Requests for more time on a task, as supervisors answer them. */
export function taskExtensionRoutes(review: TaskReviewService): Router {
  const router = Router();
  router.get('/', permit('tasks:review'), async (req, res) => {
    res.json(await review.extensions(req.query));
  });
  router.post('/:id/decision', permit('tasks:review'), async (req, res) => {
    res.json(await review.decideExtension(principalOf(res), String(req.params.id), req.body));
  });
  return router;
}
