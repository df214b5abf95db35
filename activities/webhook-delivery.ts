import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { createCatalogVersions } from '../db/catalog-versions.js';
import { measuresOfDepartment } from '../domain/restrictions.js';
import type { ActivityDeps } from './deps.js';

/** How long one activity waits for the next change before it returns (and the workflow asks again). */
const WAIT_FOR_CHANGE_MS = 30_000;
/** How often it looks for one meanwhile: the lift of a debtor reaches subscribers within about this long. */
const LOOK_EVERY_MS = 200;
/** A receiver that does not answer within this long has failed this attempt. */
const RECEIVER_TIMEOUT_MS = 10_000;

export type DeliveryState = 'delivered' | 'idle' | 'deleted';

/** The signature a receiver checks: `sha256=` and the hex HMAC-SHA256 of the raw body with the subscription's secret. */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Sends a subscription its next change: the first change for its department
 * after the last one its receiver accepted. A failure throws, and Temporal
 * sends the same change again later (same delivery id); nothing after it is
 * sent before it is accepted.
 */
export function createWebhookDeliveryActivities({ prisma, disclosures, now = () => new Date() }: ActivityDeps) {
  const catalogs = createCatalogVersions(prisma);

  async function nextChange(departmentCode: string, after: bigint) {
    const deadline = Date.now() + WAIT_FOR_CHANGE_MS;
    for (;;) {
      const change = await prisma.restrictionChange.findFirst({ where: { seq: { gt: after }, departmentCodes: { has: departmentCode } }, orderBy: { seq: 'asc' } });
      if (change || Date.now() >= deadline) return change;
      Context.current().heartbeat();
      await sleep(LOOK_EVERY_MS, undefined, { signal: Context.current().cancellationSignal }).catch(() => undefined);
      if (Context.current().cancellationSignal.aborted) return null;
    }
  }

  return {
    async deliverNextChange(webhookId: string): Promise<{ state: DeliveryState; seq?: number }> {
      const hook = await prisma.webhook.findUnique({ where: { id: webhookId } });
      if (!hook || hook.deletedAt) return { state: 'deleted' };
      const accepted = await prisma.webhookDelivery.findFirst({ where: { webhookId, status: 'delivered' }, orderBy: { seq: 'desc' }, select: { seq: true } });
      const change = await nextChange(hook.departmentCode, accepted?.seq ?? hook.startedAfter);
      if (!change) return { state: 'idle' };

      const catalog = await catalogs.get(change.catalogVersion);
      const own = measuresOfDepartment(catalog, hook.departmentCode);
      const deliveryId = `${webhookId}.${change.seq}`;
      const body = JSON.stringify({
        seq: Number(change.seq),
        type: change.type,
        idNumber: change.idNumber,
        name: change.name,
        measures: change.measures.filter((measure) => own.has(measure)),
        listingId: change.listingId,
        at: change.at.toISOString(),
      });
      const attemptAt = now();
      await prisma.webhookDelivery.upsert({
        where: { webhookId_seq: { webhookId, seq: change.seq } },
        create: { webhookId, seq: change.seq, deliveryId, status: 'pending', attempts: 1, firstAttemptAt: attemptAt, lastAttemptAt: attemptAt },
        update: { attempts: { increment: 1 }, lastAttemptAt: attemptAt },
      });

      let failure: { status: number | null; error: string } | null = null;
      // Alive while the receiver takes its time: Temporal must not start a second attempt beside this one.
      const context = Context.current();
      const beating = setInterval(() => context.heartbeat(), 2_000);
      try {
        const response = await fetch(hook.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'joint-sanctions-coordinator',
            'x-delivery-id': deliveryId,
            'x-timestamp': String(Math.floor(attemptAt.getTime() / 1000)),
            'x-signature': webhookSignature(hook.secret, body),
          },
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(RECEIVER_TIMEOUT_MS),
        });
        await response.body?.cancel();
        if (response.status < 200 || response.status > 299) failure = { status: response.status, error: `the receiver answered ${response.status}` };
      } catch (error) {
        failure = { status: null, error: String((error as Error).cause ?? error).slice(0, 500) };
      } finally {
        clearInterval(beating);
      }
      if (failure) {
        await prisma.webhookDelivery.update({ where: { webhookId_seq: { webhookId, seq: change.seq } }, data: { status: 'failing', lastStatus: failure.status, lastError: failure.error } });
        throw ApplicationFailure.retryable(`delivery ${deliveryId} to ${new URL(hook.url).host}: ${failure.error}`, 'WebhookDeliveryFailed');
      }
      await prisma.webhookDelivery.update({
        where: { webhookId_seq: { webhookId, seq: change.seq } },
        data: { status: 'delivered', deliveredAt: now(), lastStatus: 200, lastError: null },
      });
      disclosures.record({ departmentCode: hook.departmentCode, keyId: null, idNumber: change.idNumber, purpose: 'webhook', listingId: change.listingId });
      return { state: 'delivered', seq: Number(change.seq) };
    },
  };
}
