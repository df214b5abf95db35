import { createHash } from 'node:crypto';

/**
 * The one answer a reply gets when it changed nothing, so that the department
 * knows to act another way instead of believing it has confirmed. It names
 * the task at most: whoever wrote from the wrong address learns nothing else.
 */
export type AnswerReason =
  | 'unsigned'
  | 'wrong-sender'
  | 'unparseable'
  | 'task-cancelled'
  | 'listing-closed'
  | 'unknown-task'
  | 'task-state'
  | 'bad-extension'
  | 'unauthenticated'
  | 'address-expired';

const EXPLANATIONS: Record<AnswerReason, { zh: string[]; en: string }> = {
  unsigned: {
    zh: ['您的回复未被处理：收件地址不是本平台为任务通知签发的回复地址（可能被修改或不完整）。', '请直接回复任务通知邮件，不要修改收件人地址；也可以使用通知中的确认链接。'],
    en: 'Your reply was not processed: it was not sent to the reply address of a task notice. Reply to the notice itself, or use the link in it.',
  },
  'wrong-sender': {
    zh: ['您的回复未被处理：发件地址不是该部门登记的联系邮箱或负责同志邮箱。', '请使用登记的邮箱回复，或使用通知中的确认链接。'],
    en: "Your reply was not processed: it was not sent from an address registered for the department. Reply from the department's registered address, or use the link in the notice.",
  },
  unparseable: {
    zh: ['您的回复未被处理：未能识别回复第一行的指令。', '请在回复的第一行只写“确认”（确认收到任务）或“完成”（已实施完毕），说明可从第二行起填写。'],
    en: 'Your reply was not processed: its first line must be ACK (or CONFIRM) to acknowledge the task, or DONE to report it completed; a note may follow on the next lines.',
  },
  'task-cancelled': {
    zh: ['该任务已因惩戒措施解除而撤销，无需再确认或反馈，您的回复未作处理。'],
    en: 'This task was cancelled when the sanctions were lifted; nothing more is needed, and your reply changed nothing.',
  },
  'listing-closed': {
    zh: ['该案件的联合惩戒流程已经结束，您的回复未作处理。'],
    en: 'The sanction process of this case has ended; your reply changed nothing.',
  },
  'task-state': {
    zh: ['您的回复未作处理：该任务目前不能这样办理（例如已申请退回、已改派，或须按措施逐项反馈后才能办结）。', '请登录平台办理。'],
    en: 'Your reply changed nothing: the task cannot be handled this way now (it was declined or reassigned, or its completion needs feedback per measure). Please use the dashboard.',
  },
  'bad-extension': {
    zh: ['您的延期申请未被受理：申请的日期须晚于当前期限，并请在第二行起写明理由。', '格式：第一行“延期 2026-12-20”，第二行起写理由。'],
    en: 'Your request for more time was not accepted: the date must be after the current deadline, and the lines after it must give the reason. Write "EXTEND 2026-12-20" on the first line and the reason below.',
  },
  unauthenticated: {
    zh: [
      '您的回复未被处理：通过回复邮件办结任务或申请延期，须经本平台信任的邮件网关验证发件域名（DKIM/DMARC）；您的邮件未通过或未经此验证。',
      '回复“确认”仍可确认收到任务；办结或申请延期请使用通知中的链接或登录平台办理。',
    ],
    en: 'Your reply was not processed: completing a task or asking for more time by email needs mail whose sending domain our mail relay authenticated (DKIM or DMARC), and yours was not. Replying ACK still acknowledges the task; to complete it or ask for more time, use the link in the notice or the dashboard.',
  },
  'address-expired': {
    zh: ['您的回复未被处理：该回复地址已过期。', '请回复该任务最近的一封通知邮件，或使用通知中的链接、登录平台办理。'],
    en: 'Your reply was not processed: this reply address has expired. Reply to the most recent email about the task, or use the link in it or the dashboard.',
  },
  'unknown-task': {
    zh: ['未找到该回复地址对应的任务，您的回复未作处理。'],
    en: 'No task matches this reply address; your reply changed nothing.',
  },
};

export interface AnswerInput {
  reason: AnswerReason;
  to: string;
  mailFrom: string;
  /** The Message-ID of the reply being answered, angle brackets included. */
  inReplyTo: string;
  references: string[];
  subject: string | undefined;
  taskId: string | null;
  /** Lets the sender correct an unparseable reply by answering this one. */
  replyTo: string | null;
}

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);

function domainOf(address: string): string {
  return /@([^>\s]+)>?\s*$/.exec(address)?.[1] ?? 'localhost';
}

/** nodemailer options for the answer; its Message-ID follows from the reply's, so a resend is recognisable. */
export function composeAnswer(input: AnswerInput) {
  const explanation = EXPLANATIONS[input.reason];
  const taskLine = input.taskId ? [`任务编号 / Task: ${input.taskId}`] : [];
  const paragraphs = [...explanation.zh, ...taskLine, explanation.en, '（本邮件由系统自动发送。This message was sent automatically.）'];
  const digest = createHash('sha256').update(input.inReplyTo).digest('hex').slice(0, 32);
  const original = input.subject?.trim();
  return {
    from: input.mailFrom,
    to: input.to,
    ...(input.replyTo ? { replyTo: input.replyTo } : {}),
    subject: original ? (/^re:/i.test(original) ? original : `Re: ${original}`) : '【联合惩戒】您的回复未被处理 / Your reply was not processed',
    messageId: `<${digest}.answer@${domainOf(input.mailFrom)}>`,
    inReplyTo: input.inReplyTo,
    references: [...input.references, input.inReplyTo],
    text: paragraphs.join('\n\n') + '\n',
    html: `<!doctype html><html><body>${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('')}</body></html>`,
    headers: {
      // RFC 3834: marks the answer as automatic so that well-behaved responders stay silent.
      'Auto-Submitted': 'auto-replied',
      'X-Auto-Response-Suppress': 'All',
      'X-Notice-Type': 'reply-answer',
      ...(input.taskId ? { 'X-Task-Id': input.taskId } : {}),
    },
  };
}
