// What the first listing after a start would otherwise pay for, paid before
// the process reports ready: Prisma compiles each query shape on its first
// use, pg opens its connections, nodemailer resolves and greets the relay,
// Eta compiles the templates, V8 has not yet optimised any of it. Every step
// only reads, or talks to a server without leaving anything behind: no row
// is written and no mail is sent. A step that fails is logged and skipped;
// the first real request then pays for it as it would have anyway.
import type { Logger } from 'pino';
import type { Connection } from '@temporalio/client';
import { createCalendarVersions } from '../db/calendar-versions.js';
import type { DatabaseClient } from '../db/client.js';
import { defaultCatalog, parseCatalog, type Catalog } from '../domain/catalog.js';
import { composePublicRoleNotice } from '../mail/compose-notices.js';
import { composeTaskMail, type MailSettings, type TaskWithContext } from '../mail/compose-task-mail.js';
import type { MailTransport } from '../mail/transport.js';
import type { Listing } from '../prisma/generated/client.js';

/** Readiness waits at most this long; what is still running goes on in the background. */
export const WARM_UP_BUDGET_MS = 2_000;

type Steps = Record<string, () => Promise<unknown>>;

/** An identifier no row has: lookups by it match nothing. */
const NOTHING = '00000000-0000-0000-0000-000000000000';

/** Runs the steps side by side (several at once open several pool connections); never throws. */
export async function warmUp(steps: Steps, log: Logger, budgetMs = WARM_UP_BUDGET_MS): Promise<void> {
  const started = performance.now();
  const failed: string[] = [];
  const running = Object.entries(steps).map(async ([name, step]) => {
    try {
      await step();
    } catch (error) {
      failed.push(name);
      log.warn({ err: error, step: name }, 'warm-up step failed; the first request pays for it instead');
    }
  });
  const finished = Promise.all(running).then(() => log.info({ ms: Math.round(performance.now() - started), failed }, 'warm-up finished'));
  let timer: NodeJS.Timeout | undefined;
  const outOfTime = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), budgetMs)));
  if ((await Promise.race([finished, outOfTime])) === 'late') log.info({ budgetMs }, 'warm-up still running: ready without waiting for it');
  clearTimeout(timer);
}

/** The reads of a dispatch round and its notices, and the mail path short of sending. */
export function workerWarmUp({ prisma }: DatabaseClient, mail: MailTransport, mailSettings: MailSettings): Steps {
  const latestCatalog = async (): Promise<Catalog> => {
    const row = await prisma.catalogVersion.findFirst({ orderBy: { version: 'desc' } });
    return row ? parseCatalog(row.data) : defaultCatalog;
  };
  return {
    // Only the greeting (and authentication): the pool's own connections open with the first notices.
    smtp: () => mail.verify(),
    calendar: () => createCalendarVersions(prisma).current(),
    round: () =>
      prisma.$transaction(async (tx) => {
        await tx.task.count({ where: { listingId: NOTHING, kind: 'impose', round: '' } });
        await tx.event.findMany({ where: { id: { in: [NOTHING] } }, select: { id: true } });
        await tx.event.findFirst({ where: { listingId: NOTHING }, orderBy: { seq: 'desc' }, select: { hash: true } });
      }),
    tasks: () => prisma.task.findMany({ where: { listingId: NOTHING, kind: 'impose', round: '' }, orderBy: { departmentCode: 'asc' } }),
    notices: async () => {
      await prisma.task.findUnique({ where: { id: NOTHING }, include: { department: true, listing: true } });
      await prisma.notification.findMany({ where: { id: { in: [NOTHING] } } });
      await prisma.notification.findUnique({ where: { id: NOTHING } });
      await prisma.correction.findUnique({ where: { id: NOTHING } });
      await prisma.listing.findUnique({ where: { id: NOTHING } });
    },
    templates: async () => {
      const [catalog, department] = await Promise.all([latestCatalog(), prisma.department.findFirst()]);
      const task = sampleTask(department ?? sampleDepartment, catalog);
      composeTaskMail(mailSettings, task, catalog, { type: 'notice' });
      composeTaskMail(mailSettings, { ...task, department: { ...task.department, locale: 'en' } }, catalog, { type: 'notice' });
      composePublicRoleNotice(task.listing, { role: 'state-employee', unitName: 'warm-up', unitEmail: 'warm-up@example.invalid' });
    },
  };
}

/** The reads of a listing's intake and its caller's key, and the Temporal frontend. */
export function apiWarmUp({ prisma, rows }: DatabaseClient, temporal: Connection, namespace: string): Steps {
  return {
    temporal: () => temporal.workflowService.describeNamespace({ namespace }),
    keys: () => prisma.apiKey.findUnique({ where: { keyHash: NOTHING } }),
    catalog: () => prisma.catalogVersion.findFirst({ orderBy: { version: 'desc' } }),
    intake: () =>
      prisma.$transaction(async (tx) => {
        await tx.listing.findFirst({ where: { courtCode: NOTHING, caseNumber: NOTHING, debtorIdNumber: NOTHING }, orderBy: { listedAt: 'desc' } });
        await tx.event.findMany({ where: { id: { in: [NOTHING] } }, select: { id: true } });
        await tx.event.findFirst({ where: { listingId: NOTHING }, orderBy: { seq: 'desc' }, select: { hash: true } });
        await tx.restrictedSubject.findMany({ where: { listingId: NOTHING, endedAt: null } });
      }),
    views: async () => {
      await prisma.idempotentRequest.findUnique({ where: { apiKeyId_key: { apiKeyId: NOTHING, key: NOTHING } } });
      await prisma.listing.findUnique({ where: { id: NOTHING } });
      await prisma.task.findMany({ where: { listingId: NOTHING } });
    },
    // The restriction check's plain SQL goes through the same pool.
    pool: () => rows('SELECT 1', []),
  };
}

const sampleDepartment = { code: 'D00', nameZh: '预热', nameEn: 'Warm-up', role: 'warm-up', contactEmail: 'warm-up@example.invalid', supervisorEmail: 'warm-up@example.invalid', locale: 'zh-CN' };

/** Never stored: only the fields composing a notice reads. */
function sampleTask(department: TaskWithContext['department'], catalog: Catalog): TaskWithContext {
  const at = new Date();
  const listing = {
    id: NOTHING,
    courtCode: 'WARM',
    caseNumber: 'WARM-UP',
    debtorKind: 'entity',
    debtorName: 'warm-up',
    debtorIdNumber: '000000000000000000',
    boundPersons: [{ role: 'legal-representative', name: 'warm-up', idNumber: '000000000000000000' }],
    circumstance: 'refuses-despite-ability',
    status: 'active',
    liftReason: null,
    catalogVersion: 0,
  } as Partial<Listing> as Listing;
  return {
    id: NOTHING,
    listingId: NOTHING,
    departmentCode: department.code,
    kind: 'impose',
    measures: catalog.measures.slice(0, 3).map((measure) => measure.code),
    acknowledgeDueAt: at,
    completeDueAt: at,
    correctionId: null,
    department,
    listing,
  } as Partial<TaskWithContext> as TaskWithContext;
}
