import type { Request, Response } from 'express';
import { contextOf } from '../context.js';
import type { DashboardDeps } from '../deps.js';
import { sendPage } from '../page.js';

const QUERY = ['q', 'status', 'cursor'] as const;

/** Listings the user may see, newest first: the clerk's home, and a page for everyone else. */
export function listingList({ useCases }: DashboardDeps) {
  return async (req: Request, res: Response) => {
    const { strings, principal } = contextOf(res);
    const query: Record<string, string> = {};
    for (const name of QUERY) {
      const value = req.query[name];
      if (typeof value === 'string' && value.trim() !== '') query[name] = value.trim();
    }
    const page = await useCases.listings.list(principal!, { ...query, limit: '50' }, 'page');
    const items = page.items;
    const nextHref = page.nextCursor
      ? `?${new URLSearchParams({ ...(query.q ? { q: query.q } : {}), ...(query.status ? { status: query.status } : {}), cursor: page.nextCursor })}`
      : null;
    sendPage(req, res, 'listing-list', {
      title: strings.listings.title,
      data: { items, q: query.q ?? '', status: query.status ?? '', nextHref, paged: Boolean(query.cursor) },
    });
  };
}
