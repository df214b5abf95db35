import express, { Router } from 'express';
import { principalOf, permit } from '../auth.js';
import { XLSX_MEDIA_TYPE } from '../../imports/read-sheet.js';
import { csvTemplate, xlsxTemplate } from '../../imports/template.js';
import type { ListingImportService } from '../../app/listing-imports.js';

/** 10,000 rows of a listings spreadsheet stay well under this. */
export const IMPORT_BODY_LIMIT = '10mb';

/** Mounted at /api/listings/import. */
export function listingImportRoutes(imports: ListingImportService): Router {
  const router = Router();
  const readers = permit('imports:read');
  router.post('/', permit('imports:create'), express.raw({ type: () => true, limit: IMPORT_BODY_LIMIT }), async (req, res) => {
    const file = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const result = await imports.start(principalOf(res), {
      file,
      fileName: typeof req.query.fileName === 'string' ? req.query.fileName.slice(0, 255) : undefined,
      dryRun: req.query.dryRun === 'true',
    });
    if ('id' in result.import) res.location(`/api/listings/import/${result.import.id}`);
    res.status(result.queued ? 202 : 200).json(result.import);
  });
  router.get('/template.csv', (_req, res) => {
    res.type('text/csv; charset=utf-8').attachment('listings-template.csv').send(csvTemplate());
  });
  router.get('/template.xlsx', async (_req, res) => {
    res.type(XLSX_MEDIA_TYPE).attachment('listings-template.xlsx').send(await xlsxTemplate());
  });
  router.get('/:id', readers, async (req, res) => {
    res.json(await imports.get(principalOf(res), String(req.params.id)));
  });
  router.get('/:id/results', readers, async (req, res) => {
    res.json(await imports.results(principalOf(res), String(req.params.id)));
  });
  return router;
}
