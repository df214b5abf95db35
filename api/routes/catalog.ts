import { Router } from 'express';
import { permit, principalOf } from '../auth.js';
import type { CatalogService } from '../../app/catalog.js';
import type { TaskReviewService } from '../../app/task-review.js';

export function catalogRoutes(catalogs: CatalogService, review: TaskReviewService): Router {
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
  // Reassignments offered as corrections of the measure-to-department links; an admin accepts one into a new version.
  router.get('/suggestions', permit('catalog:suggestions'), async (_req, res) => {
    res.json(await review.suggestions());
  });
  router.post('/suggestions/:id/acceptance', permit('catalog:import'), async (req, res) => {
    const result = await review.acceptSuggestion(principalOf(res), String(req.params.id));
    res.status(result.created ? 201 : 200).json(result);
  });
  router.post('/suggestions/:id/dismissal', permit('catalog:import'), async (req, res) => {
    res.json(await review.dismissSuggestion(principalOf(res), String(req.params.id)));
  });
  return router;
}
