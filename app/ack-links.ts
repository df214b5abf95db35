import { disclosedIdentifier } from '../domain/disclosure.js';
import { storableText } from '../domain/text.js';
import type { PrismaClient } from '../prisma/generated/client.js';
import { readLinkToken, type LinkTokenClaims } from '../platform/signed-tokens.js';
import type { Keyring } from '../platform/signing.js';
import type { TaskService } from './tasks.js';

export type LinkState =
  | { state: 'unknown' }
  | { state: 'expired' }
  | { state: 'used' }
  | { state: 'valid'; claims: LinkTokenClaims; view: LinkTaskView };

export interface LinkTaskView {
  departmentName: string;
  caseNumber: string;
  debtorName: string;
  maskedIdNumber: string;
  phase: string;
  measures: string;
  acknowledgeDueAt: Date;
  completeDueAt: Date;
  status: string;
}

export type LinkOutcome =
  | { outcome: 'done'; changed: boolean; status: string }
  | { outcome: 'refused'; detail: string }
  /** Nothing was done for now (the workflow is continuing as new): the same link works in a moment. */
  | { outcome: 'retry-later'; detail: string }
  | Exclude<LinkState, { state: 'valid' }>;

/**
 * The one-click links of the notices. A link is signed, expires, and works
 * once; opening it (GET) changes nothing, since mail scanners follow links.
 */
export function createAckLinkService({ prisma, tasks, keyring, now = () => new Date() }: { prisma: PrismaClient; tasks: TaskService; keyring: Keyring; now?: () => Date }) {
  async function inspect(token: string): Promise<LinkState> {
    const claims = /^[A-Za-z0-9_.-]{1,400}$/.test(token) ? readLinkToken(keyring, token) : null;
    if (!claims) return { state: 'unknown' };
    const task = await prisma.task.findUnique({ where: { id: claims.taskId }, include: { listing: true, department: true } });
    if (!task) return { state: 'unknown' };
    if (await prisma.usedLinkToken.findUnique({ where: { nonce: claims.nonce } })) return { state: 'used' };
    if (claims.expiresAt * 1000 <= now().getTime()) return { state: 'expired' };
    return {
      state: 'valid',
      claims,
      view: {
        departmentName: `${task.department.nameZh} · ${task.department.nameEn}`,
        caseNumber: task.listing.caseNumber,
        debtorName: task.listing.debtorName,
        maskedIdNumber: disclosedIdentifier({ channel: 'page' }, task.listing.debtorIdNumber),
        phase: task.kind === 'impose' ? '实施惩戒 impose' : '解除惩戒 lift',
        measures: task.measures.join(', '),
        acknowledgeDueAt: task.acknowledgeDueAt,
        completeDueAt: task.completeDueAt,
        status: task.status,
      },
    };
  }

  return {
    inspect,

    /** Acts once: the action runs first (a repeat of it is harmless), then the link is spent. */
    async use(token: string, note: string | undefined): Promise<LinkOutcome> {
      const link = await inspect(token);
      if (link.state !== 'valid') return link;
      const task = await prisma.task.findUniqueOrThrow({ where: { id: link.claims.taskId }, include: { department: true } });
      const outcome = await tasks.actOnBehalfOfDepartment(task.id, link.claims.action, {
        by: `email link (${task.department.contactEmail})`,
        note: note?.trim() ? storableText(note.trim()).slice(0, 2000) : undefined,
      });
      // A refused action leaves the link unspent: it did nothing.
      if (!outcome.done) return { outcome: outcome.refused === 'retryLater' ? 'retry-later' : 'refused', detail: outcome.message };
      await prisma.usedLinkToken.createMany({ data: [{ nonce: link.claims.nonce, taskId: task.id, action: link.claims.action }], skipDuplicates: true });
      return { outcome: 'done', changed: outcome.changed, status: outcome.task.status };
    },
  };
}

export type AckLinkService = ReturnType<typeof createAckLinkService>;
