import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Transporter } from 'nodemailer';
import type { PrismaClient } from '../prisma/generated/client.js';
import type { TaskService } from './tasks.js';
import type { WorkflowRefusal } from './workflow-gateway.js';
import { looksLikeReplyAddress, readReplyLocalPart, type ReplyAddressClaims } from '../platform/signed-tokens.js';
import type { Keyring } from '../platform/signing.js';
import { LINK_GRACE_MS } from '../mail/compose-task-mail.js';
import { composeAnswer, type AnswerReason } from '../mail/inbound/answers.js';
import { senderAuthenticated, type TraceHeader } from '../mail/inbound/authentication-results.js';
import { parseReply } from '../mail/inbound/parse-reply.js';
import { takeAnswerQuota } from './reply-answer-quota.js';

/**
 * Turns a reply to a task email into an acknowledgment, a completion or a
 * request for more time. The signed reply address names the task and expires;
 * the From address must be one the department registered; the Message-ID
 * makes a redelivery a no-op.
 *
 * A From header is easy to forge and the reply address travels in every
 * forwarded copy of the notice, so together they prove little: they suffice
 * to acknowledge receipt. Completing a task or asking for more time by reply
 * needs mail whose From domain a trusted relay authenticated (DKIM aligned
 * with it, or DMARC pass); otherwise the link or the dashboard.
 */
export interface InboundReply {
  /** MAIL FROM; empty or null for the null sender of bounces. */
  envelopeFrom: string | null;
  /** RCPT TO addresses. */
  recipients: string[];
  /** The address of the From header. */
  from: string | null;
  messageId: string | null;
  references: string[];
  subject: string | undefined;
  /** Header values by lower-case name. */
  headers: Record<string, string>;
  text: string | null | undefined;
  html: string | null | undefined;
  /** Received and Authentication-Results headers, topmost first. */
  trace?: TraceHeader[];
}

export type ReplyOutcome =
  | 'acknowledged'
  | 'completed'
  | 'unchanged'
  | 'unsigned'
  | 'forged'
  | 'wrong-sender'
  | 'unparseable'
  | 'duplicate'
  /** Another delivery of the same message is being handled: this one is to come again (SMTP 451). */
  | 'in-progress'
  | 'extension-requested'
  | `refused:${'auto-reply' | 'bounce' | 'loop' | 'unknown-task' | 'task-cancelled' | 'listing-closed' | 'task-state' | 'bad-extension' | 'unauthenticated' | 'address-expired'}`;

export interface ReplyHandlerDeps {
  prisma: PrismaClient;
  tasks: Pick<TaskService, 'actOnBehalfOfDepartment' | 'requestExtensionOnBehalfOfDepartment'>;
  mail: Pick<Transporter, 'sendMail'>;
  mailFrom: string;
  keyring: Keyring;
  /** Authserv-ids of the relays whose Authentication-Results count (INBOUND_TRUSTED_AUTHSERV_IDS). */
  trustedAuthservIds?: readonly string[];
  /** Answers per address and hour; see reply-answer-quota.ts. */
  answersPerHour?: number;
  log: Logger;
  now?: () => Date;
}

/**
 * A claim older than this belongs to a delivery that died before recording
 * its outcome, and the next delivery takes it over. Handling takes seconds
 * (a workflow update waits at most about 20 s for an unreachable Temporal).
 */
export const STALE_CLAIM_MS = 2 * 60 * 1000;
const CLAIMED = 'received';

interface Decision {
  outcome: Exclude<ReplyOutcome, 'duplicate' | 'in-progress'>;
  taskId: string | null;
  answer?: { reason: AnswerReason; replyTo?: string };
}

const localPartOf = (address: string) => address.slice(0, Math.max(address.lastIndexOf('@'), 0)) || address;
const normalized = (address: string) => address.trim().toLowerCase();

function addressOf(mailbox: string): string {
  return /<([^>]+)>\s*$/.exec(mailbox)?.[1] ?? mailbox.trim();
}

