// Confirming a task by replying to its email, over real SMTP into the real stack.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { createKeyring } from '../../platform/signing.js';
import { createReplyLocalPart } from '../../platform/signed-tokens.js';
import { ANSWERS_PER_ADDRESS_PER_HOUR } from '../../app/reply-answer-quota.js';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parsePolicy } from '../../domain/policy.js';
import type { CaughtMessage } from '../../dev/mail-catcher.js';
import { createReplyHandler } from '../../app/replies.js';
import { startInboundMailServer } from '../../mail/inbound/server.js';
import { createLogger } from '../../platform/logger.js';
import { twoDepartmentCatalog } from '../support/catalogs.js';
import { entityListing } from '../support/fixtures.js';
import { list, tasksOf } from '../support/listing-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { sleep, waitUntil } from '../support/wait.js';

const calmPolicy = parsePolicy({
  impose: { acknowledge: 'PT1H', complete: 'PT2H' },
  lift: { acknowledge: 'PT1H', complete: 'PT2H' },
  escalation: [{ after: 'PT0S', notify: 'department-supervisor' }],
  reminderBefore: 'PT10M',
});

const D05_CONTACT = 'contact@d05.departments.example';
const D05_SUPERVISOR = 'supervisor@d05.departments.example';
const D06_CONTACT = 'contact@d06.departments.example';
const D06_SUPERVISOR = 'supervisor@d06.departments.example';
/** The relay in front of the listener, trusted to say whose mail it authenticated. */
const RELAY = 'mx.sanctions.example';
/** What the relay writes above a message from D05 (or D06) whose DKIM signature it verified. */
const authenticated = (domain = 'd05.departments.example') => ({
  'Authentication-Results': `${RELAY}; dkim=pass (2048-bit key) header.d=${domain} header.s=s1; spf=pass smtp.mailfrom=${domain}; dmarc=pass header.from=${domain}`,
});

let stack: TestStack;
let clerk: string;
let smtp: Transporter;
let caseSequence = 0;
const run = promisify(execFile);
// Debian's swaks is a second, independent SMTP client.

beforeAll(async () => {
  stack = await startTestStack({ policy: calmPolicy, catalog: twoDepartmentCatalog(), inbound: true, env: { INBOUND_TRUSTED_AUTHSERV_IDS: `relay.other.example, ${RELAY}` } });
  clerk = await stack.key('clerk', { courtCode: 'NX-YC-01' });
  smtp = nodemailer.createTransport({ host: '127.0.0.1', port: stack.inboundPort!, secure: false, ignoreTLS: true });
});
// Every test here expects its answers: each starts with the hourly answer counts empty.
beforeEach(async () => {
  await stack.prisma.replyAnswer.deleteMany();
});
afterAll(async () => {
  smtp?.close();
  await stack?.stop();
});

interface Notice {
  listingId: string;
  taskId: string;
  replyTo: string;
  message: CaughtMessage;
}

/** Lists a new debtor and returns the notice sent for the task of `departmentCode`. */
async function noticeFor(departmentCode: 'D05' | 'D06'): Promise<Notice> {
  const listingId = await list(stack, clerk, entityListing({ caseNumber: `（2026）宁01执${800 + ++caseSequence}号` }));
  const task = (await tasksOf(stack, listingId, 'impose', 2)).find((t) => t.departmentCode === departmentCode)!;
  const [message] = await stack.mail.waitFor((m) => m.headers['x-task-id'] === task.id && m.headers['x-notice-type'] === 'notice');
  const replyTo = message!.headers['reply-to']!;
  // The task, the grant and the expiry, the key id and the signature: 60 characters before the @.
  expect(replyTo).toMatch(/^reply\+[0-9a-v]{26}\.a[0-9a-z]{4}\.[0-9a-f]{4}\.[A-Za-z0-9_-]{16}@sanctions\.example$/);
  return { listingId, taskId: task.id, replyTo, message: message! };
}

