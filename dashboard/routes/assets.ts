import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';

export const ASSETS_PATH = '/dashboard-assets';

/** The stylesheet, served from here: the dashboard loads nothing from other hosts. */
export function assetRoutes(): Router {
  const router = Router();
  router.use(ASSETS_PATH, express.static(fileURLToPath(new URL('../assets', import.meta.url)), { index: false, maxAge: '1h' }));
  return router;
}
