import { Router } from 'express';
import { may } from '../../domain/access.js';
import { contextOf } from '../context.js';
import type { DashboardDeps } from '../deps.js';
import { sendErrorPage } from '../page.js';
import { setFlash } from '../flash.js';
import type { Chains } from './chains.js';

/** Why the freezes of a listing's case are released: the debtor performed, or the listing was deleted. */
export type FreezeReleaseReason = 'performance' | 'deletion';

/** A performance or a deletion recorded (the listing lifting or lifted for it) releases the case's freezes; a revocation or an expiry does not. */
export function releaseReasonOf(listing: { status: string; liftReason: string | null }): FreezeReleaseReason | null {
  if (listing.status !== 'lifting' && listing.status !== 'lifted') return null;
  return listing.liftReason === 'performance' || listing.liftReason === 'deletion' ? listing.liftReason : null;
}

/**
 * What a clerk does with the freezes of a listing's case from its page: once
 * the debtor performed (or the listing is deleted), a release order for every
 * freeze in force. Through the same use case as the API, as the signed-in
 * key; the use case refuses another court's listing.
 */
export function freezeActionRoutes({ useCases }: DashboardDeps, { form }: Chains): Router {
  const router = Router();

  router.post('/listings/:id/freeze-releases', ...form, async (req, res) => {
    const { principal, strings } = contextOf(res);
    if (!may(principal!, 'control-orders:create')) return sendErrorPage(req, res, 403, strings.errors.forbidden);
    const id = String(req.params.id);
    // The reason is what the listing records, not what the form says.
    const listing = await useCases.listings.get(principal!, id, 'page');
    const reason = releaseReasonOf(listing);
    if (!reason) return sendErrorPage(req, res, 409, strings.freezes.notReleasable);
    const ordered = await useCases.controlOrders.releaseFreezesOfListing(principal!, id, { reason });
    setFlash(req, res, ordered.length > 0 ? 'freezesReleased' : 'noFreezeReleased', listing.caseNumber, ordered.length);
    res.redirect(303, `/listings/${encodeURIComponent(id)}`);
  });

  return router;
}
