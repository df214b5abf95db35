import { Router } from 'express';
import { permit, principalOf } from '../auth.js';
import type { RatesService } from '../../app/rates.js';

export function rateRoutes(rates: RatesService): Router {
  const router = Router();
  router.get('/', permit('rates:read'), async (req, res) => {
    res.json(await rates.report(principalOf(res), req.query));
  });
  return router;
}
