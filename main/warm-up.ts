// What the first listing after a start would otherwise pay for, paid before
// the process reports ready: Prisma compiles each query shape on its first
// use, pg opens its connections, nodemailer resolves and greets the relay,
// Eta compiles the templates, protobufjs builds its encoders, V8 has not yet
// optimised any of it. Every step reads, talks to a server without leaving
// anything behind, or writes in a transaction it rolls back: no row is kept
// and no mail is sent. A step that fails is logged and skipped;
// the first real request then pays for it as it would have anyway.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { claimEach } from '../activities/send-once.js';
import { appendEvents } from '../db/events.js';
import { createCalendarVersions } from '../db/calendar-versions.js';
import type { DatabaseClient } from '../db/client.js';
import { defaultCatalog, parseCatalog, type Catalog } from '../domain/catalog.js';
import { composePublicRoleNotice } from '../mail/compose-notices.js';
import { composeTaskMail, type MailSettings, type TaskWithContext } from '../mail/compose-task-mail.js';
import type { MailTransport } from '../mail/transport.js';
import type { Listing, Prisma, PrismaClient } from '../prisma/generated/client.js';

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

/** Thrown to roll a rehearsal back. */
class Rehearsed extends Error {}

/** Runs `writes` in a transaction that is always rolled back: nothing it writes is ever seen. */
async function rolledBack(prisma: PrismaClient, writes: (tx: Prisma.TransactionClient) => Promise<void>): Promise<void> {
  try {
    await prisma.$transaction(async (tx) => {
      await writes(tx);
      throw new Rehearsed();
    });
  } catch (error) {
    if (!(error instanceof Rehearsed)) throw error;
  }
}

/**
 * A listing's first round, written and rolled back: the statements a dispatch
 * and its notices write, in the shapes they write them (Prisma compiles each
 * shape once, and V8 optimises what runs), for every department at once.
 */
async function rehearseRound(prisma: PrismaClient): Promise<void> {
  const catalog = await prisma.catalogVersion.findFirst({ orderBy: { version: 'desc' }, select: { version: true } });
  if (!catalog) return;
  const departments = await prisma.department.findMany({ select: { code: true } });
  await rolledBack(prisma, async (tx) => {
    const listingId = randomUUID();
    const at = new Date();
    await tx.listing.create({
      data: { id: listingId, workflowId: `warm-up-${listingId}`, courtCode: 'WARM', caseNumber: 'WARM-UP', debtorKind: 'entity', debtorName: 'warm-up', debtorIdNumber: 'WARM-UP', circumstance: 'refuses-despite-ability', obligationDescription: 'warm-up', listedAt: at, catalogVersion: catalog.version },
    });
    const tasks = departments.map(({ code }) => ({ id: randomUUID(), departmentCode: code }));
    // The fields activities/dispatch.ts writes.
    await tx.task.createMany({
      data: tasks.map((task) => ({ id: task.id, listingId, departmentCode: task.departmentCode, kind: 'impose', round: '', correctionId: null, reassignedFromId: null, measures: [], acknowledgeDueAt: at, completeDueAt: at, openDeadlineAt: at, deadlineBasis: 'certain', scheduledFrom: null, policy: {}, createdAt: at })),
    });
    await appendEvents(tx, listingId, tasks.map((task) => ({ id: `${task.id}.dispatched`, at, type: 'task-dispatched', actor: 'system', taskId: task.id, data: { departmentCode: task.departmentCode } })));
    // What activities/send-once.ts writes for the round's notices.
    const claims = tasks.map((task) => ({ id: `${task.id}:notice`, messageId: `<${task.id}:notice@warm-up.invalid>`, taskId: task.id, listingId, type: 'notice', recipients: ['warm-up@example.invalid'], subject: 'warm-up' }));
    await claimEach(tx, claims);
    await tx.notification.updateMany({ where: { id: { in: claims.map((claim) => claim.id) } }, data: { sentAt: at, lastError: null } });
    await appendEvents(tx, listingId, claims.map((claim) => ({ id: `${claim.id}.sent`, at, type: 'notice-sent', actor: 'system', taskId: claim.taskId, data: { noticeType: 'notice' } })));
  });
}

/**
 * Temporal's messages are encoded by protobufjs, which builds each type's
 * encoder on its first use, and its payloads sealed by the codec: both done
 * once here for the messages this process exchanges.
 */
async function rehearseTemporalMessages(codec: PayloadCodec, types: { encode(message: object): { finish(): Uint8Array }; decode(bytes: Uint8Array): unknown }[]): Promise<void> {
  const payloads = await codec.encode([{ metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode('{"warm":"up"}') }]);
  await codec.decode(payloads);
  for (const type of types) type.decode(type.encode({}).finish());
}

/** The reads of a dispatch round and its notices, and the mail path short of sending. */
export function workerWarmUp({ prisma }: DatabaseClient, mail: MailTransport, mailSettings: MailSettings, codec: PayloadCodec): Steps {
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
    writes: () => rehearseRound(prisma),
    temporal: () =>
      rehearseTemporalMessages(codec, [
        proto.coresdk.workflow_activation.WorkflowActivation,
        proto.coresdk.workflow_completion.WorkflowActivationCompletion,
        proto.coresdk.activity_task.ActivityTask,
        proto.coresdk.ActivityTaskCompletion,
      ]),
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
export function apiWarmUp({ prisma, rows }: DatabaseClient, temporal: Connection, namespace: string, codec: PayloadCodec): Steps {
  const service = proto.temporal.api.workflowservice.v1;
  return {
    temporal: async () => {
      await temporal.workflowService.describeNamespace({ namespace });
      await rehearseTemporalMessages(codec, [
        service.StartWorkflowExecutionRequest,
        service.StartWorkflowExecutionResponse,
        service.SignalWorkflowExecutionRequest,
        service.SignalWorkflowExecutionResponse,
        service.UpdateWorkflowExecutionRequest,
        service.UpdateWorkflowExecutionResponse,
      ]);
    },
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
