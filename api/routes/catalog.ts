import { Router } from 'express';
import { requireRole } from '../auth.js';
import type { CatalogService } from '../services/catalog.js';

export function catalogRoutes(catalogs: CatalogService): Router {
  const router = Router();
  router.get('/', requireRole('clerk', 'department', 'supervisor'), async (_req, res) => {
    res.json(await catalogs.view());
  });
  return router;
}
