import { Router } from 'express';
import type { WebhookService } from '../../app/webhooks.js';
import type { InstitutionWebhookService } from '../../app/institution-webhooks.js';
import { permit, principalOf } from '../auth.js';
import { forbidden } from '../../app/errors.js';

/**
 * Mounted at /api/webhooks: a department's subscriptions to its change feed,
 * or an institution's to its asset requests.
 */
export function webhookRoutes(webhooks: WebhookService, institutionWebhooks: InstitutionWebhookService): Router {
  const router = Router();
  router.use(permit('webhooks:manage'));
  const serviceFor = (res: Parameters<typeof principalOf>[0]) => (principalOf(res).role === 'institution' ? institutionWebhooks : webhooks);
  router.post('/', async (req, res) => {
    const created = await serviceFor(res).create(principalOf(res), req.body);
    res.status(201).location(`/api/webhooks/${created.id}`).json(created);
  });
  router.get('/', async (_req, res) => {
    res.json(await serviceFor(res).list(principalOf(res)));
  });
  router.delete('/:id', async (req, res) => {
    await serviceFor(res).remove(principalOf(res), String(req.params.id));
    res.status(204).end();
  });
  router.get('/:id/deliveries', async (req, res) => {
    if (principalOf(res).role === 'institution') throw forbidden('Deliveries of asset requests are in GET /api/asset-requests.');
    res.json(await webhooks.deliveries(principalOf(res), String(req.params.id)));
  });
  return router;
}
