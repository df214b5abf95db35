import { Router, type Request, type Response } from 'express';
import { contextOf } from '../context.js';
import type { DashboardDeps } from '../deps.js';
import { setFlash, type FlashKind } from '../flash.js';
import { sendErrorPage } from '../page.js';
import { localPath } from '../session.js';
import type { Chains } from './chains.js';

const optional = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/** A form field sent once or repeated, as a list. */
const listOf = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : []);

/**
 * The completion form's rows, one per measure: those given a result become
 * the feedback; none given, the completion carries none (the policy decides
 * whether that will do).
 */
function feedbackOf(body: Record<string, unknown>) {
  const references = listOf(body.measureReference);
  const results = listOf(body.result);
  const entries = listOf(body.measure)
    .map((measure, index) => ({ measure, result: optional(results[index]), reference: optional(references[index]) }))
    .filter((entry) => entry.result !== undefined);
  return entries.length > 0 ? entries : undefined;
}

/**
 * What a department does with its task from the pages: acknowledge,
 * complete (with feedback per measure), decline as not its own, ask for more
 * time. They go through the same useCases as the API, as the signed-in key,
 * with the key's name as who acted; the useCases refuse another department's
 * task, and their refusals are shown as error pages.
 */
export function taskActionRoutes({ useCases }: DashboardDeps, { form, feedbackForm }: Chains): Router {
  const router = Router();

  type Action = (principal: NonNullable<ReturnType<typeof contextOf>['principal']>, taskId: string, body: Record<string, unknown>) => Promise<{ listingId: string }>;
  const asDepartment = (flash: FlashKind, action: Action) => async (req: Request, res: Response) => {
    const { principal, strings } = contextOf(res);
    if (principal!.role !== 'department') return sendErrorPage(req, res, 403, strings.errors.forbidden);
    const body = req.body as Record<string, unknown>;
    const { listingId } = await action(principal!, String(req.params.id), body);
    setFlash(req, res, flash, (await useCases.listings.caseNumberOf(listingId)) ?? '');
    res.redirect(303, localPath(body.back));
  };

  router.post(
    '/tasks/:id/acknowledge',
    ...form,
    asDepartment('acknowledged', (principal, taskId, body) => useCases.tasks.acknowledge(principal, taskId, { by: principal.name, note: optional(body.note) })),
  );
  router.post(
    '/tasks/:id/complete',
    ...feedbackForm,
    asDepartment('completed', (principal, taskId, body) =>
      useCases.tasks.complete(principal, taskId, { by: principal.name, reference: optional(body.reference), note: optional(body.note), feedback: feedbackOf(body) }),
    ),
  );
  router.post(
    '/tasks/:id/decline',
    ...form,
    asDepartment('declined', (principal, taskId, body) =>
      useCases.tasks.decline(principal, taskId, { by: principal.name, reason: optional(body.reason), suggestedDepartmentCode: optional(body.suggestedDepartmentCode) }),
    ),
  );
  router.post(
    '/tasks/:id/extension-request',
    ...form,
    asDepartment('extensionRequested', (principal, taskId, body) =>
      useCases.tasks.requestExtension(principal, taskId, { by: principal.name, until: optional(body.until), reason: optional(body.reason) }),
    ),
  );

  return router;
}
