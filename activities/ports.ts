/**
 * What the activities are given to reach the use cases, without importing
 * them: the composition root passes implementations in.
 */
import type { Principal } from '../domain/access.js';

/** A row of an import as queued at upload: its spreadsheet row number and its listing request. */
export interface QueuedRow {
  row: number;
  body: Record<string, unknown>;
}

export type RowOutcome = { outcome: 'created' | 'existing'; listingId: string } | { outcome: 'failed'; message: string };

/** How a row becomes a listing: the same intake as POST /api/listings, in the uploader's name. */
export interface ListingIntake {
  record(principal: Principal, body: Record<string, unknown>): Promise<RowOutcome>;
}

/** Starts the workflows of what was recorded but never started: listings and imports. */
export interface WorkflowRelay {
  startMissingWorkflows(): Promise<{ listings: number; imports: number }>;
}