/** Bounces and automatic answers never act and are never answered: that is how mail loops start. */
function automaticKind(reply: InboundReply): 'bounce' | 'auto-reply' | null {
  const sender = reply.envelopeFrom?.trim() ?? '';
  if (sender === '' || sender === '<>') return 'bounce';
  const daemon = (address: string) => /^(mailer-daemon|postmaster)$/i.test(localPartOf(address));
  if (daemon(sender) || (reply.from && daemon(reply.from))) return 'bounce';
  const header = (name: string) => (reply.headers[name] ?? '').split(';')[0]!.trim().toLowerCase();
  if (header('content-type') === 'multipart/report') return 'bounce';
  const autoSubmitted = header('auto-submitted');
  if (autoSubmitted !== '' && autoSubmitted !== 'no') return 'auto-reply';
  if (['bulk', 'auto_reply', 'junk', 'list'].includes(header('precedence'))) return 'auto-reply';
  if (header('x-autoreply') || header('x-autorespond')) return 'auto-reply';
  return null;
}

/** Dedup needs an id; a message without one is identified by what it says. */
function messageIdOf(reply: InboundReply): string {
  const given = reply.messageId?.trim();
  if (given) return given.startsWith('<') ? given : `<${given}>`;
  const digest = createHash('sha256')
    .update(JSON.stringify([reply.from, reply.recipients, reply.headers['date'] ?? '', reply.subject ?? '', reply.text ?? '', reply.html ?? '']))
    .digest('hex');
  return `<${digest}@inbound.invalid>`;
}

