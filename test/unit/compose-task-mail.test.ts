import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '../../domain/catalog.js';
import { composeTaskMail, notificationKey, type TaskWithContext } from '../../mail/compose-task-mail.js';
import { readReplyLocalPart } from '../../platform/signed-tokens.js';
import { createKeyring } from '../../platform/signing.js';

const settings = { mailFrom: '平台 <no-reply@sanctions.example>', publicBaseUrl: 'https://sanctions.example', keyring: createKeyring('s3cret'), repliesEnabled: true };

function task(overrides: { locale?: string; kind?: string; status?: string } = {}): TaskWithContext {
  const at = new Date('2026-12-01T09:00:00Z');
  return {
    id: '2f1e4c1a-0b7e-4a55-9d7e-0c1a2b3c4d5e', listingId: 'l1', departmentCode: 'D05', kind: overrides.kind ?? 'impose', measures: ['M01', 'M02'],
    status: 'pending', acknowledgeDueAt: at, completeDueAt: new Date('2026-12-04T09:00:00Z'), acknowledgedAt: null, acknowledgedBy: null,
    completedAt: null, completedBy: null, reference: null, note: null, escalationLevel: 0, openDeadlineAt: at, policy: {}, createdAt: at, updatedAt: at,
    department: { code: 'D05', nameZh: '自治区发展和改革委员会', nameEn: 'Development and Reform Commission', role: 'implementer', contactEmail: 'contact@d05.example', supervisorEmail: 'boss@d05.example', locale: overrides.locale ?? 'zh-CN' },
    listing: {
      id: 'l1', workflowId: 'w', courtCode: 'NX-YC-01', caseNumber: '（2026）宁01执1号', debtorKind: 'entity', debtorName: 'A&B 建设有限公司',
      debtorIdNumber: '91350100M000100Y43', legalRepName: '张三', legalRepIdNumber: '11010519491231002X', circumstance: 'evades-enforcement',
      boundPersons: [{ role: 'legal-representative', name: '张三', idNumber: '11010519491231002X' }],
      obligationDescription: 'x', obligationAmountYuan: null, periodYears: 2, listedAt: at, expiresAt: null, status: overrides.status ?? 'active',
      liftReason: null, liftRequestedAt: null, performedAt: null, closedAt: null, catalogVersion: 1, createdByKeyId: null, createdAt: at, updatedAt: at,
    },
  } as unknown as TaskWithContext;
}

describe('task mail', () => {
  it('a notice in Simplified Chinese: masked identifiers, deadlines in Beijing time, links and a signed reply address', () => {
    const mail = composeTaskMail(settings, task(), defaultCatalog, { type: 'notice' });
    expect(mail.subject).toBe('【联合惩戒】请对失信被执行人A&B 建设有限公司实施惩戒措施（（2026）宁01执1号）');
    expect(mail.to).toEqual(['contact@d05.example']);
    expect(mail.text).toContain('913501********0Y43');
    expect(mail.text).toContain('110105********002X');
    expect(mail.text + mail.html).not.toContain('91350100M000100Y43');
    expect(mail.text).toContain('2026/12/01 17:00（北京时间）');
    expect(mail.text).toContain('M01 设立金融类公司限制');
    expect(mail.text).toContain('A&B'); // plain text is not HTML-escaped
    expect(mail.html).toContain('A&amp;B');
    expect(mail.html).toMatch(/<a href="https:\/\/sanctions\.example\/ack\/[A-Za-z0-9_.-]+"/);
    const localPart = mail.replyTo!.split('@')[0]!;
    expect(localPart.length).toBeLessThanOrEqual(64);
    expect(readReplyLocalPart(createKeyring('s3cret'), localPart)).toEqual({
      taskId: '2f1e4c1a-0b7e-4a55-9d7e-0c1a2b3c4d5e',
      grant: 'acknowledge',
      // The one-click links' expiry, 30 days after the completion deadline, rounded up to the hour.
      expiresAt: Math.ceil((Date.parse('2026-12-04T09:00:00Z') / 1000 + 30 * 86_400) / 3600) * 3600,
    });
  });

  it('without a reply address or reply instructions when the installation receives no replies', () => {
    const on = composeTaskMail(settings, task(), defaultCatalog, { type: 'notice' });
    expect(on.text).toContain('也可以直接回复本邮件');
    for (const locale of ['zh-CN', 'en']) {
      for (const type of ['notice', 'reminder'] as const) {
        const mail = composeTaskMail({ ...settings, repliesEnabled: false }, task({ locale }), defaultCatalog, { type, deadline: 'acknowledge' });
        expect(mail.replyTo, `${locale} ${type}`).toBeNull();
        for (const body of [mail.text, mail.html]) {
          expect(body).not.toMatch(/回复本邮件|reply to this email|reply with|reply\+/i);
          expect(body).toMatch(/\/ack\/[A-Za-z0-9_.-]+/);
        }
      }
    }
  });

  it('in English for a department that prefers it', () => {
    const mail = composeTaskMail(settings, task({ locale: 'en' }), defaultCatalog, { type: 'reminder', deadline: 'acknowledge' });
    expect(mail.subject).toBe('[Reminder] Acknowledge by approaching: A&B 建设有限公司 (（2026）宁01执1号)');
    expect(mail.text).toContain('To Development and Reform Commission:');
    expect(mail.text).toContain('Founding financial companies');
    expect(mail.text).toContain('(Beijing time)');
    expect(mail.html).toContain('lang="en"');
  });

  it('escalations go to the supervisor, then to the coordinating office in Chinese, with no links', () => {
    const supervisor = composeTaskMail(settings, task({ locale: 'en' }), defaultCatalog, { type: 'escalation', deadline: 'acknowledge', level: 1, notify: 'department-supervisor' });
    expect(supervisor.to).toEqual(['boss@d05.example']);
    expect(supervisor.replyTo).toBeNull();
    expect(supervisor.text).not.toContain('/ack/');
    const office = composeTaskMail(settings, task({ locale: 'en' }), defaultCatalog, { type: 'escalation', deadline: 'complete', level: 2, notify: 'coordinating-office' });
    expect(office.to).toEqual(['office@coordination.example']);
    expect(office.subject).toContain('【督办·第2级】');
  });

  it('one notification key per task, type and step: a retry is the same message', () => {
    const id = '2f1e4c1a-0b7e-4a55-9d7e-0c1a2b3c4d5e';
    expect(notificationKey(id, { type: 'notice' })).toBe(`${id}.notice`);
    expect(notificationKey(id, { type: 'reminder', deadline: 'complete' })).toBe(`${id}.reminder.complete`);
    expect(notificationKey(id, { type: 'escalation', deadline: 'acknowledge', level: 2 })).toBe(`${id}.escalation.acknowledge.2`);
    expect(notificationKey(id, { type: 'closed' })).not.toBe(notificationKey(id, { type: 'lift-notice' }));
  });
});