/** Sends a reply into the inbound server, as a department's mail client would. */
async function reply(notice: Notice, options: Partial<SendMailOptions> & { text: string }) {
  const messageId = options.messageId ?? `<${randomUUID()}@d05.departments.example>`;
  await smtp.sendMail({
    from: D05_CONTACT,
    to: notice.replyTo,
    subject: `Re: ${notice.message.subject}`,
    inReplyTo: notice.message.messageId!,
    references: [notice.message.messageId!],
    // A return path of its own per message, as a department's server uses for bounces (VERP): the listener
    // limits messages per envelope sender, and this file sends more than that a minute from one department.
    envelope: { from: `bounces+${randomUUID().slice(0, 8)}@d05.departments.example`, to: options.to ?? notice.replyTo },
    ...options,
    messageId,
  });
  return messageId;
}

const answersTo = (messageId: string) => stack.mail.messages.filter((m) => m.headers['in-reply-to'] === messageId);
const waitForAnswer = async (messageId: string) => (await stack.mail.waitFor((m) => m.headers['in-reply-to'] === messageId, 1, 10_000))[0]!;
const outcomeOf = async (messageId: string) => (await stack.prisma.inboundReply.findUnique({ where: { messageId } }))?.outcome;

async function expectUntouched(taskId: string) {
  const task = await stack.prisma.task.findUniqueOrThrow({ where: { id: taskId } });
  expect(task.status).toBe('pending');
  expect(await stack.prisma.event.count({ where: { taskId, type: { in: ['acknowledged', 'completed'] } } })).toBe(0);
}

describe('asking for more time by email', () => {
  it('a reply "延期 <date>" with a reason below records a request for the supervisors; a date before the deadline is answered', async () => {
    const notice = await noticeFor('D05');
    const until = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const messageId = await reply(notice, { text: `延期 ${until}\n需要调取外地档案核实`, headers: authenticated() });
    expect(await outcomeOf(messageId)).toBe('extension-requested');
    const request = await stack.prisma.taskExtension.findFirstOrThrow({ where: { taskId: notice.taskId } });
    expect(request).toMatchObject({ status: 'requested', reason: '需要调取外地档案核实', requestedBy: D05_CONTACT, deadline: 'acknowledge' });
    expect(request.until.toISOString()).toBe(new Date(`${until}T17:00:00+08:00`).toISOString());
    expect(await stack.prisma.event.count({ where: { taskId: notice.taskId, type: 'extension-requested' } })).toBe(1);
    await expectUntouched(notice.taskId);

    const other = await noticeFor('D06');
    const tooEarly = await reply(other, { from: D06_CONTACT, text: '延期 2020-01-01\n理由', headers: authenticated('d06.departments.example') });
    expect(await outcomeOf(tooEarly)).toBe('refused:bad-extension');
    expect((await waitForAnswer(tooEarly)).text).toMatch(/延期/);
    expect(await stack.prisma.taskExtension.count({ where: { taskId: other.taskId } })).toBe(0);
  });
});

