import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NOTE_MAX_LENGTH, parseReply } from '../../mail/inbound/parse-reply.js';

const text = (body: string) => parseReply({ text: body });

describe('reply commands', () => {
  it.each([
    ['确认', 'acknowledge'],
    ['ACK', 'acknowledge'],
    ['ack', 'acknowledge'],
    ['Confirm', 'acknowledge'],
    ['完成', 'complete'],
    ['DONE', 'complete'],
    ['done', 'complete'],
    ['确认。', 'acknowledge'],
    ['ACK!', 'acknowledge'],
    ['完成！', 'complete'],
    ['Done.', 'complete'],
    ['  确认  ', 'acknowledge'],
    ['ＡＣＫ', 'acknowledge'],
  ])('%j means %s', (line, action) => {
    expect(text(line)).toEqual({ action, note: undefined });
  });

  it('takes the first non-empty line', () => {
    expect(text('\r\n\r\n  \r\n确认\r\n')).toEqual({ action: 'acknowledge', note: undefined });
  });

  it.each(['确认收到', 'ACK please', 'OK', '好的', '完成？', 'DONE?', 'not done', '', '   \n\n'])('%j is unparseable', (body) => {
    expect(text(body)).toEqual({ action: null });
  });

  it('keeps the rest of the new text as the note', () => {
    expect(text('完成\n\n已于今日在系统中实施限制。\n文号：宁发改〔2026〕12号\n')).toEqual({
      action: 'complete',
      note: '已于今日在系统中实施限制。\n文号：宁发改〔2026〕12号',
    });
  });

  it('clips a long note', () => {
    const parsed = text(`DONE\n${'长'.repeat(NOTE_MAX_LENGTH + 50)}`);
    expect(parsed.action).toBe('complete');
    expect(parsed.action && parsed.note).toHaveLength(NOTE_MAX_LENGTH);
  });

  it('never cuts an emoji in half', () => {
    const parsed = text(`DONE\n${'a'.repeat(NOTE_MAX_LENGTH - 1)}😀`);
    expect(parsed.action && parsed.note).toBe('a'.repeat(NOTE_MAX_LENGTH - 1));
  });
});

describe('quoted originals', () => {
  // The notice itself tells how to reply, so its quote contains every command.
  const notice = '请在第一行回复“确认”或“完成”。\nReply ACK or DONE.';

  it('ignores a Gmail quote, also when its attribution wraps', () => {
    const body = `确认\n\nOn Tue, Dec 1, 2026 at 10:00 AM 联合惩戒协同平台 <\nno-reply@sanctions.example> wrote:\n\n> ${notice.replace('\n', '\n> ')}\n`;
    expect(text(body)).toEqual({ action: 'acknowledge', note: undefined });
    expect(text(`DONE\nOn Tue, Dec 1, 2026, Platform <no-reply@sanctions.example> wrote:\n> ACK`)).toEqual({ action: 'complete', note: undefined });
  });

  it('ignores a Chinese Gmail or Apple Mail quote', () => {
    const body = `完成\n已实施\n\n在 2026年12月1日周二 10:00，联合惩戒协同平台 <no-reply@sanctions.example> 写道：\n\n> ${notice}`;
    expect(text(body)).toEqual({ action: 'complete', note: '已实施' });
  });

  it('ignores an Outlook header block, English and Chinese', () => {
    const english = `ACK\nWill do by Friday.\n\n________________________________\nFrom: 联合惩戒协同平台 <no-reply@sanctions.example>\nSent: Tuesday, December 1, 2026 10:00 AM\nTo: contact@d05.example\nSubject: 【联合惩戒】\n\n${notice}`;
    expect(text(english)).toEqual({ action: 'acknowledge', note: 'Will do by Friday.' });
    const chinese = `确认\n\n发件人: 联合惩戒协同平台 <no-reply@sanctions.example>\n发送时间: 2026年12月1日 10:00\n收件人: contact@d05.example\n主题: 【联合惩戒】\n\n${notice}`;
    expect(text(chinese)).toEqual({ action: 'acknowledge', note: undefined });
    const original = `完成\n\n-----Original Message-----\nFrom: no-reply@sanctions.example\n${notice}`;
    expect(text(original)).toEqual({ action: 'complete', note: undefined });
  });

  it('ignores a QQ Mail quote', () => {
    const body = `完成\n\u00A0\n------------------\u00A0原始邮件\u00A0------------------\n发件人: "联合惩戒协同平台"<no-reply@sanctions.example>;\n发送时间: 2026年12月1日(星期二) 上午10:00\n收件人: "contact"<contact@d05.example>;\n主题: 【联合惩戒】\n\n${notice}`;
    expect(text(body)).toEqual({ action: 'complete', note: undefined });
  });

  it('is unparseable when only the quote holds a command', () => {
    expect(text(`\nOn Tue, Dec 1, 2026 Platform <no-reply@sanctions.example> wrote:\n> 确认`)).toEqual({ action: null });
    expect(text(`> ACK\n`)).toEqual({ action: null });
  });

  it('keeps note lines that merely start like an attribution', () => {
    expect(text('完成\n在系统中已办理\nOn schedule.')).toEqual({ action: 'complete', note: '在系统中已办理\nOn schedule.' });
  });
});

