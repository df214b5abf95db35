import type { Request, Response } from 'express';
import { CIRCUMSTANCES, type CircumstanceCode } from '../../domain/circumstances.js';
import { contextOf } from '../context.js';
import type { DashboardDeps } from '../deps.js';
import { timelineOf } from '../timeline.js';
import { departmentNames, measureNamesByVersion, nameOf } from '../lookups.js';
import { isOverdue, openDeadlineOf } from '../../domain/tasks.js';
import { sendPage } from '../page.js';
import { may, type Principal } from '../../domain/access.js';
import { releaseReasonOf } from './freeze-actions.js';

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

type CaseFreeze = Awaited<ReturnType<DashboardDeps['useCases']['controlOrders']['freezes']>>[number];

/** Freezes in force within this many days of their end are highlighted. */
const EXPIRING_WITHIN_DAYS = 30;

/**
 * The freezes in force of the listing's case for its debtor: of the case's
 * freezes (same normalised case number), those of its court that come from
 * its network searches of this debtor. Ended freezes are not among them: the
 * use case reads freezes in force only. Each is marked when its release
 * awaits the institution's confirmation.
 */
async function caseFreezes(useCases: DashboardDeps['useCases'], principal: Principal, ofCase: CaseFreeze[], courtCode: string, searchIds: Set<string>) {
  const freezes = ofCase.filter((freeze) => freeze.courtCode === courtCode && searchIds.has(freeze.searchId));
  if (freezes.length === 0) return [];
  const [openOrders, directory] = await Promise.all([useCases.controlOrders.list(principal, { status: 'open' }), useCases.institutions.list()]);
  const releasing = new Set(openOrders.filter((order) => order.action === 'release').map((order) => order.freezeId));
  const institutionNames = new Map(directory.institutions.map((institution) => [institution.code, institution.name]));
  return freezes.map((freeze) => ({
    ...freeze,
    institutionName: institutionNames.get(freeze.institutionCode) ?? '',
    expiring: freeze.daysLeft !== null && freeze.daysLeft <= EXPIRING_WITHIN_DAYS,
    releaseOrdered: releasing.has(freeze.id),
  }));
}

/**
 * One listing: the debtor (identifiers masked, whoever looks), its tasks by
 * department, the network searches of its case for its debtor and the
 * freezes in force they led to (for clerks and supervisors), and the audit
 * trail. The useCases decide what a user may see: a department gets its own
 * tasks and their events only.
 */
export function listingDetail({ useCases, now = () => new Date() }: DashboardDeps) {
  return async (req: Request, res: Response) => {
    const { locale, strings, principal } = contextOf(res);
    const id = String(req.params.id);
    const listing = await useCases.listings.get(principal!, id, 'page');
    const [{ chain, events }, answers, names, measures, networkSearches, freezesOfCase] = await Promise.all([
      useCases.listings.events(principal!, id, 'page'),
      useCases.tasks.answersOn(principal!, id),
      departmentNames(useCases.catalogs, locale),
      measureNamesByVersion(useCases.catalogs, [listing.catalogVersion], locale),
      may(principal!, 'asset-searches:read') ? useCases.listings.networkSearches(principal!, id) : null,
      may(principal!, 'asset-supervision:read') ? useCases.controlOrders.freezes(principal!, { caseNumber: listing.caseNumber }) : null,
    ]);
    const freezes =
      networkSearches && freezesOfCase
        ? await caseFreezes(useCases, principal!, freezesOfCase, listing.courtCode, new Set(networkSearches.searches.map((search) => search.id)))
        : null;
    const releaseReason = releaseReasonOf(listing);
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
        freezes: freezes && {
          items: freezes,
          expiringWithinDays: EXPIRING_WITHIN_DAYS,
          // A performance or deletion recorded: the clerk may release what is still frozen and not yet being released.
          release: releaseReason && may(principal!, 'control-orders:create') && freezes.some((freeze) => !freeze.releaseOrdered) ? { reason: releaseReason } : null,
        },
        chain,
        timeline: timelineOf(events, listing.tasks ?? [], names, strings),
        back: req.originalUrl,
      },
    });
  };
}
