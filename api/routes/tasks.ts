import { Router } from 'express';
import { principalOf, permit } from '../auth.js';
import type { TaskService } from '../../app/tasks.js';

export function taskRoutes(tasks: TaskService): Router {
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
  return router;
}