describe('confirming by email', () => {
  it('a reply whose first line is 确认 acknowledges the task, the sender being the actor', async () => {
    const notice = await noticeFor('D05');
    const messageId = await reply(notice, { from: `张三 <${D05_CONTACT}>`, text: '确认\n' });

    const response = await stack.request('GET', `/api/tasks?departmentCode=D05&status=acknowledged`, { key: await stack.key('supervisor') });
    expect(response.body.map((t: { id: string }) => t.id)).toContain(notice.taskId);
    const task = await stack.prisma.task.findUniqueOrThrow({ where: { id: notice.taskId } });
    expect(task).toMatchObject({ status: 'acknowledged', acknowledgedBy: D05_CONTACT });
    const events = await stack.prisma.event.findMany({ where: { taskId: notice.taskId, type: 'acknowledged' } });
    expect(events).toHaveLength(1);
    expect(events[0]!.actor).toBe(D05_CONTACT);
    expect(await outcomeOf(messageId)).toBe('acknowledged');
    await sleep(500);
    expect(answersTo(messageId)).toHaveLength(0);
  });

  it('an authenticated 完成 reply completes the task and keeps its note, ignoring the quoted notice below it', async () => {
    const notice = await noticeFor('D05');
    const quoted = notice.message.text.split('\n').map((line) => `> ${line}`).join('\n');
    // The supervisor's address is registered too, and addresses compare case-insensitively.
    const sender = D05_SUPERVISOR.replace('supervisor', 'Supervisor');
    const messageId = await reply(notice, {
      from: sender,
      headers: authenticated(),
      text: `完成。\n已于今日在系统中实施限制，文号宁文明〔2026〕3号。\n\n在 2026年12月1日 10:00，联合惩戒协同平台 <no-reply@sanctions.example> 写道：\n${quoted}\n`,
    });

    const task = await stack.prisma.task.findUniqueOrThrow({ where: { id: notice.taskId } });
    expect(task).toMatchObject({ status: 'completed', completedBy: sender, note: '已于今日在系统中实施限制，文号宁文明〔2026〕3号。' });
    const completed = await stack.prisma.event.findMany({ where: { taskId: notice.taskId, type: 'completed' } });
    expect(completed).toHaveLength(1);
    expect(completed[0]!.actor).toBe(sender);
    expect(completed[0]!.data).toMatchObject({ note: '已于今日在系统中实施限制，文号宁文明〔2026〕3号。' });
    expect(await outcomeOf(messageId)).toBe('completed');
  });

  it('the same Message-ID delivered twice acts and answers once', async () => {
    const notice = await noticeFor('D05');
    const messageId = `<${randomUUID()}@d05.departments.example>`;
    await reply(notice, { messageId, text: '确认' });
    await reply(notice, { messageId, text: '确认' });
    expect(await stack.prisma.inboundReply.count({ where: { messageId } })).toBe(1);
    expect(await outcomeOf(messageId)).toBe('acknowledged');
    expect(await stack.prisma.event.count({ where: { taskId: notice.taskId, type: 'acknowledged' } })).toBe(1);

    const unparseable = `<${randomUUID()}@d05.departments.example>`;
    await reply(notice, { messageId: unparseable, text: '收到，谢谢' });
    await reply(notice, { messageId: unparseable, text: '收到，谢谢' });
    await waitForAnswer(unparseable);
    await sleep(1_000);
    expect(answersTo(unparseable)).toHaveLength(1);
  });

  describe('a reply that changes nothing', () => {
    let notice: Notice;
    beforeAll(async () => {
      notice = await noticeFor('D05');
    });

    const localPart = () => notice.replyTo.split('@')[0]!;
    const cases: [string, () => Partial<SendMailOptions> & { text: string }, string][] = [
      ['a forged signature', () => ({ to: `${localPart().slice(0, -4)}AAAA@sanctions.example`, text: '确认' }), 'forged'],
      ['an unsigned address', () => ({ to: `${localPart().split('.')[0]}@sanctions.example`, text: '确认' }), 'unsigned'],
      ['a registered sender of another department', () => ({ from: D06_CONTACT, text: '确认' }), 'wrong-sender'],
      ['an unparseable first line', () => ({ text: '好的，收到。\n\n> 确认' }), 'unparseable'],
    ];

    it.each(cases)('%s gets exactly one explanatory answer', async (_name, options, outcome) => {
      const sent = options();
      const messageId = await reply(notice, sent);
      expect(await outcomeOf(messageId)).toBe(outcome);
      await expectUntouched(notice.taskId);

      const answer = await waitForAnswer(messageId);
      expect(answer.envelopeTo).toEqual([String(sent.from ?? D05_CONTACT)]);
      expect(answer.headers['auto-submitted']).toBe('auto-replied');
      expect(answer.headers['references']).toContain(messageId);
      expect(answer.subject).toBe(`Re: ${notice.message.subject}`);
      expect(answer.text).toMatch(/未被处理/);
      expect(answer.text).toMatch(/was not processed/);
      expect(answer.html).toContain('<p>');
      await sleep(500);
      expect(answersTo(messageId)).toHaveLength(1);
    });

    it('an unparseable reply is answered with the reply address, so the department can answer again', async () => {
      const messageId = await reply(notice, { text: 'OK' });
      const answer = await waitForAnswer(messageId);
      expect(answer.headers['reply-to']).toBe(notice.replyTo);
      expect(answer.text).toMatch(/确认/);
    });

    it('auto-replies and bounces are never answered', async () => {
      const automatic: [Partial<SendMailOptions> & { text: string }, string][] = [
        [{ text: '确认', headers: { 'Auto-Submitted': 'auto-replied' } }, 'refused:auto-reply'],
        [{ text: '我正在休假 / out of office', headers: { Precedence: 'auto_reply' } }, 'refused:auto-reply'],
        [{ text: 'Delivery failed', envelope: { from: false, to: notice.replyTo } }, 'refused:bounce'],
        [{ from: 'MAILER-DAEMON@d05.departments.example', text: 'Undelivered Mail' }, 'refused:bounce'],
        [{ to: `${localPart().split('.')[0]}@sanctions.example`, text: 'Auto: away', headers: { 'Auto-Submitted': 'auto-generated' } }, 'refused:auto-reply'],
      ];
      const ids = [];
      for (const [options, outcome] of automatic) {
        const messageId = await reply(notice, options);
        expect(await outcomeOf(messageId)).toBe(outcome);
        ids.push(messageId);
      }
      await expectUntouched(notice.taskId);
      await sleep(1_000);
      for (const messageId of ids) expect(answersTo(messageId)).toHaveLength(0);
    });

    it('mail to any other address is refused at RCPT', async () => {
      await expect(reply(notice, { to: 'someone@sanctions.example', text: '确认' })).rejects.toMatchObject({ responseCode: 550 });
      await expectUntouched(notice.taskId);
    });
  });

  it('a reply about a cancelled task is answered with why it changed nothing', async () => {
    const notice = await noticeFor('D06');
    const performed = await stack.request('POST', `/api/listings/${notice.listingId}/performance`, { key: clerk, body: { note: '已履行' } });
    expect(performed.status).toBe(202);
    await waitUntil(async () => (await stack.prisma.task.findUniqueOrThrow({ where: { id: notice.taskId } })).status === 'cancelled', 'the impose task to be cancelled');

    const messageId = await reply(notice, { from: D06_CONTACT, text: '确认' });
    expect(await outcomeOf(messageId)).toBe('refused:task-cancelled');
    const answer = await waitForAnswer(messageId);
    expect(answer.envelopeTo).toEqual([D06_CONTACT]);
    expect(answer.text).toMatch(/撤销/);
    expect(answer.text).toMatch(/cancelled/);
    expect((await stack.prisma.task.findUniqueOrThrow({ where: { id: notice.taskId } })).status).toBe('cancelled');
  });

  it('answers 451 when the reply cannot be acted on now, and handles the redelivery afresh', async () => {
    const notice = await noticeFor('D05');
    const unavailable = await startInboundMailServer({
      port: 0,
      handle: createReplyHandler({
        prisma: stack.prisma,
        tasks: {
          actOnBehalfOfDepartment: async () => {
            throw new Error('Temporal is unreachable');
          },
          requestExtensionOnBehalfOfDepartment: async () => {
            throw new Error('Temporal is unreachable');
          },
        },
        mail: smtp,
        mailFrom: 'Sanctions Test <no-reply@sanctions.example>',
        keyring: createKeyring('test-secret'),
        log: createLogger('silent'),
      }),
    });
    const client = nodemailer.createTransport({ host: '127.0.0.1', port: unavailable.port, secure: false, ignoreTLS: true });
    const messageId = `<${randomUUID()}@d05.departments.example>`;
    try {
      await expect(client.sendMail({ from: D05_CONTACT, to: notice.replyTo, subject: 'Re', text: '确认', messageId })).rejects.toMatchObject({ responseCode: 451 });
    } finally {
      client.close();
      await unavailable.stop();
    }
    expect(await stack.prisma.inboundReply.count({ where: { messageId } })).toBe(0);
    await expectUntouched(notice.taskId);

    await reply(notice, { messageId, text: '确认' });
    expect(await outcomeOf(messageId)).toBe('acknowledged');
  });

  it('the notice says that ACK works by reply, and DONE or EXTEND only from authenticated mail', async () => {
    const notice = await noticeFor('D05');
    expect(notice.message.text).toMatch(/DKIM\/DMARC/);
    expect(notice.message.text).toMatch(/仅在本部门邮件经本平台邮件网关验证/);
  });

  describe('completing or asking for more time needs mail the trusted relay authenticated', () => {
    it('DONE or EXTEND without a passing, aligned verdict from the trusted relay changes nothing and is answered; ACK still works', async () => {
      const notice = await noticeFor('D05');
      const unauthenticated: [string, Partial<SendMailOptions> & { text: string }][] = [
        ['no verdict at all', { text: '完成' }],
        ['a verdict by a relay not trusted', { text: 'DONE', headers: { 'Authentication-Results': 'mx.elsewhere.example; dkim=pass header.d=d05.departments.example; dmarc=pass header.from=d05.departments.example' } }],
        ['a DKIM pass for another domain', { text: 'DONE', headers: authenticated('attacker.example') }],
        [
          "the trusted relay's name written by the sender, below the relay's own verdict and Received header",
          {
            text: 'DONE',
            headers: [
              { key: 'Authentication-Results', value: `${RELAY}; dkim=none; dmarc=fail header.from=d05.departments.example` },
              { key: 'Received', value: `from mail.attacker.example by ${RELAY}; Tue, 1 Dec 2026 10:00:00 +0800` },
              { key: 'Authentication-Results', value: authenticated()['Authentication-Results'] },
            ],
          },
        ],
        ['a request for more time', { text: `延期 ${new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10)}\n理由` }],
      ];
      for (const [name, options] of unauthenticated) {
        const messageId = await reply(notice, options);
        expect(await outcomeOf(messageId), name).toBe('refused:unauthenticated');
        const answer = await waitForAnswer(messageId);
        expect(answer.text).toMatch(/DKIM/);
        expect(answer.text).toMatch(/Replying ACK still acknowledges/);
      }
      await expectUntouched(notice.taskId);
      expect(await stack.prisma.taskExtension.count({ where: { taskId: notice.taskId } })).toBe(0);

      const ack = await reply(notice, { text: 'ACK' });
      expect(await outcomeOf(ack)).toBe('acknowledged');
      expect((await stack.prisma.task.findUniqueOrThrow({ where: { id: notice.taskId } })).status).toBe('acknowledged');
    });
  });

  describe('reply addresses expire', () => {
    const keyring = createKeyring('test-secret');
    const legacyAddress = (taskId: string) => {
      const hex = taskId.replaceAll('-', '');
      const { keyId, mac } = keyring.sign('reply', hex);
      return `reply+${hex}.${keyId}.${mac.slice(0, 16)}@sanctions.example`;
    };

    it('an expired address changes nothing and is answered', async () => {
      const notice = await noticeFor('D05');
      const stale = `${createReplyLocalPart(keyring, { taskId: notice.taskId, expiresAt: Math.floor(Date.now() / 1000) - 7200 })}@sanctions.example`;
      const messageId = await reply(notice, { to: stale, text: '确认' });
      expect(await outcomeOf(messageId)).toBe('refused:address-expired');
      expect((await waitForAnswer(messageId)).text).toMatch(/expired/);
      await expectUntouched(notice.taskId);
    });

    it('an address mailed before addresses expired still acknowledges, until 30 days after the completion deadline', async () => {
      const notice = await noticeFor('D05');
      const done = await reply(notice, { to: legacyAddress(notice.taskId), text: 'DONE' });
      expect(await outcomeOf(done)).toBe('refused:unauthenticated');
      const ack = await reply(notice, { to: legacyAddress(notice.taskId), text: '确认' });
      expect(await outcomeOf(ack)).toBe('acknowledged');

      const old = await noticeFor('D06');
      await stack.prisma.task.update({ where: { id: old.taskId }, data: { completeDueAt: new Date(Date.now() - 31 * 86_400_000) } });
      const late = await reply(old, { from: D06_CONTACT, to: legacyAddress(old.taskId), text: '确认' });
      expect(await outcomeOf(late)).toBe('refused:address-expired');
      expect((await stack.prisma.task.findUniqueOrThrow({ where: { id: old.taskId } })).status).toBe('pending');
    });
  });

  describe('a delivery that died while handling a reply', () => {
    it('while its claim is fresh, another delivery of the message is answered 451 and changes nothing; a stale claim is taken over', async () => {
      const notice = await noticeFor('D05');
      const messageId = `<${randomUUID()}@d05.departments.example>`;
      // What a process that crashed mid-handling leaves behind.
      await stack.prisma.inboundReply.create({ data: { messageId, outcome: 'received', receivedAt: new Date() } });
      await expect(reply(notice, { messageId, text: '确认' })).rejects.toMatchObject({ responseCode: 451 });
      await expectUntouched(notice.taskId);
      expect(await outcomeOf(messageId)).toBe('received');

      await stack.prisma.inboundReply.update({ where: { messageId }, data: { receivedAt: new Date(Date.now() - 3 * 60_000) } });
      await reply(notice, { messageId, text: '确认' });
      expect(await outcomeOf(messageId)).toBe('acknowledged');
      expect(await stack.prisma.event.count({ where: { taskId: notice.taskId, type: 'acknowledged' } })).toBe(1);
    });
  });

  describe('answers go only to registered department addresses, a few per hour', () => {
    it('a reply from an address no department registered is never answered, whatever address it was sent to', async () => {
      const notice = await noticeFor('D06');
      const localPart = notice.replyTo.split('@')[0]!;
      const stranger = 'someone@elsewhere.example';
      const sent: [Partial<SendMailOptions> & { text: string }, string][] = [
        [{ text: '确认' }, 'wrong-sender'],
        [{ to: `${localPart.slice(0, -4)}AAAA@sanctions.example`, text: '确认' }, 'forged'],
        [{ to: `${localPart.split('.')[0]}@sanctions.example`, text: '确认' }, 'unsigned'],
      ];
      const ids = [];
      for (const [options, outcome] of sent) {
        const messageId = await reply(notice, { from: stranger, ...options });
        expect(await outcomeOf(messageId)).toBe(outcome);
        ids.push(messageId);
      }
      await sleep(1_000);
      for (const messageId of ids) expect(answersTo(messageId)).toHaveLength(0);
      expect(stack.mail.messages.filter((m) => m.envelopeTo.includes(stranger))).toHaveLength(0);
      expect((await stack.prisma.task.findUniqueOrThrow({ where: { id: notice.taskId } })).status).toBe('pending');
    });

    it(`a registered address gets at most ${ANSWERS_PER_ADDRESS_PER_HOUR} answers an hour, counted in the database`, async () => {
      const notice = await noticeFor('D06');
      // As if other processes had answered this address in the last hour.
      await stack.prisma.replyAnswer.createMany({ data: Array.from({ length: ANSWERS_PER_ADDRESS_PER_HOUR - 1 }, () => ({ address: D06_SUPERVISOR, sentAt: new Date(Date.now() - 30 * 60_000) })) });
      await stack.prisma.replyAnswer.create({ data: { address: D06_SUPERVISOR, sentAt: new Date(Date.now() - 2 * 3600_000) } });
      const first = await reply(notice, { from: D06_SUPERVISOR, text: '收到' });
      const second = await reply(notice, { from: D06_SUPERVISOR, text: '收到' });
      expect(await outcomeOf(first)).toBe('unparseable');
      expect(await outcomeOf(second)).toBe('unparseable');
      await waitForAnswer(first);
      await sleep(1_000);
      expect(answersTo(second)).toHaveLength(0);
      expect(await stack.prisma.replyAnswer.count({ where: { address: D06_SUPERVISOR } })).toBe(ANSWERS_PER_ADDRESS_PER_HOUR);
    });
  });

  // The test command provides swaks (test/support/system-tools.ts).
  it('accepts a reply sent with swaks', async () => {
    const notice = await noticeFor('D06');
    const messageId = `<${randomUUID()}@d06.departments.example>`;
    await run('swaks', [
      '--server', `127.0.0.1:${stack.inboundPort}`,
      '--from', D06_CONTACT,
      '--to', notice.replyTo,
      // Same spelling as swaks' own headers, so these replace them.
      '--header', `Message-Id: ${messageId}`,
      '--header', 'Subject: Re: notice',
      '--add-header', 'MIME-Version: 1.0',
      '--add-header', 'Content-Type: text/plain; charset=utf-8',
      '--body', '确认\n',
      '--silent', '2',
    ]);
    expect(await outcomeOf(messageId)).toBe('acknowledged');
    expect((await stack.prisma.task.findUniqueOrThrow({ where: { id: notice.taskId } })).acknowledgedBy).toBe(D06_CONTACT);
  });
});
