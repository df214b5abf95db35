import { Router } from 'express';
import { permit, principalOf } from '../auth.js';
import type { AssetSearchService } from '../../app/asset-searches.js';

/** An institution's side of asset searches: its requests, and its signed answers. */
export function assetRequestRoutes(searches: AssetSearchService): Router {
  const router = Router();
  router.get('/', permit('asset-requests:answer'), async (req, res) => {
    res.json(await searches.requestsFor(principalOf(res), req.query));
  });
  router.post('/:id/answer', permit('asset-requests:answer'), async (req, res) => {
    const { changed, request } = await searches.answer(principalOf(res), String(req.params.id), req.body);
    res.status(changed ? 201 : 200).json(request);
  });
  return router;
}
