import type { Principal, Role } from '../api/auth.js';
import type { PrismaClient } from '../prisma/generated/client.js';

/**
 * The principal behind a session, looked up on every request by key id, so
 * that revoking the key ends its dashboard sessions at once.
 */
export async function principalByKeyId(prisma: PrismaClient, keyId: string): Promise<Principal | null> {
  const row = await prisma.apiKey.findUnique({ where: { id: keyId } });
  if (!row || row.revokedAt) return null;
  return { keyId: row.id, name: row.name, role: row.role as Role, departmentCode: row.departmentCode, courtCode: row.courtCode };
}

/** Administrators manage keys through the API only; the dashboard shows case data they have no need to see. */
export function maySignIn(principal: Principal): boolean {
  return principal.role !== 'admin';
}
