import { Router } from 'express';
import { principalOf, permit } from '../auth.js';
import type { TaskService } from '../../app/tasks.js';
import type { TaskReviewService } from '../../app/task-review.js';

export function taskRoutes(tasks: TaskService, review: TaskReviewService): Router {
  const router = Router();
  router.get('/', permit('tasks:read'), async (req, res) => {
    res.json(await tasks.list(principalOf(res), req.query));
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
