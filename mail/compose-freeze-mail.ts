/**
 * Emails of control orders and freezes (网络执行查控): the order to an
 * institution, its reminder and escalations while unconfirmed, and the
 * officer's and the coordinating office's notes on a freeze's expiry.
 */
import { fill, formatChinaTime, renderMail, type RenderedMail } from './render.js';

export type FreezeMailType =
  | 'control-order'
  | 'control-order-reminder'
  | 'control-order-escalation'
  | 'freeze-expiry-reminder'
  | 'freeze-expiry-escalation'
  | 'freeze-lapsed';

export interface FreezeFacts {
  freezeId: string;
  orderId?: string | undefined;
  action?: string | undefined;
  courtCode: string;
  caseNumber: string;
  institutionName: string;
  assetKind: string;
  account: string | null;
  amountYuan: number;
  until: Date;
  dueAt?: Date | undefined;
}

const ACTIONS: Record<string, string> = { freeze: '冻结 freeze', renew: '续行冻结 renewal', deduct: '扣划 deduction', release: '解除冻结 release' };

const WORDS: Record<FreezeMailType, { subject: string; intro: string; greeting: string }> = {
  'control-order': {
    subject: '【网络查控】协助{action}通知 {caseNumber} / Control order',
    greeting: '{institution}：',
    intro: '{court} 在执行案件 {caseNumber} 中请贵单位协助{action}，请于 {dueAt} 前通过系统接口确认（POST /api/control-orders/:id/confirm，附电子签名）。经电子签章的法律文书可通过接口获取。 / The court orders the measure below; confirm it with your signature through the API by the deadline.',
  },
  'control-order-reminder': {
    subject: '【网络查控】提醒：协助{action}待确认 {caseNumber} / Reminder: confirm the order',
    greeting: '{institution}：',
    intro: '贵单位尚未确认 {court} 在 {caseNumber} 中的协助{action}通知，确认期限为 {dueAt}。 / Your confirmation of this order is due soon.',
  },
  'control-order-escalation': {
    subject: '【网络查控】督办：协助{action}逾期未确认 {caseNumber} / Overdue: control order',
    greeting: '{recipient}：',
    intro: '{institution} 未在 {dueAt} 前确认 {court} 在 {caseNumber} 中的协助{action}通知，请督促办理。 / This institution has not confirmed the court\'s order by its deadline.',
  },
  'freeze-expiry-reminder': {
    subject: '【网络查控】冻结将于 {until} 到期 {caseNumber} / A freeze expires on {until}',
    greeting: '{recipient}：',
    intro: '{caseNumber} 在 {institution} 的冻结将于 {until} 到期。如需继续冻结，请在到期前办理续行冻结（POST /api/control-orders，action renew），否则冻结到期自动失效，被执行人可支取该财产。 / Order a renewal before the end, or the freeze lapses and the debtor may withdraw the money.',
  },
  'freeze-expiry-escalation': {
    subject: '【网络查控】督办：冻结即将到期仍未续冻 {caseNumber} / Freeze about to lapse',
    greeting: '{recipient}：',
    intro: '{caseNumber} 在 {institution} 的冻结将于 {until} 到期，至今未办理续行冻结，请督促承办人员。 / No renewal has been ordered for this freeze, which ends soon.',
  },
  'freeze-lapsed': {
    subject: '【网络查控】冻结已到期失效 {caseNumber} / A freeze has lapsed',
    greeting: '{recipient}：',
    intro: '{caseNumber} 在 {institution} 的冻结已于 {until} 到期失效，未续行冻结；如仍需控制该财产，须重新冻结。 / The freeze ended unrenewed; a new freeze is needed to hold the asset again.',
  },
};

export function composeFreezeMail(type: FreezeMailType, facts: FreezeFacts, recipient: string): RenderedMail {
  const values = {
    court: facts.courtCode,
    caseNumber: facts.caseNumber,
    institution: facts.institutionName,
    action: facts.action ? (ACTIONS[facts.action] ?? facts.action) : '',
    until: formatChinaTime(facts.until),
    dueAt: facts.dueAt ? formatChinaTime(facts.dueAt) : '',
    recipient,
  };
  const words = WORDS[type];
  const subject = fill(words.subject, values);
  const rows: [string, string][] = [
    ['案号 / Case', facts.caseNumber],
    ['执行法院 / Court', facts.courtCode],
    ['协助单位 / Institution', facts.institutionName],
    ['财产 / Asset', `${facts.assetKind}${facts.account ? ` ${facts.account}` : ''}`],
    ['金额（元）/ Amount (yuan)', facts.amountYuan.toFixed(2)],
    ['冻结期限 / Frozen until', values.until],
    ...(facts.action ? ([['措施 / Measure', values.action]] as [string, string][]) : []),
    ...(facts.dueAt ? ([['确认期限 / Confirm by', values.dueAt]] as [string, string][]) : []),
    ...(facts.orderId ? ([['通知编号 / Order', facts.orderId]] as [string, string][]) : []),
    ['冻结编号 / Freeze', facts.freezeId],
  ];
  return renderMail('notice', subject, {
    lang: 'zh-CN',
    greeting: fill(words.greeting, values),
    intro: fill(words.intro, values),
    facts: rows.map(([label, value]) => ({ label, value })),
    footer: '本邮件由联合惩戒协同平台自动发送。 / Sent automatically by the joint sanctions coordinator.',
  });
}
