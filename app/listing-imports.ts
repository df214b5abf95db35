import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { columnOfField } from '../imports/columns.js';
import { DEFAULT_SHEET_LIMITS, UnreadableSheet, readSheet, sniffFormat, type SheetFormat } from '../imports/read-sheet.js';
import { sheetToRequests, type ImportError } from '../imports/sheet-to-requests.js';
import type { ListingImport, PrismaClient } from '../prisma/generated/client.js';
import type { Principal } from '../domain/access.js';
import { AppError, forbidden, invalid, notFound } from './errors.js';
import { maySeeImport } from '../domain/access.js';
import { listingIdParam } from './schemas.js';
import type { ListingService } from './listings.js';
import type { WorkflowGateway } from './workflow-gateway.js';
import type { ListingIntake, QueuedRow } from '../activities/ports.js';

/** A court's yearly list fits many times over; a larger file is split. */
export const MAX_IMPORT_ROWS = 10_000;
/** An error report that long has said what is wrong with the file. */
const MAX_REPORTED_ERRORS = 1_000;

export interface ImportUpload {
  file: Buffer;
  fileName?: string | undefined;
  /** Check the file and report, recording nothing. */
  dryRun?: boolean;
}

export interface ListingImportDeps {
  prisma: PrismaClient;
  listings: ListingService;
  workflows: WorkflowGateway;
  log?: Logger | undefined;
  now?: () => Date;
}

/**
 * Bulk listing from a court's spreadsheet. The whole file is checked first
 * and nothing is recorded unless every row passes; then the rows are recorded
 * by a workflow through the same path as POST /api/listings, so a row
 * listed before (by hand or by an earlier import) is found, not listed twice.
 */
