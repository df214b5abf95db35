/**
 * Emails of online asset query and control (网络执行查控): the assistance-to-
 * query notice to an institution, its reminder, and the escalations of an
 * unanswered request. In Chinese, with an English line: they go to Chinese
 * institutions, some of them foreign-owned banks.
 */
import { disclosedIdentifier } from '../domain/disclosure.js';
import type { EscalationTarget } from '../domain/tasks.js';
import { fill, formatChinaTime, renderMail, type RenderedMail } from './render.js';

export type AssetMailType = 'asset-query' | 'asset-reminder' | 'asset-escalation';

export interface AssetRequestFacts {
  requestId: string;
  courtCode: string;
  caseNumber: string;
  debtorName: string;
  debtorIdNumber: string;
  institutionName: string;
  dueAt: Date;
}

const WORDS = {
  'asset-query': {
    subject: '【网络查控】协助查询财产通知 {caseNumber} / Assistance-to-query notice',
    intro:
      '{court} 在执行案件 {caseNumber} 中请贵单位协助查询被执行人 {debtor} 的存款及其他财产，请于 {dueAt} 前答复。经电子签章的协助查询通知书可通过系统接口获取（GET /api/asset-requests）；没有系统对接的单位可打开下面的链接答复。 / The court asks you to report the assets this debtor holds with you by the deadline.',
  },
  'asset-reminder': {
    subject: '【网络查控】提醒：协助查询将于 {dueAt} 到期 {caseNumber} / Reminder: answer due',
    intro: '贵单位尚未答复 {court} 关于 {caseNumber}（被执行人 {debtor}）的协助查询，答复期限为 {dueAt}。 / Your answer to this query is due soon.',
  },
  'asset-escalation': {
    subject: '【网络查控】督办：协助查询逾期未答复 {caseNumber} / Overdue: assistance-to-query',
    intro: '{institution} 未在 {dueAt} 前答复 {court} 关于 {caseNumber}（被执行人 {debtor}）的协助查询，请督促办理。 / This institution has not answered the court\'s query by its deadline.',
  },
} as const;

/** Who hears of an unanswered request at each escalation step: the institution's supervisor, then the coordinating office. */
export const ESCALATION_RECIPIENT: Record<EscalationTarget, string> = { 'department-supervisor': '机构主管 / institution supervisor', 'coordinating-office': '协调办公室 / coordinating office' };

export function composeAssetMail(type: AssetMailType, facts: AssetRequestFacts, answerUrl: string | null): RenderedMail {
  const values = {
    court: facts.courtCode,
    caseNumber: facts.caseNumber,
    debtor: facts.debtorName,
    institution: facts.institutionName,
    dueAt: formatChinaTime(facts.dueAt),
  };
  const words = WORDS[type];
  const subject = fill(words.subject, values);
  const rows: [string, string][] = [
    ['案号 / Case', facts.caseNumber],
    ['执行法院 / Court', facts.courtCode],
    ['被执行人 / Debtor', facts.debtorName],
    // Mail is not a safe channel: the full number is in the signed notice the API serves.
    ['证件号码 / ID number', disclosedIdentifier({ channel: 'email' }, facts.debtorIdNumber)],
    ['协助单位 / Institution', facts.institutionName],
    ['答复期限 / Due', values.dueAt],
    ['请求编号 / Request', facts.requestId],
    ...(answerUrl ? ([['答复链接 / Answer', answerUrl]] as [string, string][]) : []),
  ];
  return renderMail('notice', subject, {
    lang: 'zh-CN',
    greeting: fill('{name}：', { name: facts.institutionName }),
    intro: fill(words.intro, values),
    facts: rows.map(([label, value]) => ({ label, value })),
    footer: '本邮件由联合惩戒协同平台自动发送。 / Sent automatically by the joint sanctions coordinator.',
  });
}
