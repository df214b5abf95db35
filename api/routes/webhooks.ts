import { Router } from 'express';
import type { WebhookService } from '../../app/webhooks.js';
import { permit, principalOf } from '../auth.js';

/** Mounted at /api/webhooks: a department's subscriptions to its change feed. */
export function webhookRoutes(webhooks: WebhookService): Router {
  const router = Router();
  router.use(permit('webhooks:manage'));
  router.post('/', async (req, res) => {
    const created = await webhooks.create(principalOf(res), req.body);
    res.status(201).location(`/api/webhooks/${created.id}`).json(created);
  });
  router.get('/', async (_req, res) => {
    res.json(await webhooks.list(principalOf(res)));
  });
  router.delete('/:id', async (req, res) => {
    await webhooks.remove(principalOf(res), String(req.params.id));
    res.status(204).end();
  });
  router.get('/:id/deliveries', async (req, res) => {
    res.json(await webhooks.deliveries(principalOf(res), String(req.params.id)));
  });
  return router;
}
