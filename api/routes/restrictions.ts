import { Router } from 'express';
import type { RestrictionService } from '../../app/restrictions.js';
import { permit, principalOf } from '../auth.js';

/** Mounted at /api/restrictions: what departments' own systems ask. */
export function restrictionRoutes(restrictions: RestrictionService): Router {
  const router = Router();
  router.use(permit('restrictions:read'));
  router.get('/check', async (req, res) => {
    res.json(await restrictions.checkOne(principalOf(res), req.query));
  });
  router.post('/check', async (req, res) => {
    res.json(await restrictions.checkMany(principalOf(res), req.body));
  });
  router.get('/changes', async (req, res) => {
    res.json(await restrictions.changes(principalOf(res), req.query));
  });
  return router;
}
