import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { PrismaClient } from '../prisma/generated/client.js';
import { keyScopeProblems, type Principal, type Role } from '../domain/access.js';
import { apiKeyStateOf } from '../domain/api-key-state.js';
import type { ApiKey } from '../prisma/generated/client.js';
import { invalid, notFound } from './errors.js';
import { listingIdParam } from './schemas.js';

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
  institutionCode?: string | undefined;
  /** ISO-8601 instant from which the key is refused. */
  expiresAt?: string | undefined;
}

/** How the bootstrap admin keys are named, so that a start can tell them from keys an administrator made. */
const CONFIGURED_ADMIN = 'ADMIN_API_KEY';
const GENERATED_ADMIN = 'generated at start';

/**
 * How long a resolved key is remembered: a department system checking
 * restrictions thousands of times a second is not looked up each time. A key
 * revoked through another API process stops working there within this long;
 * in the process that revoked it, at once.
 */
const RESOLVED_KEY_TTL_MS = 5_000;
const MAX_REMEMBERED_KEYS = 10_000;

/** A key as an administrator sees it: never its secret or hash. */
function keyView(row: ApiKey, now: Date) {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    departmentCode: row.departmentCode,
    courtCode: row.courtCode,
    institutionCode: row.institutionCode,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    status: apiKeyStateOf(row, now),
  };
}

export function createApiKeyService(prisma: PrismaClient, now: () => number = Date.now) {
  const remembered = new Map<string, { principal: Principal | null; until: number }>();

  /** The principal a stored key stands for, unless it was revoked or has expired. */
  function principalOf(row: ApiKey | null): Principal | null {
    if (!row || apiKeyStateOf(row, new Date(now())) !== 'active') return null;
    return { keyId: row.id, name: row.name, role: row.role as Role, departmentCode: row.departmentCode, courtCode: row.courtCode, institutionCode: row.institutionCode };
  }

  function forget(keyId: string): void {
    for (const [hash, entry] of remembered) if (entry.principal?.keyId === keyId) remembered.delete(hash);
  }

  return {
    async resolve(key: string): Promise<Principal | null> {
      const keyHash = hashApiKey(key);
      const known = remembered.get(keyHash);
      if (known && known.until > now()) return known.principal;
      const row = await prisma.apiKey.findUnique({ where: { keyHash } });
      const principal = principalOf(row);
      // Unknown keys are not remembered: guessing must not fill the memory.
      if (principal && row) {
        if (remembered.size >= MAX_REMEMBERED_KEYS) remembered.clear();
        // Never remembered past its expiry: an expired key is refused on the instant.
        const until = Math.min(now() + RESOLVED_KEY_TTL_MS, row.expiresAt?.getTime() ?? Infinity);
        remembered.set(keyHash, { principal, until });
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

    async create(input: NewApiKey): Promise<{ id: string; key: string; expiresAt: string | null }> {
      const scopeProblems = keyScopeProblems(input);
      if (scopeProblems.length > 0) throw invalid('The key\'s scope does not fit its role.', scopeProblems);
      const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
      if (expiresAt && expiresAt.getTime() <= now()) {
        throw invalid('The key would be expired already.', [{ field: 'expiresAt', rule: 'in-future', message: 'must be in the future' }]);
      }
      if (input.departmentCode && !(await prisma.department.findUnique({ where: { code: input.departmentCode } }))) {
        throw invalid('Unknown department.', [{ field: 'departmentCode', message: `no department ${input.departmentCode} in the catalog` }]);
      }
      if (input.institutionCode && !(await prisma.institution.findFirst({ where: { code: input.institutionCode, retiredAt: null } }))) {
        throw invalid('Unknown institution.', [{ field: 'institutionCode', message: `no institution ${input.institutionCode} in the directory` }]);
      }
      const key = generateApiKey();
      const id = randomUUID();
      await prisma.apiKey.create({
        data: { id, name: input.name, role: input.role, departmentCode: input.departmentCode ?? null, courtCode: input.courtCode ?? null, institutionCode: input.institutionCode ?? null, keyHash: hashApiKey(key), expiresAt },
      });
      return { id, key, expiresAt: expiresAt?.toISOString() ?? null };
    },

    /** GET /api/api-keys — every key, newest first, with whether it still works. */
    async list() {
      const rows = await prisma.apiKey.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] });
      const at = new Date(now());
      return rows.map((row) => keyView(row, at));
    },

    /**
     * DELETE /api/api-keys/:id — the key is refused from now on, by every
     * request, every dashboard session and every import it started. The row
     * stays, so the audit trail's actors and the disclosure log keep a name.
     * Revoking a revoked key changes nothing.
     */
    async revoke(id: string) {
      if (!listingIdParam.safeParse(id).success) throw notFound(`No API key ${id}.`);
      const row = await prisma.apiKey.findUnique({ where: { id } });
      if (!row) throw notFound(`No API key ${id}.`);
      if (!row.revokedAt) await prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date(now()) } });
      forget(id);
    },

    /**
     * Makes sure an admin key exists at start: the configured ADMIN_API_KEY,
     * or a freshly generated one (returned so it can be printed). Either way
     * every other bootstrap key — earlier generated ones, an earlier
     * ADMIN_API_KEY — stops working: a key printed to a terminal once must not
     * outlive the next start. A configured key an administrator revoked stays
     * revoked: the start fails and says so, rather than bring a leaked key back.
     */
    async ensureBootstrapAdmin(configuredKey: string | undefined): Promise<{ key: string; generated: boolean }> {
      const key = configuredKey ?? generateApiKey();
      const keyHash = hashApiKey(key);
      const name = configuredKey ? CONFIGURED_ADMIN : GENERATED_ADMIN;
      await prisma.$transaction(async (tx) => {
        await tx.apiKey.updateMany({
          where: { role: 'admin', name: { in: [CONFIGURED_ADMIN, GENERATED_ADMIN] }, revokedAt: null, keyHash: { not: keyHash } },
          data: { revokedAt: new Date(now()) },
        });
        const row = await tx.apiKey.upsert({ where: { keyHash }, create: { id: randomUUID(), name, role: 'admin', keyHash }, update: {} });
        if (row.revokedAt) {
          throw new Error(`ADMIN_API_KEY names a key revoked at ${row.revokedAt.toISOString()}; set ADMIN_API_KEY to a new key.`);
        }
      });
      return { key, generated: !configuredKey };
    },
  };
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>;
