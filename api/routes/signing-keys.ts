import { Router } from 'express';
import { permit } from '../auth.js';
import type { InstitutionService } from '../../app/institutions.js';

/** The courts' public keys, for institutions to check the notices they receive. */
export function signingKeyRoutes(institutions: InstitutionService): Router {
  const router = Router();
  router.get('/', permit('signing-keys:read'), async (req, res) => {
    res.json(await institutions.signingKeys(req.query));
  });
  return router;
}
