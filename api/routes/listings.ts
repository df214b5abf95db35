import { Router } from 'express';
import { principalOf, permit } from '../auth.js';
import type { CorrectionService } from '../../app/corrections.js';
import type { ListingService } from '../../app/listings.js';
import type { ObjectionService } from '../../app/objections.js';

export function listingRoutes(listings: ListingService, corrections: CorrectionService, objections: ObjectionService): Router {
  const router = Router();
  const readers = permit('listings:read');
  router.post('/', permit('listings:create'), async (req, res) => {
    const { created, listing } = await listings.create(principalOf(res), req.body);
    res.status(created ? 201 : 200).location(`/api/listings/${listing.id}`).json(listing);
  });
  router.get('/', readers, async (req, res) => {
    res.json(await listings.list(principalOf(res), req.query));
  });
  router.get('/:id', readers, async (req, res) => {
    res.json(await listings.get(principalOf(res), String(req.params.id)));
  });
  router.get('/:id/events', readers, async (req, res) => {
    const { chain, events } = await listings.events(principalOf(res), String(req.params.id));
    res.set('X-Audit-Chain', chain.intact ? `intact; length=${chain.length}; head=${chain.head}` : `broken-at=${chain.brokenAt}`).json(events);
  });
  router.get('/:id/events/verification', readers, async (req, res) => {
    res.json((await listings.events(principalOf(res), String(req.params.id))).chain);
  });
  router.post('/:id/performance', permit('listings:lift'), async (req, res) => {
    res.status(202).json(await listings.requestLift(principalOf(res), String(req.params.id), 'performance', req.body));
  });
  router.post('/:id/revocation', permit('listings:lift'), async (req, res) => {
    res.status(202).json(await listings.requestLift(principalOf(res), String(req.params.id), 'revocation', req.body));
  });
  router.post('/:id/deletion', permit('listings:lift'), async (req, res) => {
    res.status(202).json(await listings.requestLift(principalOf(res), String(req.params.id), 'deletion', req.body));
  });
  router.post('/:id/extension', permit('listings:extend'), async (req, res) => {
    res.json(await listings.extend(principalOf(res), String(req.params.id), req.body));
  });
  router.post('/:id/correction', permit('listings:correct'), async (req, res) => {
    res.json(await corrections.correct(principalOf(res), String(req.params.id), req.body));
  });
  router.post('/:id/objections', permit('objections:record'), async (req, res) => {
    const objection = await objections.create(principalOf(res), String(req.params.id), req.body);
    res.status(201).location(`/api/objections/${objection.id}`).json(objection);
  });
  router.get('/:id/objections', permit('objections:read'), async (req, res) => {
    res.json(await objections.ofListing(principalOf(res), String(req.params.id)));
  });
  return router;
}
