import { Router } from 'express';
import { permit, principalOf } from '../auth.js';
import type { InstitutionService } from '../../app/institutions.js';

export function institutionRoutes(institutions: InstitutionService): Router {
  const router = Router();
  router.get('/', permit('institutions:read'), async (_req, res) => {
    res.json(await institutions.list());
  });
  // A new version of the directory (3,595 institutions is about 1 MB): administrators only.
  router.post('/', permit('institutions:import'), async (req, res) => {
    const result = await institutions.importDirectory(req.body);
    res.status(result.created ? 201 : 200).json(result);
  });
  router.post('/:code/keys', permit('institutions:keys'), async (req, res) => {
    const { created, key } = await institutions.registerKey(principalOf(res), String(req.params.code), req.body);
    res.status(created ? 201 : 200).json(key);
  });
  return router;
}
