import { Router } from 'express';
import { permit } from '../auth.js';
import type { LedgerService } from '../../app/ledger.js';

/** Mounted at /api/ledger: the ledger as JSON, or as a CSV or XLSX download. */
export function ledgerRoutes(ledger: LedgerService): Router {
  const router = Router();
  router.use(permit('ledger:read'));
  router.get('/', async (req, res) => {
    const { file } = await ledger.export(req.query);
    if (file.attachment) res.attachment(file.fileName);
    res.type(file.contentType).send(file.body);
  });
  return router;
}
