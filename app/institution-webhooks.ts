import { randomBytes, randomUUID } from 'node:crypto';
import type { InstitutionWebhook, PrismaClient } from '../prisma/generated/client.js';
import { institutionScopeOf, type Principal } from '../domain/access.js';
import { forbidden, notFound } from './errors.js';
import { listingIdParam, webhookSchema } from './schemas.js';
import { parseInput } from './validate.js';

const hookView = (hook: InstitutionWebhook) => ({
  id: hook.id,
  url: hook.url,
  description: hook.description,
  institutionCode: hook.institutionCode,
  createdAt: hook.createdAt.toISOString(),
});

/**
 * An institution's system subscribes to its asset requests: each new request
 * is POSTed to it as the court signed it, with the delivery signed like a
 * department's change feed (`x-signature`); a receiver that fails gets the
 * notice by email instead. The subscription's newest receiver is used.
 */
export function createInstitutionWebhookService(prisma: PrismaClient) {
  const ownHook = async (principal: Principal, id: string) => {
    if (!listingIdParam.safeParse(id).success) throw notFound(`No webhook ${id}.`);
    const hook = await prisma.institutionWebhook.findUnique({ where: { id } });
    if (!hook || hook.deletedAt) throw notFound(`No webhook ${id}.`);
    if (hook.institutionCode !== institutionScopeOf(principal)) throw forbidden('This webhook belongs to another institution.');
    return hook;
  };
  return {
    async create(principal: Principal, body: unknown) {
      const input = parseInput(webhookSchema, body, 'webhook');
      const institutionCode = institutionScopeOf(principal);
      if (!institutionCode) throw forbidden('Only an institution subscribes to its requests.');
      const hook = await prisma.institutionWebhook.create({
        data: { id: randomUUID(), institutionCode, url: input.url, description: input.description ?? null, secret: randomBytes(32).toString('base64url'), createdByKeyId: principal.keyId },
      });
      return { ...hookView(hook), secret: hook.secret };
    },
    async list(principal: Principal) {
      const hooks = await prisma.institutionWebhook.findMany({ where: { institutionCode: institutionScopeOf(principal) ?? '', deletedAt: null }, orderBy: { createdAt: 'asc' } });
      return hooks.map(hookView);
    },
    async remove(principal: Principal, id: string): Promise<void> {
      await ownHook(principal, id);
      await prisma.institutionWebhook.update({ where: { id }, data: { deletedAt: new Date() } });
    },
  };
}

export type InstitutionWebhookService = ReturnType<typeof createInstitutionWebhookService>;
