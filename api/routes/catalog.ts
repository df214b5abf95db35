import { Router } from 'express';
import { requireRole } from '../auth.js';
import type { CatalogService } from '../../app/catalog.js';

export function catalogRoutes(catalogs: CatalogService): Router {
  const router = Router();
  router.get('/', requireRole('clerk', 'department', 'supervisor'), async (_req, res) => {
    res.json(await catalogs.view());
  });
  router.get('/versions', requireRole('clerk', 'department', 'supervisor', 'admin'), async (_req, res) => {
    res.json(await catalogs.versions());
  });
  // Operators (the admin key) replace the catalog; nobody else changes it.
  router.post('/', requireRole('admin'), async (req, res) => {
    const result = await catalogs.import(req.body);
    res.status(result.created ? 201 : 200).json(result);
  });
  return router;
}
