import { Router } from 'express';
import { permit } from '../auth.js';
import { parseInput } from '../../app/validate.js';
import { createApiKeySchema } from '../../app/schemas.js';
import type { ApiKeyService } from '../../app/api-keys.js';

export function apiKeyRoutes(keys: ApiKeyService): Router {
  const router = Router();
  router.post('/', permit('keys:create'), async (req, res) => {
    res.status(201).json(await keys.create(parseInput(createApiKeySchema, req.body, 'key request')));
  });
  router.get('/', permit('keys:read'), async (_req, res) => {
    res.json(await keys.list());
  });
  router.delete('/:id', permit('keys:revoke'), async (req, res) => {
    await keys.revoke(String(req.params.id));
    res.status(204).end();
  });
  return router;
}
