import { Router, type Request, type Response } from 'express';
import { may, type Principal } from '../../domain/access.js';
import { contextOf } from '../context.js';
import type { DashboardDeps } from '../deps.js';
import { setFlash, type FlashKind } from '../flash.js';
import { sendErrorPage } from '../page.js';
import { localPath } from '../session.js';
import type { Chains } from './chains.js';

const optional = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/**
 * What supervisors decide from their page: reassign or return a declined
 * task, grant or refuse more time, verify a completion or send it back; and
 * the ledger as a download. Each goes through the same useCases as the API.
 */
export function reviewActionRoutes({ useCases }: DashboardDeps, { form, signedIn }: Chains): Router {
  const router = Router();
  const { taskReview } = useCases;

  type Decision = (principal: Principal, id: string, body: Record<string, unknown>) => Promise<{ flash: FlashKind; listingId: string }>;
  const asSupervisor = (decide: Decision) => async (req: Request, res: Response) => {
    const { principal, strings } = contextOf(res);
    if (!may(principal!, 'tasks:review')) return sendErrorPage(req, res, 403, strings.errors.forbidden);
    const body = req.body as Record<string, unknown>;
    const { flash, listingId } = await decide(principal!, String(req.params.id), body);
    setFlash(req, res, flash, (await useCases.listings.caseNumberOf(listingId)) ?? '');
    res.redirect(303, localPath(body.back));
  };

  router.post(
    '/tasks/:id/reassign',
    ...form,
    asSupervisor(async (principal, id, body) => {
      const { task } = await taskReview.reassign(principal, id, { departmentCode: optional(body.departmentCode), reason: optional(body.reason) });
      return { flash: 'reassigned', listingId: task.listingId };
    }),
  );
  router.post(
    '/tasks/:id/return',
    ...form,
    asSupervisor(async (principal, id, body) => ({ flash: 'returned', listingId: (await taskReview.returnTask(principal, id, { reason: optional(body.reason) })).listingId })),
  );
  router.post(
    '/tasks/:id/verify',
    ...form,
    asSupervisor(async (principal, id) => ({ flash: 'verified', listingId: (await taskReview.verify(principal, id, {})).listingId })),
  );
  router.post(
    '/tasks/:id/send-back',
    ...form,
    asSupervisor(async (principal, id, body) => ({ flash: 'sentBack', listingId: (await taskReview.sendBack(principal, id, { reason: optional(body.reason) })).listingId })),
  );
  router.post(
    '/task-extensions/:id/decision',
    ...form,
    asSupervisor(async (principal, id, body) => {
      const outcome = optional(body.outcome);
      const extension = await taskReview.decideExtension(principal, id, { outcome, reason: optional(body.reason) });
      return { flash: outcome === 'granted' ? 'extensionGranted' : 'extensionRefused', listingId: extension.listingId };
    }),
  );

  // A GET form, so the browser downloads the file; nothing changes.
  router.get('/ledger', ...signedIn, async (req, res) => {
    const { principal, strings } = contextOf(res);
    if (!may(principal!, 'ledger:read')) return sendErrorPage(req, res, 403, strings.errors.forbidden);
    const query = Object.fromEntries(Object.entries(req.query).filter(([name, value]) => ['from', 'to', 'format'].includes(name) && optional(value) !== undefined));
    const { file } = await useCases.ledger.export({ format: 'xlsx', ...query });
    if (file.attachment) res.attachment(file.fileName);
    res.type(file.contentType).send(file.body);
  });

  return router;
}
