import type { Request, Response } from 'express';
import { maskIdentifier } from '../../domain/disclosure.js';
import { contextOf } from '../context.js';
import type { DashboardDeps } from '../deps.js';
import { measureNamesByVersion, nameOf } from '../lookups.js';
import { isOverdue, openDeadlineOf } from '../open-deadline.js';
import { sendPage } from '../page.js';

/** A department's open tasks, nearest deadline first, with the buttons to act on them. */
export function departmentHome({ prisma, services, now = () => new Date() }: DashboardDeps) {
  return async (req: Request, res: Response) => {
    const { locale, strings, principal } = contextOf(res);
    // The service scopes a department key to its own department.
    const tasks = (await services.tasks.list(principal!, {})).filter((task) => openDeadlineOf(task) !== null);
    const listings = await prisma.listing.findMany({
      where: { id: { in: [...new Set(tasks.map((task) => task.listingId))] } },
      select: { id: true, caseNumber: true, debtorName: true, debtorIdNumber: true, catalogVersion: true },
    });
    const listingOf = new Map(listings.map((listing) => [listing.id, listing]));
    const measures = await measureNamesByVersion(services.catalogs, listings.map((listing) => listing.catalogVersion), locale);
    const at = now();
    const rows = tasks
      .map((task) => {
        const listing = listingOf.get(task.listingId);
        const deadline = openDeadlineOf(task)!;
        return {
          ...task,
          caseNumber: listing?.caseNumber ?? '',
          debtorName: listing?.debtorName ?? '',
          debtorIdNumber: listing ? maskIdentifier(listing.debtorIdNumber) : '',
          measureNames: task.measures.map((code) => nameOf(measures.get(listing?.catalogVersion ?? -1) ?? new Map(), code)),
          deadline,
          overdue: isOverdue(task, at),
        };
      })
      .sort((a, b) => Date.parse(a.deadline.at) - Date.parse(b.deadline.at));
    sendPage(req, res, 'department-home', { title: strings.department.title, data: { tasks: rows } });
  };
}
