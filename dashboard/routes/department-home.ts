import type { Request, Response } from 'express';
import { isOverdue, openDeadlineAt, openDeadlineOf } from '../../domain/tasks.js';
import { contextOf } from '../context.js';
import type { DashboardDeps } from '../deps.js';
import { departmentNames, measureNamesByVersion, nameOf } from '../lookups.js';
import { sendPage } from '../page.js';
import { ratesSection } from '../rates-view.js';

/** A department's open tasks, nearest deadline first, with the buttons to act on them. */
export function departmentHome({ useCases, now = () => new Date() }: DashboardDeps) {
  return async (req: Request, res: Response) => {
    const { locale, strings, principal } = contextOf(res);
    const tasks = await useCases.tasks.openWorklist(principal!);
    const [measures, names] = await Promise.all([
      measureNamesByVersion(useCases.catalogs, tasks.map((task) => task.listing.catalogVersion), locale),
      departmentNames(useCases.catalogs, locale),
    ]);
    const at = now();
    const rows = tasks
      .map((task) => {
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
      })
      .sort((a, b) => Date.parse(a.deadline.at) - Date.parse(b.deadline.at));
    const rates = await ratesSection(useCases.rates, principal!, { locale, strings, query: req.query });
    sendPage(req, res, 'department-home', { title: strings.department.title, data: { tasks: rows, rates, departments: [...names].map(([code, name]) => ({ code, name })) } });
  };
}
