import { Router } from 'express';
import { permit, principalOf } from '../auth.js';
import type { ControlOrderService } from '../../app/control-orders.js';
import type { AssetSupervision } from '../../app/asset-supervision.js';

/** Freeze, renew, deduct, release: the clerk orders, the institution confirms under its signature. */
export function controlOrderRoutes(orders: ControlOrderService): Router {
  const router = Router();
  router.post('/', permit('control-orders:create'), async (req, res) => {
    res.status(201).json(await orders.order(principalOf(res), req.body));
  });
  router.get('/', permit('control-orders:read'), async (req, res) => {
    res.json(await orders.list(principalOf(res), req.query));
  });
  router.post('/:id/confirm', permit('control-orders:confirm'), async (req, res) => {
    const { changed, order } = await orders.confirm(principalOf(res), String(req.params.id), req.body);
    res.status(changed ? 201 : 200).json(order);
  });
  return router;
}

/**
 * Mounted at /api/supervision beside the tasks' views: freezes in force by
 * their end (most urgent first), overdue answers and confirmations, and the
 * monthly figures of asset searches and control.
 */
export function assetSupervisionRoutes(orders: ControlOrderService, supervision: AssetSupervision): Router {
  const router = Router();
  router.get('/freezes', permit('asset-supervision:read'), async (req, res) => {
    res.json(await orders.freezes(principalOf(res), req.query));
  });
  router.get('/asset-overdue', permit('asset-supervision:read'), async (_req, res) => {
    res.json(await supervision.overdue(principalOf(res)));
  });
  router.get('/asset-stats', permit('asset-supervision:read'), async (req, res) => {
    res.json(await supervision.stats(principalOf(res), req.query));
  });
  return router;
}

/** Mounted at /api/listings/:id/freeze-releases: a performance releases every freeze of the case. */
export function freezeReleaseRoutes(orders: ControlOrderService): Router {
  const router = Router({ mergeParams: true });
  router.post('/', permit('control-orders:create'), async (req, res) => {
    res.status(201).json(await orders.releaseFreezesOfListing(principalOf(res), String((req.params as { id: string }).id), req.body));
  });
  return router;
}
