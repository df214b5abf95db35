import type { PrismaClient } from '../prisma/generated/client.js';

/** How long an answer is kept and replayed. */
export const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;
/**
 * A first request still "in progress" after this long died with its process
 * (the longest request, an update retried while its workflow is busy, takes
 * about 25 s): a repeat runs it again instead of waiting for it forever.
 */
export const IN_PROGRESS_TAKEOVER_MS = 60_000;
/** Expired answers are deleted at most this often per process. */
const SWEEP_INTERVAL_MS = 60_000;

/** What identifies one request under a key: a repeat must match it. */
export interface IdempotentRequestIdentity {
  apiKeyId: string;
  key: string;
  method: string;
  path: string;
  bodyHash: string;
}

export interface StoredAnswer {
  status: number;
  body: string;
  contentType: string | null;
  location: string | null;
}

/** What a request with a key comes to before it runs. */
export type IdempotencyClaim =
  | { state: 'claimed' }
  | { state: 'replay'; answer: StoredAnswer }
  | { state: 'in-progress' }
  | { state: 'mismatch'; method: string; path: string };

/** The answers of requests made with an `Idempotency-Key`, kept in PostgreSQL so every API process sees them. */
export function createIdempotentRequestStore(prisma: PrismaClient, now: () => number = Date.now) {
  let sweptAt = 0;

  async function sweep(): Promise<void> {
    if (now() - sweptAt < SWEEP_INTERVAL_MS) return;
    sweptAt = now();
    await prisma.idempotentRequest.deleteMany({ where: { createdAt: { lt: new Date(now() - IDEMPOTENCY_RETENTION_MS) } } });
  }

  return {
    /**
     * Claims the key for this request, or says what is known under it: the
     * answer to replay, a first request still running, or another request.
     * Exactly one of concurrent first requests claims it (the row's primary key).
     */
    async claim(request: IdempotentRequestIdentity): Promise<IdempotencyClaim> {
      await sweep();
      for (;;) {
        const inserted = await prisma.idempotentRequest.createMany({ data: [{ ...request, createdAt: new Date(now()) }], skipDuplicates: true });
        if (inserted.count === 1) return { state: 'claimed' };
        const row = await prisma.idempotentRequest.findUnique({ where: { apiKeyId_key: { apiKeyId: request.apiKeyId, key: request.key } } });
        if (!row) continue;
        const age = now() - row.createdAt.getTime();
        if (age >= IDEMPOTENCY_RETENTION_MS) {
          // Expired and not swept yet: the key is free again.
          await prisma.idempotentRequest.deleteMany({ where: { apiKeyId: row.apiKeyId, key: row.key, createdAt: row.createdAt } });
          continue;
        }
        if (row.method !== request.method || row.path !== request.path || row.bodyHash !== request.bodyHash) return { state: 'mismatch', method: row.method, path: row.path };
        if (row.status !== null) return { state: 'replay', answer: { status: row.status, body: row.responseBody ?? '', contentType: row.contentType, location: row.location } };
        if (age < IN_PROGRESS_TAKEOVER_MS) return { state: 'in-progress' };
        const takenOver = await prisma.idempotentRequest.updateMany({ where: { apiKeyId: row.apiKeyId, key: row.key, status: null, createdAt: row.createdAt }, data: { createdAt: new Date(now()) } });
        return takenOver.count === 1 ? { state: 'claimed' } : { state: 'in-progress' };
      }
    },

    /** The claimed request's answer, kept for its repeats. */
    async complete({ apiKeyId, key }: Pick<IdempotentRequestIdentity, 'apiKeyId' | 'key'>, answer: StoredAnswer): Promise<void> {
      await prisma.idempotentRequest.updateMany({
        where: { apiKeyId, key, status: null },
        data: { status: answer.status, responseBody: answer.body, contentType: answer.contentType, location: answer.location },
      });
    },

    /** The claimed request was refused or failed (4xx, 5xx) and changed nothing: the key is free again. */
    async release({ apiKeyId, key }: Pick<IdempotentRequestIdentity, 'apiKeyId' | 'key'>): Promise<void> {
      await prisma.idempotentRequest.deleteMany({ where: { apiKeyId, key, status: null } });
    },
  };
}

export type IdempotentRequestStore = ReturnType<typeof createIdempotentRequestStore>;
