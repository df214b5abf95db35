import { Router } from 'express';
import { permit } from '../auth.js';
import type { CatalogService } from '../../app/catalog.js';

export function catalogRoutes(catalogs: CatalogService): Router {
  const router = Router();
  router.get('/', permit('catalog:read'), async (_req, res) => {
    res.json(await catalogs.view());
  });
  router.get('/versions', permit('catalog:versions'), async (_req, res) => {
    res.json(await catalogs.versions());
  });
  // Operators (the admin key) replace the catalog; nobody else changes it.
  router.post('/', permit('catalog:import'), async (req, res) => {
    const result = await catalogs.import(req.body);
    res.status(result.created ? 201 : 200).json(result);
  });
  return router;
}