describe('signatures', () => {
  it('cuts at the signature delimiter and at mobile footers', () => {
    expect(text('确认\n说明一行\n-- \n张三\n某某局办公室\n电话 0951-0000000')).toEqual({ action: 'acknowledge', note: '说明一行' });
    expect(text('确认\n--\n张三')).toEqual({ action: 'acknowledge', note: undefined });
    expect(text('DONE\n\nSent from my iPhone')).toEqual({ action: 'complete', note: undefined });
    expect(text('完成\n\n发自我的iPhone')).toEqual({ action: 'complete', note: undefined });
  });

  it('is unparseable when there is only a signature', () => {
    expect(text('-- \n确认')).toEqual({ action: null });
  });
});

describe('HTML-only replies', () => {
  it('reads the HTML when there is no plain text, without its quote', () => {
    const html =
      '<div dir="ltr">完成<div>已在系统中限制</div></div><br><div class="gmail_quote"><div class="gmail_attr">On Tue, Dec 1, 2026 at 10:00 AM 平台 &lt;<a href="mailto:no-reply@sanctions.example">no-reply@sanctions.example</a>&gt; wrote:<br></div><blockquote class="gmail_quote">请回复确认<br>DONE</blockquote></div>';
    expect(parseReply({ text: '', html })).toEqual({ action: 'complete', note: '已在系统中限制' });
  });

  it('reads an Outlook HTML reply', () => {
    const html = '<div>ACK</div><div>note here</div><hr><div id="divRplyFwdMsg"><b>From:</b> 平台 &lt;no-reply@x&gt;<br><b>Sent:</b> Tuesday<br><b>To:</b> a@b</div><div>完成</div>';
    expect(parseReply({ text: null, html })).toEqual({ action: 'acknowledge', note: 'note here' });
  });

  it('prefers the plain text', () => {
    expect(parseReply({ text: 'ACK', html: '<p>DONE</p>' })).toEqual({ action: 'acknowledge', note: undefined });
  });
});

describe('asking for more time', () => {
  it('reads the date of 延期 or EXTEND on the first line and the reason below it', () => {
    expect(parseReply({ text: '延期 2026-12-20\n需要调取档案核实' })).toEqual({ action: 'extend', until: '2026-12-20', note: '需要调取档案核实' });
    expect(parseReply({ text: 'extend: 2026/1/5\nstaff away' })).toEqual({ action: 'extend', until: '2026-01-05', note: 'staff away' });
    expect(parseReply({ text: '延期：2026年12月3日。\n理由' })).toEqual({ action: 'extend', until: '2026-12-03', note: '理由' });
  });

  it('is no command without a date, and a quoted "延期" changes nothing', () => {
    expect(parseReply({ text: '延期\n理由' })).toEqual({ action: null });
    expect(parseReply({ text: '> 延期 2026-12-20\n' })).toEqual({ action: null });
  });
});

describe('the reply instructions quoted back', () => {
  // The notice tells how to reply, naming every command; a reply quoting it must not act on those words.
  const hints = (['zh-CN', 'en'] as const).map((locale) => {
    const strings = JSON.parse(readFileSync(new URL(`../../mail/i18n/${locale}.json`, import.meta.url), 'utf8')) as { actions: { replyHint: string; extensionHint: string } };
    return `${strings.actions.replyHint}\n${strings.actions.extensionHint}`;
  });

  it.each(hints)('are never a command: %j', (hint) => {
    expect(text(`\n\n> ${hint.replaceAll('\n', '\n> ')}\n`)).toEqual({ action: null });
    expect(text(`发件人: 联合惩戒协同平台\n发送时间: 2026年12月1日\n\n${hint}`)).toEqual({ action: null });
    expect(text(`确认\n\nOn Tue, 1 Dec 2026, 联合惩戒协同平台 <no-reply@sanctions.example> wrote:\n> ${hint.replaceAll('\n', '\n> ')}`)).toEqual({ action: 'acknowledge', note: undefined });
  });
});
