import { Router, type Request, type Response } from 'express';
import { contextOf } from '../context.js';
import type { DashboardDeps } from '../deps.js';
import { setFlash } from '../flash.js';
import { sendErrorPage } from '../page.js';
import { localPath } from '../session.js';
import type { Chains } from './chains.js';

const optional = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/**
 * The Acknowledge and Complete buttons. They go through the same useCases as
 * the API, as the signed-in key, with the key's name as who acted; the
 * useCases refuse another department's task.
 */
export function taskActionRoutes({ useCases }: DashboardDeps, { form }: Chains): Router {
  const router = Router();

  const act = (action: 'acknowledge' | 'complete') => async (req: Request, res: Response) => {
    const { principal, strings } = contextOf(res);
    if (principal!.role !== 'department') return sendErrorPage(req, res, 403, strings.errors.forbidden);
    const body = req.body as Record<string, unknown>;
    const taskId = String(req.params.id);
    const task =
      action === 'acknowledge'
        ? await useCases.tasks.acknowledge(principal!, taskId, { by: principal!.name, note: optional(body.note) })
        : await useCases.tasks.complete(principal!, taskId, { by: principal!.name, reference: optional(body.reference), note: optional(body.note) });
    setFlash(req, res, action === 'acknowledge' ? 'acknowledged' : 'completed', (await useCases.listings.caseNumberOf(task.listingId)) ?? '');
    res.redirect(303, localPath(body.back));
  };

  router.post('/tasks/:id/acknowledge', ...form, act('acknowledge'));
  router.post('/tasks/:id/complete', ...form, act('complete'));

  return router;
}
