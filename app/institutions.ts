import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../prisma/generated/client.js';
import { institutionScopeOf, type Principal } from '../domain/access.js';
import { institutionDirectorySchema } from '../domain/institutions.js';
import { publicKeyProblem, verifyDocument, type SignatureAlgorithm } from '../platform/signed-documents.js';
import { loadInstitutionDirectory } from '../db/institution-directory.js';
import type { CourtSeals } from '../platform/court-seals.js';
import { conflict, forbidden, invalid, notFound } from './errors.js';
import { institutionKeySchema, signingKeyQuerySchema } from './asset-schemas.js';
import { parseInput } from './validate.js';

/** An institution's registered key that verified a document, or why none did. */
export type KeyCheck = { verified: true; keyId: string } | { verified: false; reason: 'unknown-key' | 'bad-signature' };

/**
 * The directory of financial institutions and registries, their public keys
 * (their electronic seals), and the courts' own public keys.
 */
export function createInstitutionService({ prisma, seals }: { prisma: PrismaClient; seals: CourtSeals }) {
  return {
    /** GET /api/institutions — the directory as it stands, with each institution's keys. */
    async list() {
      const rows = await prisma.institution.findMany({ where: { retiredAt: null }, include: { keys: { where: { revokedAt: null }, orderBy: { createdAt: 'asc' } } }, orderBy: { code: 'asc' } });
      return {
        version: rows[0]?.directoryVersion ?? null,
        institutions: rows.map((row) => ({
          code: row.code,
          name: row.name,
          kind: row.kind,
          channel: row.channel,
          capabilities: row.capabilities,
          contactEmail: row.contactEmail,
          supervisorEmail: row.supervisorEmail,
          keys: row.keys.map((key) => ({ keyId: key.keyId, alg: key.alg, publicKey: key.publicKey, createdAt: key.createdAt.toISOString() })),
        })),
      };
    },

    /** POST /api/institutions (admin): a new directory version; institutions it no longer lists are retired. */
    async importDirectory(body: unknown) {
      return loadInstitutionDirectory(prisma, parseInput(institutionDirectorySchema, body, 'directory'));
    },

    /**
     * POST /api/institutions/:code/keys — by an administrator, or by the
     * institution itself. A key id names one key for good: registering it
     * again with the same key changes nothing, with another key is refused.
     */
    async registerKey(principal: Principal, code: string, body: unknown) {
      const scope = institutionScopeOf(principal);
      if (principal.role === 'institution' && scope !== code) throw forbidden('An institution registers its own keys only.');
      const input = parseInput(institutionKeySchema, body, 'key');
      const problem = publicKeyProblem(input.alg, input.publicKey);
      if (problem) throw invalid('The public key is not usable.', [{ field: 'publicKey', message: problem }]);
      const institution = await prisma.institution.findUnique({ where: { code } });
      if (!institution || institution.retiredAt) throw notFound(`No institution ${code} in the directory.`);
      const existing = await prisma.institutionKey.findUnique({ where: { institutionCode_keyId: { institutionCode: code, keyId: input.keyId } } });
      if (existing) {
        if (existing.publicKey !== input.publicKey || existing.alg !== input.alg) throw conflict(`Key ${input.keyId} of ${code} is registered already with another public key: choose a new key id.`);
        return { created: false, key: keyView(existing) };
      }
      const key = await prisma.institutionKey.create({ data: { institutionCode: code, keyId: input.keyId, alg: input.alg, publicKey: input.publicKey, createdBy: `${principal.role}:${principal.name}` } });
      return { created: true, key: keyView(key) };
    },

    /** Whether a document bears a valid signature by one of the institution's registered keys, the one its keyId names. */
    /** The directory version searches go out under: the one loaded last (an earlier one may be loaded again). */
    async currentVersion(): Promise<number | null> {
      const row = await prisma.institution.findFirst({ where: { retiredAt: null }, select: { directoryVersion: true } });
      return row?.directoryVersion ?? null;
    },

    async verify(institutionCode: string, document: Record<string, unknown>): Promise<KeyCheck> {
      const keyId = typeof document.keyId === 'string' ? document.keyId : '';
      const key = await prisma.institutionKey.findUnique({ where: { institutionCode_keyId: { institutionCode, keyId } } });
      if (!key || key.revokedAt) return { verified: false, reason: 'unknown-key' };
      return verifyDocument(document, { alg: key.alg as SignatureAlgorithm, publicKey: key.publicKey }) ? { verified: true, keyId } : { verified: false, reason: 'bad-signature' };
    },

    /**
     * The signed document of an institution, or a refusal: a signature by no
     * registered key, or one that does not verify, is 400 naming `keyId` or
     * `signature`, and kept in the asset audit trail (`<what>-refused`) so a
     * failing signer shows. Returns the key id that verified it.
     */
    async acceptSigned(principal: Principal, institutionCode: string, document: Record<string, unknown>, refusal: { what: 'answer' | 'confirmation'; coveredId: 'requestId' | 'orderId'; eventId: string; searchId: string; requestId?: string; data?: Record<string, unknown> }): Promise<string> {
      const check = await this.verify(institutionCode, document);
      if (check.verified) return check.keyId;
      const keyId = String(document.keyId ?? '');
      await prisma.assetEvent.create({
        data: { id: `${refusal.eventId}.refused.${randomUUID()}`, searchId: refusal.searchId, requestId: refusal.requestId ?? null, institutionCode, at: new Date(), type: `${refusal.what}-refused`, actor: `${principal.role}:${principal.name}`, data: { ...refusal.data, reason: check.reason, keyId } },
      });
      const message = check.reason === 'unknown-key' ? `no registered key ${keyId} of ${institutionCode} (POST /api/institutions/${institutionCode}/keys)` : `does not verify over the canonical JSON of the ${refusal.what} (RFC 8785, without signature and keyId, with ${refusal.coveredId})`;
      throw invalid(`The ${refusal.what}'s signature is not valid: nothing was recorded.`, [{ field: check.reason === 'unknown-key' ? 'keyId' : 'signature', rule: check.reason, message }]);
    },

    /** GET /api/signing-keys — the courts' public keys: every court that has searched, and any asked for. */
    async signingKeys(query: unknown) {
      const { courtCode } = parseInput(signingKeyQuerySchema, query, 'query');
      const asked = courtCode ? [courtCode] : [];
      const searched = await prisma.assetSearch.findMany({ distinct: ['courtCode'], select: { courtCode: true } });
      const courts = [...new Set([...searched.map((row) => row.courtCode), ...asked])].sort();
      return seals.publicKeys(courts);
    },
  };
}

const keyView = (key: { institutionCode: string; keyId: string; alg: string; publicKey: string; createdAt: Date }) => ({
  institutionCode: key.institutionCode,
  keyId: key.keyId,
  alg: key.alg,
  publicKey: key.publicKey,
  createdAt: key.createdAt.toISOString(),
});

export type InstitutionService = ReturnType<typeof createInstitutionService>;
