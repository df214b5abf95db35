import type { Request, Response } from 'express';
import { contextOf } from '../context.js';
import type { DashboardDeps } from '../deps.js';
import { departmentHome } from './department-home.js';
import { listingList } from './listing-list.js';
import { supervisorHome } from './supervisor-home.js';

/** Each role starts where its work is: supervisors on what is overdue, departments on their tasks, clerks on their listings. */
export function home(deps: DashboardDeps) {
  const pages = { supervisor: supervisorHome(deps), department: departmentHome(deps), clerk: listingList(deps) };
  return (req: Request, res: Response) => {
    const role = contextOf(res).principal!.role;
    // Admins never get a session (domain/access.ts: dashboard:sign-in).
    return pages[role as keyof typeof pages](req, res);
  };
}
