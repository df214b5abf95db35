import { Context } from '@temporalio/activity';
import { createAssetAnswerToken } from '../platform/signed-tokens.js';
import { composeAssetMail, type AssetMailType } from '../mail/compose-asset-mail.js';
import type { AnswerSchedule } from '../domain/policy.js';
import type { Institution } from '../prisma/generated/client.js';
import { createCatalogVersions } from '../db/catalog-versions.js';
import { assetMailLedger, markDelivered, type AssetMail } from './asset-mail-ledger.js';
import { sendEachOnceThrough, type RoundSent } from './send-once.js';
import { webhookSignature } from './webhook-delivery.js';
import type { ActivityDeps } from './deps.js';

/** How long a request's email link answers: past the deadline, with time for the escalations it brings. */
const ANSWER_LINK_DAYS = 60;
/** Emails sent side by side and then recorded together: what a worker's death can leave sent but unrecorded. */
const MAIL_CHUNK = 50;
/** A receiver that does not answer within this long gets the notice by email instead. */
const RECEIVER_TIMEOUT_MS = 10_000;

export interface SearchDebtor {
  kind: 'individual' | 'entity';
  name: string;
  idType: string;
  idNumber: string;
}

/** What a search keeps of its policy: the answer schedule, fixed when it was sent. */
export interface StoredSearchPolicy {
  answer: string;
  schedule: AnswerSchedule<string>;
}

export interface BatchTurn {
  /** Whether any request of the batch still waits for its answer. */
  open: boolean;
  /** The next reminder or escalation step of the batch, or null. */
  wakeAt: string | null;
}

/**
 * The activities of an asset search: deliver a batch of requests (the
 * institution's webhook, else email), follow a batch (reminders and
 * escalations of what is unanswered), finish the search. Each reads the
 * facts from the database, so a retry or a repeat does only what is left.
 */