export function createReplyHandler(deps: ReplyHandlerDeps) {
  const { prisma, tasks, mail, log, now = () => new Date() } = deps;
  const ownAddress = normalized(addressOf(deps.mailFrom));

  /**
   * `claimed` when this delivery is the one to act; `in-progress` while
   * another delivery of the message is being handled; `duplicate` once one was.
   */
  async function claim(messageId: string): Promise<'claimed' | 'in-progress' | 'duplicate'> {
    const inserted = await prisma.inboundReply.createMany({ data: [{ messageId, outcome: CLAIMED, receivedAt: now() }], skipDuplicates: true });
    if (inserted.count === 1) return 'claimed';
    const takenOver = await prisma.inboundReply.updateMany({
      where: { messageId, outcome: CLAIMED, receivedAt: { lt: new Date(now().getTime() - STALE_CLAIM_MS) } },
      data: { receivedAt: now() },
    });
    if (takenOver.count === 1) return 'claimed';
    const held = await prisma.inboundReply.findUnique({ where: { messageId } });
    // Released meanwhile by a delivery that failed: the sender will come again.
    if (!held || held.outcome === CLAIMED) return 'in-progress';
    return 'duplicate';
  }

  function verifiedRecipient(recipients: string[]): (ReplyAddressClaims & { address: string }) | null {
    for (const address of recipients) {
      const claims = readReplyLocalPart(deps.keyring, localPartOf(address.trim()));
      if (claims) return { ...claims, address: address.trim() };
    }
    return null;
  }

  /** Addresses mailed before they carried an expiry count as long as the ones mailed now: 30 days past the completion deadline. */
  const expired = (recipient: ReplyAddressClaims, completeDueAt: Date) =>
    now().getTime() >= (recipient.expiresAt === null ? completeDueAt.getTime() + LINK_GRACE_MS : recipient.expiresAt * 1000);

  /** The workflow's own reason becomes the answer; a wrong department cannot happen for a signed reply. */
  function refusalOf(taskId: string, { refused, message }: WorkflowRefusal): Decision {
    if (refused === 'unknownTask') return { outcome: 'refused:unknown-task', taskId, answer: { reason: 'unknown-task' } };
    if (refused === 'taskClosed') return { outcome: 'refused:task-cancelled', taskId, answer: { reason: 'task-cancelled' } };
    if (refused === 'listingClosed' || refused === 'workflowEnded') return { outcome: 'refused:listing-closed', taskId, answer: { reason: 'listing-closed' } };
    if (refused === 'wrongState') return { outcome: 'refused:task-state', taskId, answer: { reason: 'task-state' } };
    throw new Error(`reply to task ${taskId} refused: ${message}`);
  }

  async function decide(reply: InboundReply, from: string | null): Promise<Decision> {
    const recipient = verifiedRecipient(reply.recipients);
    const taskId = recipient?.taskId ?? null;
    const automatic = automaticKind(reply);
    if (automatic) return { outcome: `refused:${automatic}`, taskId };
    if (from && normalized(from) === ownAddress) return { outcome: 'refused:loop', taskId };
    if (!recipient) {
      const forged = reply.recipients.some((address) => looksLikeReplyAddress(localPartOf(address.trim())));
      return { outcome: forged ? 'forged' : 'unsigned', taskId: null, answer: { reason: 'unsigned' } };
    }
    const task = await prisma.task.findUnique({ where: { id: recipient.taskId }, include: { department: true } });
    if (!task) return { outcome: 'refused:unknown-task', taskId: null, answer: { reason: 'unknown-task' } };
    const allowed = [task.department.contactEmail, task.department.supervisorEmail].map(normalized);
    if (!from || !allowed.includes(normalized(from))) return { outcome: 'wrong-sender', taskId: task.id, answer: { reason: 'wrong-sender' } };
    if (expired(recipient, task.completeDueAt)) return { outcome: 'refused:address-expired', taskId: task.id, answer: { reason: 'address-expired' } };

    const parsed = parseReply(reply);
    if (!parsed.action) return { outcome: 'unparseable', taskId: task.id, answer: { reason: 'unparseable', replyTo: recipient.address } };
    if (parsed.action !== recipient.grant && !senderAuthenticated(reply.trace ?? [], deps.trustedAuthservIds ?? [], from)) {
      return { outcome: 'refused:unauthenticated', taskId: task.id, answer: { reason: 'unauthenticated' } };
    }
    if (parsed.action === 'extend') {
      if (!parsed.note) return { outcome: 'refused:bad-extension', taskId: task.id, answer: { reason: 'bad-extension', replyTo: recipient.address } };
      const requested = await tasks.requestExtensionOnBehalfOfDepartment(task.id, { by: from, until: parsed.until, reason: parsed.note });
      if (requested.done) return { outcome: 'extension-requested', taskId: task.id };
      return { outcome: `refused:${requested.reason}`, taskId: task.id, answer: { reason: requested.reason, replyTo: recipient.address } };
    }
    const outcome = await tasks.actOnBehalfOfDepartment(task.id, parsed.action, { by: from, note: parsed.note });
    if (!outcome.done) return refusalOf(task.id, outcome);
    return { outcome: !outcome.changed ? 'unchanged' : parsed.action === 'acknowledge' ? 'acknowledged' : 'completed', taskId: task.id };
  }

  /** Only registered department addresses are answered: anyone else may be a forged From, and the answer backscatter. */
  async function registered(address: string): Promise<boolean> {
    const matches = { equals: address, mode: 'insensitive' as const };
    return (await prisma.department.count({ where: { OR: [{ contactEmail: matches }, { supervisorEmail: matches }] } })) > 0;
  }

  /** Whether an answer went out. */
  async function answer(reply: InboundReply, messageId: string, from: string | null, decision: Decision): Promise<boolean> {
    if (!decision.answer || !from) return false;
    if (!(await registered(from))) return false;
    if (!(await takeAnswerQuota(prisma, from, now(), deps.answersPerHour))) {
      log.warn({ messageId, outcome: decision.outcome }, 'inbound reply not answered: the sender had its answers for this hour');
      return false;
    }
    await mail.sendMail(
      composeAnswer({
        reason: decision.answer.reason,
        to: from,
        mailFrom: deps.mailFrom,
        inReplyTo: messageId,
        references: reply.references,
        subject: reply.subject,
        taskId: decision.taskId,
        replyTo: decision.answer.replyTo ?? null,
      }),
    );
    return true;
  }

  /**
   * Resolves once the outcome is recorded; a rejection means nothing was
   * recorded and the sender should deliver again later.
   */
  return async function handleReply(reply: InboundReply): Promise<ReplyOutcome> {
    const messageId = messageIdOf(reply);
    const claimed = await claim(messageId);
    if (claimed !== 'claimed') {
      log.info({ messageId, claimed }, claimed === 'duplicate' ? 'inbound reply already handled' : 'inbound reply being handled by another delivery');
      return claimed;
    }
    try {
      const from = reply.from?.trim() || null;
      const decision = await decide(reply, from);
      const answered = await answer(reply, messageId, from, decision);
      await prisma.inboundReply.update({ where: { messageId }, data: { outcome: decision.outcome, taskId: decision.taskId } });
      log.info({ messageId, taskId: decision.taskId, outcome: decision.outcome, answered }, 'inbound reply');
      return decision.outcome;
    } catch (error) {
      // Released, so that the redelivery this failure asks for is handled afresh.
      await prisma.inboundReply.deleteMany({ where: { messageId, outcome: CLAIMED } }).catch(() => undefined);
      throw error;
    }
  };
}

export type ReplyHandler = ReturnType<typeof createReplyHandler>;
