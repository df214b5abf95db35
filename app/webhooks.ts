import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { departmentScopeOf, type Principal } from '../domain/access.js';
import type { PrismaClient, Webhook } from '../prisma/generated/client.js';
import { forbidden, notFound } from './errors.js';
import { listingIdParam, webhookSchema } from './schemas.js';
import { parseInput } from './validate.js';
import type { WorkflowGateway } from './workflow-gateway.js';

const webhookView = (hook: Webhook) => ({
  id: hook.id,
  url: hook.url,
  description: hook.description,
  departmentCode: hook.departmentCode,
  createdAt: hook.createdAt.toISOString(),
});

/**
 * A department's system subscribes to the change feed; every change after the
 * subscription is POSTed to it, signed, in feed order, until it answers 2xx.
 * A workflow per subscription does the delivering.
 */
export function createWebhookService({ prisma, workflows, log }: { prisma: PrismaClient; workflows: WorkflowGateway; log?: Logger | undefined }) {
  async function ownWebhook(principal: Principal, id: string): Promise<Webhook> {
    if (!listingIdParam.safeParse(id).success) throw notFound(`No webhook ${id}.`);
    const hook = await prisma.webhook.findUnique({ where: { id } });
    if (!hook || hook.deletedAt) throw notFound(`No webhook ${id}.`);
    if (hook.departmentCode !== departmentScopeOf(principal)) throw forbidden('This webhook belongs to another department.');
    return hook;
  }

  return {
    /** POST /api/webhooks — the secret is shown once, here. */
    async create(principal: Principal, body: unknown) {
      const input = parseInput(webhookSchema, body, 'webhook');
      const departmentCode = departmentScopeOf(principal);
      if (departmentCode === null) throw forbidden('Only a department subscribes to its changes.');
      const [{ last }] = await prisma.$queryRaw<[{ last: bigint }]>`SELECT coalesce(max(seq), 0)::bigint AS last FROM "RestrictionChange"`;
      const hook = await prisma.webhook.create({
        data: {
          id: randomUUID(),
          departmentCode,
          url: input.url,
          description: input.description ?? null,
          secret: randomBytes(32).toString('base64url'),
          createdByKeyId: principal.keyId,
          startedAfter: last,
        },
      });
      // Recorded first: if Temporal is away now, the relay starts the deliveries later.
      await workflows.startWebhook(hook.id).catch((error: unknown) => log?.warn({ err: error, webhookId: hook.id }, 'webhook recorded; its deliveries start later'));
      return { ...webhookView(hook), secret: hook.secret };
    },

    /** GET /api/webhooks — the department's subscriptions, without their secrets. */
    async list(principal: Principal) {
      const hooks = await prisma.webhook.findMany({ where: { departmentCode: departmentScopeOf(principal) ?? '', deletedAt: null }, orderBy: { createdAt: 'asc' } });
      return hooks.map(webhookView);
    },

    /** DELETE /api/webhooks/:id — deliveries stop; the workflow ends at its next look. */
    async remove(principal: Principal, id: string): Promise<void> {
      await ownWebhook(principal, id);
      await prisma.webhook.update({ where: { id }, data: { deletedAt: new Date() } });
    },

    /** GET /api/webhooks/:id/deliveries — newest first: pending, delivered and failing, with the last error. */
    async deliveries(principal: Principal, id: string) {
      await ownWebhook(principal, id);
      const rows = await prisma.webhookDelivery.findMany({ where: { webhookId: id }, orderBy: { seq: 'desc' }, take: 500 });
      return rows.map((row) => ({
        deliveryId: row.deliveryId,
        seq: Number(row.seq),
        status: row.status,
        attempts: row.attempts,
        lastStatus: row.lastStatus,
        lastError: row.lastError,
        firstAttemptAt: row.firstAttemptAt.toISOString(),
        lastAttemptAt: row.lastAttemptAt?.toISOString() ?? null,
        deliveredAt: row.deliveredAt?.toISOString() ?? null,
      }));
    },

    /** Starts the delivery workflow of every subscription (a no-op for those running). Run by the relay. */
    async startMissingWorkflows(): Promise<number> {
      const hooks = await prisma.webhook.findMany({ where: { deletedAt: null }, select: { id: true } });
      for (const { id } of hooks) await workflows.startWebhook(id);
      return hooks.length;
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