export function createAssetSearchActivities(deps: ActivityDeps) {
  const { prisma, keyring, publicBaseUrl, log, now = () => new Date() } = deps;
  const ledger = assetMailLedger(prisma);
  const catalogs = createCatalogVersions(prisma);
  /**
   * Runs `work` telling Temporal every 2 s that this attempt is alive: a batch
   * of hundreds of notices takes a while, and an attempt whose worker died is
   * retried elsewhere after the heartbeat timeout instead of the five minutes
   * the whole batch may take.
   */
  async function alive<T>(work: () => Promise<T>): Promise<T> {
    let context: Context | null = null;
    try {
      context = Context.current();
    } catch {
      // Called outside an activity (tests): nobody to tell.
    }
    const beating = context ? setInterval(() => context!.heartbeat(), 2_000) : null;
    try {
      return await work();
    } finally {
      if (beating) clearInterval(beating);
    }
  }

  async function batchOf(searchId: string, batch: number) {
    const search = await prisma.assetSearch.findUniqueOrThrow({ where: { id: searchId } });
    const requests = await prisma.assetRequest.findMany({ where: { searchId, batch }, orderBy: { institutionCode: 'asc' } });
    const institutions = new Map((await prisma.institution.findMany({ where: { code: { in: requests.map((r) => r.institutionCode) } } })).map((i) => [i.code, i]));
    return { search, requests, institutions };
  }

  function mailFor(type: AssetMailType, key: string, search: { id: string; courtCode: string; caseNumber: string; debtor: unknown; answerDueAt: Date }, request: { id: string; institutionCode: string }, institution: Institution, to: string[], eventData: Record<string, unknown> = {}): AssetMail {
    const debtor = search.debtor as SearchDebtor;
    const token = createAssetAnswerToken(keyring, { requestId: request.id, expiresAt: Math.floor(search.answerDueAt.getTime() / 1000) + ANSWER_LINK_DAYS * 86_400 });
    const rendered = composeAssetMail(
      type,
      { requestId: request.id, courtCode: search.courtCode, caseNumber: search.caseNumber, debtorName: debtor.name, debtorIdNumber: debtor.idNumber, institutionName: institution.name, dueAt: search.answerDueAt },
      type === 'asset-escalation' ? null : `${publicBaseUrl.replace(/\/$/, '')}/asset-answers/${token}`,
    );
    return { id: key, type, to, ...rendered, searchId: search.id, requestId: request.id, institutionCode: institution.code, headers: { 'X-Asset-Request-Id': request.id }, eventData };
  }

  /**
   * A batch's emails in chunks, each recorded as sent before the next goes:
   * a worker that dies mid-batch leaves at most one chunk sent but unrecorded,
   * which the retry sends again under the same Message-IDs.
   */
  async function sendInChunks(mails: AssetMail[]): Promise<RoundSent> {
    const done: RoundSent = { sent: [], alreadySent: [] };
    for (let start = 0; start < mails.length; start += MAIL_CHUNK) {
      // An attempt Temporal gave up on (timed out, its retry already running) stops before its next chunk,
      // so that it and the retry never claim the same emails side by side.
      cancelledAttempt()?.throwIfAborted();
      const { sent, alreadySent } = await sendEachOnceThrough(deps, ledger, mails.slice(start, start + MAIL_CHUNK));
      done.sent.push(...sent);
      done.alreadySent.push(...alreadySent);
    }
    return done;
  }

  /** This attempt's cancellation signal, as its heartbeats learn it; none outside an activity. */
  function cancelledAttempt(): AbortSignal | null {
    try {
      return Context.current().cancellationSignal;
    } catch {
      return null;
    }
  }

  /** POSTs the signed notice to the institution's receiver; false when it did not take it. */
  async function postToWebhook(hook: { url: string; secret: string }, request: { id: string; document: unknown }): Promise<boolean> {
    const body = JSON.stringify({ type: 'asset-request', request: request.document });
    try {
      const response = await fetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'joint-sanctions-coordinator',
          'x-delivery-id': request.id,
          'x-timestamp': String(Math.floor(now().getTime() / 1000)),
          'x-signature': webhookSignature(hook.secret, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(RECEIVER_TIMEOUT_MS),
      });
      await response.body?.cancel();
      return response.status >= 200 && response.status <= 299;
    } catch {
      return false;
    }
  }

  /**
   * Delivers a batch's requests not yet delivered: POSTed to the
   * institution's webhook where it subscribed (its receiver acknowledges
   * with 2xx), by email otherwise or when the receiver fails. Each email is
   * sent at most once (its key is the request's); a webhook POST carries
   * the request id as its delivery id, so a receiver recognises a repeat.
   */
  async function deliver(searchId: string, batch: number): Promise<{ webhook: number; email: number }> {
    const { search, requests, institutions } = await batchOf(searchId, batch);
    // The court's notice goes out even to an institution that answered from the API before it did (its system
    // polls); only a closed search's requests are left undelivered.
    const undelivered = requests.filter((request) => request.deliveredAt === null && request.status !== 'closed');
    const hooks = new Map(
      (await prisma.institutionWebhook.findMany({ where: { institutionCode: { in: undelivered.map((r) => r.institutionCode) }, deletedAt: null }, orderBy: { createdAt: 'asc' } })).map((hook) => [hook.institutionCode, hook]),
    );
    const byWebhook = undelivered.filter((request) => hooks.has(request.institutionCode));
    const posted = await Promise.all(byWebhook.map((request) => postToWebhook(hooks.get(request.institutionCode)!, request)));
    const accepted = byWebhook.filter((_, index) => posted[index]);
    if (accepted.length > 0) {
      const at = now();
      await prisma.$transaction(async (tx) => {
        await markDelivered(tx, accepted.map((r) => r.id), 'webhook', at);
        await tx.assetEvent.createMany({
          data: accepted.map((request) => ({ id: `asset-request.${request.id}.webhook`, searchId, requestId: request.id, institutionCode: request.institutionCode, at, type: 'asset-query-posted', actor: 'system', data: { url: new URL(hooks.get(request.institutionCode)!.url).origin } })),
          skipDuplicates: true,
        });
      });
    }
    const acceptedIds = new Set(accepted.map((r) => r.id));
    const byEmail = undelivered.filter((request) => !acceptedIds.has(request.id));
    const mails = byEmail.map((request) => {
      const institution = institutions.get(request.institutionCode)!;
      return mailFor('asset-query', `asset-request.${request.id}.query`, search, request, institution, [institution.contactEmail], hooks.has(request.institutionCode) ? { webhookFailed: true } : {});
    });
    const { sent, alreadySent } = await sendInChunks(mails);
    // Sent by an earlier attempt whose record of the delivery was lost with it: recorded now.
    if (alreadySent.length > 0) await markDelivered(prisma, byEmail.filter((r) => alreadySent.includes(`asset-request.${r.id}.query`)).map((r) => r.id), 'email', now());
    return { webhook: accepted.length, email: sent.length + alreadySent.length };
  }

  /**
   * One turn of a batch: closes its open requests if the search was
   * closed; otherwise takes the reminder and the escalation steps that are
   * due for each unanswered request (each email once), and says when the
   * next one falls due.
   */
  async function follow(searchId: string, batch: number): Promise<BatchTurn> {
    const search = await prisma.assetSearch.findUniqueOrThrow({ where: { id: searchId } });
    if (search.status !== 'open') {
      await prisma.assetRequest.updateMany({ where: { searchId, batch, status: 'open' }, data: { status: 'closed' } });
      return { open: false, wakeAt: null };
    }
    const { requests, institutions } = await batchOf(searchId, batch);
    const open = requests.filter((request) => request.status === 'open');
    if (open.length === 0) return { open: false, wakeAt: null };

    const { schedule } = search.policy as unknown as StoredSearchPolicy;
    const at = now();
    const dueAt = Date.parse(schedule.dueAt);
    const mails: AssetMail[] = [];
    if (schedule.reminderAt && Date.parse(schedule.reminderAt) <= at.getTime() && at.getTime() < dueAt) {
      for (const request of open) {
        const institution = institutions.get(request.institutionCode)!;
        mails.push(mailFor('asset-reminder', `asset-request.${request.id}.reminder`, search, request, institution, [institution.contactEmail]));
      }
    }
    const stepsDue = schedule.escalations.filter((step) => Date.parse(step.at) <= at.getTime());
    let office: string | undefined;
    for (const step of stepsDue) {
      if (step.notify === 'coordinating-office' && office === undefined) office = await coordinatingOfficeEmail();
      for (const request of open) {
        const institution = institutions.get(request.institutionCode)!;
        const to = step.notify === 'coordinating-office' ? office : institution.supervisorEmail;
        if (!to) continue;
        mails.push(mailFor('asset-escalation', `asset-request.${request.id}.escalation.${step.level}`, search, request, institution, [to], { level: step.level, notify: step.notify }));
      }
    }
    const level = stepsDue.reduce((highest, step) => Math.max(highest, step.level), 0);
    if (level > 0) await prisma.assetRequest.updateMany({ where: { id: { in: open.map((r) => r.id) }, escalationLevel: { lt: level } }, data: { escalationLevel: level } });
    await sendInChunks(mails);
    const upcoming = [schedule.reminderAt, ...schedule.escalations.map((step) => step.at)]
      .filter((instant): instant is string => instant !== null && Date.parse(instant) > at.getTime())
      .sort((a, b) => Date.parse(a) - Date.parse(b));
    return { open: true, wakeAt: upcoming[0] ?? null };
  }

  return {
    deliverAssetRequests: ({ searchId, batch }: { searchId: string; batch: number }) => alive(() => deliver(searchId, batch)),
    followAssetRequests: ({ searchId, batch }: { searchId: string; batch: number }) => alive(() => follow(searchId, batch)),

    /** Every institution answered, or the clerk closed the search: recorded, once. */
    async finishAssetSearch({ searchId }: { searchId: string }): Promise<{ status: string }> {
      const at = now();
      const finished = await prisma.assetSearch.updateMany({ where: { id: searchId, status: 'open' }, data: { status: 'completed', completedAt: at } });
      if (finished.count > 0) {
        await prisma.assetEvent.createMany({ data: [{ id: `asset-search.${searchId}.completed`, searchId, at, type: 'search-completed', actor: 'system', data: {} }], skipDuplicates: true });
        log.info({ searchId }, 'asset search completed: every institution answered');
      }
      const search = await prisma.assetSearch.findUniqueOrThrow({ where: { id: searchId } });
      return { status: search.status };
    },
  };


  async function coordinatingOfficeEmail(): Promise<string | undefined> {
    const latest = await prisma.catalogVersion.findFirst({ orderBy: { version: 'desc' }, select: { version: true } });
    return latest ? (await catalogs.get(latest.version)).coordinatingOffice?.email : undefined;
  }
}
