import { Router } from 'express';
import { permit, principalOf } from '../auth.js';
import type { AssetSearchService } from '../../app/asset-searches.js';

export function assetSearchRoutes(searches: AssetSearchService): Router {
  const router = Router();
  router.post('/', permit('asset-searches:create'), async (req, res) => {
    res.status(201).json(await searches.create(principalOf(res), req.body));
  });
  router.get('/', permit('asset-searches:read'), async (req, res) => {
    res.json(await searches.list(principalOf(res), req.query));
  });
  router.get('/:id', permit('asset-searches:read'), async (req, res) => {
    res.json(await searches.get(principalOf(res), String(req.params.id)));
  });
  router.post('/:id/close', permit('asset-searches:create'), async (req, res) => {
    res.json(await searches.close(principalOf(res), String(req.params.id)));
  });
  return router;
}
