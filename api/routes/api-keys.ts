import { Router } from 'express';
import { requireRole } from '../auth.js';
import { badRequest, fieldErrorsOf } from '../problem.js';
import { createApiKeySchema } from '../schemas.js';
import type { ApiKeyService } from '../services/api-keys.js';

export function apiKeyRoutes(keys: ApiKeyService): Router {
  const router = Router();
  router.post('/', requireRole('admin'), async (req, res) => {
    const parsed = createApiKeySchema.safeParse(req.body);
    if (!parsed.success) throw badRequest('The key request does not match the schema.', fieldErrorsOf(parsed.error));
    res.status(201).json(await keys.create(parsed.data));
  });
  return router;
}
