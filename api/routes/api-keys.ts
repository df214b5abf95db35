import { Router } from 'express';
import { requireRole } from '../auth.js';
import { parseRequest } from '../../app/validate.js';
import { createApiKeySchema } from '../../app/schemas.js';
import type { ApiKeyService } from '../../app/api-keys.js';

export function apiKeyRoutes(keys: ApiKeyService): Router {
  const router = Router();
  router.post('/', requireRole('admin'), async (req, res) => {
    res.status(201).json(await keys.create(parseRequest(createApiKeySchema, req.body, 'key request')));
  });
  return router;
}
