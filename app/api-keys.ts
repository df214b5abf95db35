import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { PrismaClient } from '../prisma/generated/client.js';
import { keyScopeProblems, type Principal, type Role } from '../domain/access.js';
import type { ApiKey } from '../prisma/generated/client.js';
import { invalid } from './errors.js';

/**
 * API keys are random 256-bit secrets; only their SHA-256 is stored. A slow
 * password hash buys nothing for secrets this long and would cost every request.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function generateApiKey(): string {
  return `jsc_${randomBytes(32).toString('base64url')}`;
}

export interface NewApiKey {
  name: string;
  role: Role;
  departmentCode?: string | undefined;
  courtCode?: string | undefined;
}

/** The principal a stored key stands for, unless it was revoked. */
function principalOf(row: ApiKey | null): Principal | null {
  if (!row || row.revokedAt) return null;
  return { keyId: row.id, name: row.name, role: row.role as Role, departmentCode: row.departmentCode, courtCode: row.courtCode };
}

/**
 * How long a resolved key is remembered: a department system checking
 * restrictions thousands of times a second is not looked up each time. A key
 * revoked meanwhile stops working within this long.
 */
const RESOLVED_KEY_TTL_MS = 5_000;
const MAX_REMEMBERED_KEYS = 10_000;

export function createApiKeyService(prisma: PrismaClient, now: () => number = Date.now) {
  const remembered = new Map<string, { principal: Principal | null; until: number }>();
  return {
    async resolve(key: string): Promise<Principal | null> {
      const keyHash = hashApiKey(key);
      const known = remembered.get(keyHash);
      if (known && known.until > now()) return known.principal;
      const principal = principalOf(await prisma.apiKey.findUnique({ where: { keyHash } }));
      // Unknown keys are not remembered: guessing must not fill the memory.
      if (principal) {
        if (remembered.size >= MAX_REMEMBERED_KEYS) remembered.clear();
        remembered.set(keyHash, { principal, until: now() + RESOLVED_KEY_TTL_MS });
      }
      return principal;
    },

    /**
     * The principal behind a dashboard session, looked up on every request by
     * key id, so that revoking the key ends its sessions at once.
     */
    async byId(keyId: string): Promise<Principal | null> {
      return principalOf(await prisma.apiKey.findUnique({ where: { id: keyId } }));
    },

    async create(input: NewApiKey): Promise<{ id: string; key: string }> {
      const scopeProblems = keyScopeProblems(input);
      if (scopeProblems.length > 0) throw invalid('The key\'s scope does not fit its role.', scopeProblems);
      if (input.departmentCode && !(await prisma.department.findUnique({ where: { code: input.departmentCode } }))) {
        throw invalid('Unknown department.', [{ field: 'departmentCode', message: `no department ${input.departmentCode} in the catalog` }]);
      }
      const key = generateApiKey();
      const id = randomUUID();
      await prisma.apiKey.create({
        data: { id, name: input.name, role: input.role, departmentCode: input.departmentCode ?? null, courtCode: input.courtCode ?? null, keyHash: hashApiKey(key) },
      });
      return { id, key };
    },

    /**
     * Makes sure an admin key exists at start: the configured ADMIN_API_KEY,
     * or a freshly generated one (returned so it can be printed) that replaces
     * the previously generated one.
     */
    async ensureBootstrapAdmin(configuredKey: string | undefined): Promise<{ key: string; generated: boolean }> {
      const key = configuredKey ?? generateApiKey();
      const name = configuredKey ? 'ADMIN_API_KEY' : 'generated at start';
      await prisma.$transaction(async (tx) => {
        await tx.apiKey.updateMany({ where: { role: 'admin', name, revokedAt: null }, data: { revokedAt: new Date() } });
        await tx.apiKey.upsert({
          where: { keyHash: hashApiKey(key) },
          create: { id: randomUUID(), name, role: 'admin', keyHash: hashApiKey(key) },
          update: { revokedAt: null },
        });
      });
      return { key, generated: !configuredKey };
    },
  };
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>;
