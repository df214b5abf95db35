import type { Request, Response } from 'express';
import { isOverdue, openDeadlineAt, openDeadlineOf } from '../../domain/tasks.js';
import { contextOf } from '../context.js';
import type { DashboardDeps } from '../deps.js';
import { departmentNames, measureNamesByVersion, nameOf } from '../lookups.js';
import { sendPage } from '../page.js';
import { ratesSection } from '../rates-view.js';

/** A department's open tasks, nearest deadline first and a page at a time, with the buttons to act on them. */
export function departmentHome({ useCases, now = () => new Date() }: DashboardDeps) {
  return async (req: Request, res: Response) => {
    const { locale, strings, principal } = contextOf(res);
    const cursor = typeof req.query.cursor === 'string' && req.query.cursor !== '' ? req.query.cursor : undefined;
    const { tasks, nextCursor } = await useCases.tasks.openWorklist(principal!, { cursor });
    const [measures, names] = await Promise.all([
      measureNamesByVersion(useCases.catalogs, tasks.map((task) => task.listing.catalogVersion), locale),
      departmentNames(useCases.catalogs, locale),
    ]);
    const at = now();
    // Already nearest deadline first.
    const rows = tasks.map((task) => {
      const deadline = { kind: openDeadlineOf(task.status)!, at: openDeadlineAt(task)! };
      return {
        ...task,
        caseNumber: task.listing.caseNumber,
        debtorName: task.listing.debtorName,
        debtorIdNumber: task.listing.debtorIdNumber,
        measureNames: task.measures.map((code) => nameOf(measures.get(task.listing.catalogVersion) ?? new Map(), code)),
        deadline,
        overdue: isOverdue(task, at),
      };
    });
    // The next page keeps what else the page was asked (the rates' department, the language).
    const keep = Object.entries(req.query).flatMap(([name, value]) => (name !== 'cursor' && typeof value === 'string' ? [[name, value] as [string, string]] : []));
    const nextHref = nextCursor ? `/?${new URLSearchParams([...keep, ['cursor', nextCursor]])}` : null;
    const rates = await ratesSection(useCases.rates, principal!, { locale, strings, query: req.query });
    sendPage(req, res, 'department-home', { title: strings.department.title, data: { tasks: rows, nextHref, rates, departments: [...names].map(([code, name]) => ({ code, name })) } });
  };
}
