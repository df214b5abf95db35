import { Router } from 'express';
import { principalOf, permit } from '../auth.js';
import type { ObjectionService } from '../../app/objections.js';

/** Objections (arts. 11–12) once recorded: the decision, the reconsideration. */
export function objectionRoutes(objections: ObjectionService): Router {
  const router = Router();
  router.get('/:id', permit('objections:read'), async (req, res) => {
    res.json(await objections.get(principalOf(res), String(req.params.id)));
  });
  router.post('/:id/decision', permit('objections:record'), async (req, res) => {
    res.json(await objections.decide(principalOf(res), String(req.params.id), req.body));
  });
  router.post('/:id/reconsideration', permit('objections:record'), async (req, res) => {
    res.json(await objections.reconsider(principalOf(res), String(req.params.id), req.body));
  });
  return router;
}
