import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Transporter } from 'nodemailer';
import type { PrismaClient } from '../prisma/generated/client.js';
import type { TaskService } from './tasks.js';
import type { WorkflowRefusal } from './workflow-gateway.js';
import { REPLY_LOCAL_PART, readReplyLocalPart } from '../platform/signed-tokens.js';
import type { Keyring } from '../platform/signing.js';
import { composeAnswer, type AnswerReason } from '../mail/inbound/answers.js';
import { parseReply } from '../mail/inbound/parse-reply.js';

/**
 * Turns a reply to a task email into an acknowledgment or completion. The
 * signed reply address names the task; the From address must be one the
 * department registered; the Message-ID makes a redelivery a no-op.
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
  | 'extension-requested'
  | `refused:${'auto-reply' | 'bounce' | 'loop' | 'unknown-task' | 'task-cancelled' | 'listing-closed' | 'task-state' | 'bad-extension'}`;

export interface ReplyHandlerDeps {
  prisma: PrismaClient;
  tasks: Pick<TaskService, 'actOnBehalfOfDepartment' | 'requestExtensionOnBehalfOfDepartment'>;
  mail: Pick<Transporter, 'sendMail'>;
  mailFrom: string;
  keyring: Keyring;
  log: Logger;
  now?: () => Date;
}

/** A claim older than this belongs to a delivery that died before recording its outcome. */
const STALE_CLAIM_MS = 15 * 60 * 1000;
const CLAIMED = 'received';

interface Decision {
  outcome: Exclude<ReplyOutcome, 'duplicate'>;
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

  /** True when this delivery is the one to act; false for a redelivery. */
  async function claim(messageId: string): Promise<boolean> {
    const inserted = await prisma.inboundReply.createMany({ data: [{ messageId, outcome: CLAIMED, receivedAt: now() }], skipDuplicates: true });
    if (inserted.count === 1) return true;
    const takenOver = await prisma.inboundReply.updateMany({
      where: { messageId, outcome: CLAIMED, receivedAt: { lt: new Date(now().getTime() - STALE_CLAIM_MS) } },
      data: { receivedAt: now() },
    });
    return takenOver.count === 1;
  }

  function verifiedRecipient(recipients: string[]): { taskId: string; address: string } | null {
    for (const address of recipients) {
      const taskId = readReplyLocalPart(deps.keyring, localPartOf(address.trim()));
      if (taskId) return { taskId, address: address.trim() };
    }
    return null;
  }

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
      const forged = reply.recipients.some((address) => REPLY_LOCAL_PART.test(localPartOf(address.trim())));
      return { outcome: forged ? 'forged' : 'unsigned', taskId: null, answer: { reason: 'unsigned' } };
    }
    const task = await prisma.task.findUnique({ where: { id: recipient.taskId }, include: { department: true } });
    if (!task) return { outcome: 'refused:unknown-task', taskId: null, answer: { reason: 'unknown-task' } };
    const allowed = [task.department.contactEmail, task.department.supervisorEmail].map(normalized);
    if (!from || !allowed.includes(normalized(from))) return { outcome: 'wrong-sender', taskId: task.id, answer: { reason: 'wrong-sender' } };

    const parsed = parseReply(reply);
    if (!parsed.action) return { outcome: 'unparseable', taskId: task.id, answer: { reason: 'unparseable', replyTo: recipient.address } };
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

  async function answer(reply: InboundReply, messageId: string, from: string | null, decision: Decision): Promise<void> {
    if (!decision.answer || !from) return;
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
  }

  /**
   * Resolves once the outcome is recorded; a rejection means nothing was
   * recorded and the sender should deliver again later.
   */
  return async function handleReply(reply: InboundReply): Promise<ReplyOutcome> {
    const messageId = messageIdOf(reply);
    if (!(await claim(messageId))) {
      log.info({ messageId }, 'inbound reply already handled');
      return 'duplicate';
    }
    try {
      const from = reply.from?.trim() || null;
      const decision = await decide(reply, from);
      await answer(reply, messageId, from, decision);
      await prisma.inboundReply.update({ where: { messageId }, data: { outcome: decision.outcome, taskId: decision.taskId } });
      log.info({ messageId, taskId: decision.taskId, outcome: decision.outcome, answered: Boolean(decision.answer && from) }, 'inbound reply');
      return decision.outcome;
    } catch (error) {
      // Released, so that the redelivery this failure asks for is handled afresh.
      await prisma.inboundReply.deleteMany({ where: { messageId, outcome: CLAIMED } }).catch(() => undefined);
      throw error;
    }
  };
}

export type ReplyHandler = ReturnType<typeof createReplyHandler>;
