import { Router } from 'express';
import { principalOf, requireRole } from '../auth.js';
import type { ListingService } from '../services/listings.js';

export function listingRoutes(listings: ListingService): Router {
  const router = Router();
  router.post('/', requireRole('clerk'), async (req, res) => {
    const { created, listing } = await listings.create(principalOf(res), req.body);
    res.status(created ? 201 : 200).location(`/api/listings/${listing.id}`).json(listing);
  });
  router.get('/:id', requireRole('clerk', 'department', 'supervisor'), async (req, res) => {
    res.json(await listings.get(principalOf(res), String(req.params.id)));
  });
  return router;
}