export function createListingImportService({ prisma, listings, workflows, log, now = () => new Date() }: ListingImportDeps) {
  /** Every row through the same checks as a single listing, each problem mapped back to its cell. */
  async function check(principal: Principal, upload: ImportUpload): Promise<{ rows: QueuedRow[]; errors: ImportError[]; format: SheetFormat }> {
    const format = formatOf(upload);
    let sheet;
    try {
      // The row limit is enforced while reading: a larger file is not read to its end.
      sheet = await readSheet(upload.file, format, { ...DEFAULT_SHEET_LIMITS, maxRows: MAX_IMPORT_ROWS });
    } catch (error) {
      if (error instanceof UnreadableSheet) throw invalid(error.message, [{ field: 'file', message: error.message, rule: error.rule }]);
      throw error;
    }
    const { requests, errors } = sheetToRequests(sheet);
    const rows: QueuedRow[] = [];
    const firstRowOf = new Map<string, number>();
    const listedAt = now();
    for (const { row, body } of requests) {
      try {
        const { request, courtCode } = listings.check(principal, body, listedAt);
        const identity = `${courtCode}\u0000${request.caseNumber}\u0000${request.debtor.idNumber}`;
        const first = firstRowOf.get(identity);
        if (first !== undefined) {
          errors.push({ row, column: columnOfField('caseNumber')!.header, field: 'caseNumber', rule: 'duplicate-row', message: `row ${first} lists the same case and debtor` });
          continue;
        }
        firstRowOf.set(identity, row);
        rows.push({ row, body: { ...body, courtCode } });
      } catch (error) {
        if (!(error instanceof AppError) || (error.kind !== 'invalid' && error.kind !== 'forbidden')) throw error;
        // A row for another court than the key's is refused like any bad cell.
        const fieldErrors =
          error.kind === 'forbidden'
            ? [{ field: 'courtCode', message: error.detail, rule: 'court-of-key' }]
            : (error.facts.fields ?? [{ field: '(row)', message: error.detail }]);
        for (const fieldError of fieldErrors) {
          errors.push({
            row,
            column: columnOfField(fieldError.field)?.header ?? fieldError.field,
            field: fieldError.field,
            rule: fieldError.rule ?? 'invalid',
            message: fieldError.message,
          });
        }
      }
    }
    errors.sort((a, b) => a.row - b.row);
    return { rows, errors, format };
  }

  /** The content decides, not the media type: a browser may label an XLSX file text/csv or octet-stream. */
  function formatOf(upload: ImportUpload): SheetFormat {
    try {
      return sniffFormat(upload.file);
    } catch (error) {
      throw invalid((error as Error).message, [{ field: 'file', message: (error as Error).message, rule: 'format' }]);
    }
  }

  async function visibleImport(principal: Principal, id: string): Promise<ImportProgress> {
    if (!listingIdParam.safeParse(id).success) throw notFound(`No import ${id}.`);
    // The queued rows are large; progress does not need them.
    const job = await prisma.listingImport.findUnique({ where: { id }, omit: { rows: true } });
    if (!job) throw notFound(`No import ${id}.`);
    const owner = job.principal as unknown as Principal;
    if (!maySeeImport(principal, { keyId: job.createdByKeyId, courtCode: owner.courtCode })) throw forbidden('This import belongs to another court.');
    return job;
  }

  return {
    /**
     * POST /api/listings/import: a file with any bad row is refused whole,
     * every error listed. A good file is queued and recorded in the background.
     */
    async start(principal: Principal, upload: ImportUpload) {
      const { rows, errors, format } = await check(principal, upload);
      if (errors.length > 0) {
        const badRows = new Set(errors.map((error) => error.row)).size;
        throw invalid(`The file has ${errors.length} error${errors.length === 1 ? '' : 's'} in ${badRows} row${badRows === 1 ? '' : 's'}; nothing was imported.`, errors.slice(0, MAX_REPORTED_ERRORS), {
          errorCount: errors.length,
          truncated: errors.length > MAX_REPORTED_ERRORS,
        });
      }
      if (rows.length === 0) throw invalid('The file has a header row but no listings.', [{ field: 'file', message: 'no data rows', rule: 'not-empty' }]);
      if (upload.dryRun) return { queued: false, import: { status: 'checked', format, total: rows.length } };

      const fileSha256 = createHash('sha256').update(upload.file).digest('hex');
      // A client that repeats its upload (a timeout, a double click) gets the import already under way.
      const underWay = await prisma.listingImport.findFirst({
        where: { createdByKeyId: principal.keyId, fileSha256, status: { in: ['queued', 'running'] } },
        omit: { rows: true },
      });
      if (underWay) return { queued: false, import: importView(underWay) };

      const job = await prisma.listingImport.create({
        data: {
          id: randomUUID(),
          fileSha256,
          fileName: upload.fileName ?? null,
          format,
          createdByKeyId: principal.keyId,
          principal: { ...principal },
          rows: rows as object[],
          total: rows.length,
        },
      });
      log?.info({ importId: job.id, rows: rows.length, format }, 'listing import queued');
      // Recorded first: if Temporal is away now, the relay starts the import later.
      await workflows.startImport(job.id).catch((error: unknown) => log?.warn({ err: error, importId: job.id }, 'listing import queued; its workflow starts later'));
      return { queued: true, import: importView(job) };
    },

    /** Starts the workflow of every unfinished import that has none (it was queued while Temporal was away). */
    async startUnstartedImports(olderThanMs = 30_000): Promise<number> {
      const stalled = await prisma.listingImport.findMany({
        where: { status: { in: ['queued', 'running'] }, updatedAt: { lt: new Date(now().getTime() - olderThanMs) } },
        select: { id: true },
        take: 100,
      });
      for (const { id } of stalled) await workflows.startImport(id);
      return stalled.length;
    },

    /** GET /api/listings/import/:id — progress and counts. */
    async get(principal: Principal, id: string) {
      return importView(await visibleImport(principal, id));
    },

    /** GET /api/listings/import/:id/results — each recorded row and its listing. */
    async results(principal: Principal, id: string) {
      const job = await visibleImport(principal, id);
      const rows = await prisma.listingImportResult.findMany({ where: { importId: id }, orderBy: { row: 'asc' }, omit: { importId: true } });
      return { id: job.id, status: job.status, rows: rows.map(({ listingId, message, ...rest }) => ({ ...rest, ...(listingId ? { listingId } : {}), ...(message ? { message } : {}) })) };
    },
  };
}

/** How the import workflow records a row: the listing use case, in the uploader's name, a refusal being the row's outcome. */
export function importedRowIntake(listings: Pick<ListingService, 'create'>): ListingIntake {
  return {
    async record(principal, body) {
      try {
        const { created, listing } = await listings.create(principal, body);
        return { outcome: created ? 'created' : 'existing', listingId: listing.id };
      } catch (error) {
        // An outage is not the row's fault: the batch is retried.
        if (error instanceof AppError && error.kind !== 'unavailable') return { outcome: 'failed', message: error.detail };
        throw error;
      }
    },
  };
}

/** An import without its queued rows. */
type ImportProgress = Omit<ListingImport, 'rows'>;

export function importView(job: ImportProgress) {
  return {
    id: job.id,
    status: job.status,
    // `stopped`: the importing key was revoked or expired; the rows after `processed` were not recorded.
    ...(job.stoppedReason ? { stoppedReason: job.stoppedReason } : {}),
    fileName: job.fileName,
    format: job.format,
    total: job.total,
    processed: job.processed,
    created: job.created,
    existing: job.existing,
    failed: job.failed,
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    completedAt: job.completedAt?.toISOString() ?? null,
    links: { self: `/api/listings/import/${job.id}`, results: `/api/listings/import/${job.id}/results` },
  };
}

export type ListingImportService = ReturnType<typeof createListingImportService>;
