import type { Request, Response } from 'express';
import { CIRCUMSTANCES, type CircumstanceCode } from '../../domain/circumstances.js';
import { contextOf } from '../context.js';
import type { DashboardDeps } from '../deps.js';
import { timelineOf } from '../timeline.js';
import { departmentNames, measureNamesByVersion, nameOf } from '../lookups.js';
import { isOverdue, openDeadlineOf } from '../../domain/tasks.js';
import { sendPage } from '../page.js';
import { may } from '../../domain/access.js';

type Answer = Awaited<ReturnType<DashboardDeps['useCases']['tasks']['answersOn']>>[number];

/** A task's answer as the page shows it: measure and department names beside the codes. */
function answerView(answer: Answer | undefined, measureNameOf: Map<string, string>, departments: Map<string, string>) {
  if (!answer) return null;
  return {
    ...answer,
    feedback: (answer.feedback ?? []).map((entry) => ({ ...entry, measureName: nameOf(measureNameOf, entry.measure) })),
    suggestedDepartment: answer.suggestedDepartmentCode ? `${answer.suggestedDepartmentCode} ${nameOf(departments, answer.suggestedDepartmentCode)}` : null,
  };
}

/**
 * One listing: the debtor (identifiers masked, whoever looks), its tasks by
 * department, the network searches of its case for its debtor (for those who
 * read asset searches) and the audit trail. The useCases decide what a user
 * may see: a department gets its own tasks and their events only.
 */
export function listingDetail({ useCases, now = () => new Date() }: DashboardDeps) {
  return async (req: Request, res: Response) => {
    const { locale, strings, principal } = contextOf(res);
    const id = String(req.params.id);
    const listing = await useCases.listings.get(principal!, id, 'page');
    const [{ chain, events }, answers, names, measures, networkSearches] = await Promise.all([
      useCases.listings.events(principal!, id, 'page'),
      useCases.tasks.answersOn(principal!, id),
      departmentNames(useCases.catalogs, locale),
      measureNamesByVersion(useCases.catalogs, [listing.catalogVersion], locale),
      may(principal!, 'asset-searches:read') ? useCases.listings.networkSearches(principal!, id) : null,
    ]);
    const measureNameOf = measures.get(listing.catalogVersion) ?? new Map<string, string>();
    const { debtor } = listing;
    const at = now();
    const answerOf = new Map(answers.map((answer) => [answer.id, answer]));
    const tasks = [...(listing.tasks ?? [])]
      .sort((a, b) => a.departmentCode.localeCompare(b.departmentCode) || (a.kind === b.kind ? 0 : a.kind === 'impose' ? -1 : 1))
      .map((task) => ({
        ...task,
        departmentName: nameOf(names, task.departmentCode),
        measureNames: task.measures.map((code) => nameOf(measureNameOf, code)),
        answer: answerView(answerOf.get(task.id), measureNameOf, names),
        open: openDeadlineOf(task.status) !== null,
        overdue: isOverdue(task, at),
      }));
    const circumstance = CIRCUMSTANCES[listing.circumstance as CircumstanceCode];
    sendPage(req, res, 'listing', {
      title: `${strings.listing.title} ${listing.caseNumber}`,
      data: {
        listing: {
          ...listing,
          debtor,
          circumstanceText: circumstance ? (locale === 'en' ? circumstance.en : circumstance.zh) : listing.circumstance,
        },
        tasks,
        departments: [...names].map(([code, name]) => ({ code, name })),
        networkSearches: networkSearches && {
          ...networkSearches,
          // What a deletion on ground no-assets-found would cite now: nothing, once the latest search found assets.
          searches: networkSearches.searches.map((search) => ({
            ...search,
            cited: networkSearches.noAssetsFound.assetsFoundBy === null && networkSearches.noAssetsFound.cited.some((cited) => cited.id === search.id),
          })),
        },
        chain,
        timeline: timelineOf(events, listing.tasks ?? [], names, strings),
        back: req.originalUrl,
      },
    });
  };
}
