import { describe, expect, it } from 'vitest';
import { parseAuthenticationResults, senderAuthenticated, type TraceHeader } from '../../mail/inbound/authentication-results.js';

const FROM = 'contact@d05.departments.example';
const TRUSTED = ['mx.sanctions.example'];
const ar = (value: string): TraceHeader => ({ name: 'authentication-results', value });
const received = (by: string): TraceHeader => ({ name: 'received', value: `from x by ${by} with ESMTPS id 1; Tue, 1 Dec 2026 10:00:00 +0800` });

const PASS = ar('mx.sanctions.example;\r\n dkim=pass (2048-bit key; unprotected) header.d=d05.departments.example header.s=s1 header.b=AbC;\r\n spf=pass smtp.mailfrom=d05.departments.example;\r\n dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=d05.departments.example');

describe('Authentication-Results (RFC 8601)', () => {
  it('reads the authserv-id and each result with its properties, comments and quoted strings aside', () => {
    expect(parseAuthenticationResults('MX.Sanctions.Example 1; dkim=pass (a; b=c) header.d="d05.example" header.s=s1; spf=none; dmarc = fail header.from=x.example')).toEqual({
      authservId: 'mx.sanctions.example',
      results: [
        { method: 'dkim', result: 'pass', properties: { 'header.d': 'd05.example', 'header.s': 's1' } },
        { method: 'spf', result: 'none', properties: {} },
        { method: 'dmarc', result: 'fail', properties: { 'header.from': 'x.example' } },
      ],
    });
    expect(parseAuthenticationResults('mx.sanctions.example; none')).toEqual({ authservId: 'mx.sanctions.example', results: [] });
  });

  it('a DKIM signature of the From domain, or DMARC pass, from the trusted relay authenticates the sender', () => {
    expect(senderAuthenticated([PASS, received('mx.sanctions.example')], TRUSTED, FROM)).toBe(true);
    expect(senderAuthenticated([ar('mx.sanctions.example; dkim=pass header.d=d05.departments.example')], TRUSTED, FROM)).toBe(true);
    expect(senderAuthenticated([ar('mx.sanctions.example; dkim=pass header.i=@d05.departments.example')], TRUSTED, FROM)).toBe(true);
    expect(senderAuthenticated([ar('mx.sanctions.example; dmarc=pass header.from=D05.departments.example')], TRUSTED, FROM)).toBe(true);
    // The organisation's domain signs for its subdomain (relaxed alignment).
    expect(senderAuthenticated([ar('mx.sanctions.example; dkim=pass header.d=departments.example')], TRUSTED, FROM)).toBe(true);
    // Some relays write their Received header above their results.
    expect(senderAuthenticated([received('mx.sanctions.example'), PASS, received('mail.d05.departments.example')], TRUSTED, FROM)).toBe(true);
  });

  it('nothing else does', () => {
    // No relay configured as trusted.
    expect(senderAuthenticated([PASS], [], FROM)).toBe(false);
    // Another authserv-id, e.g. written by the sender.
    expect(senderAuthenticated([ar('mx.elsewhere.example; dkim=pass header.d=d05.departments.example; dmarc=pass')], TRUSTED, FROM)).toBe(false);
    // A pass for another domain: anyone can sign their own mail.
    expect(senderAuthenticated([ar('mx.sanctions.example; dkim=pass header.d=attacker.example; spf=pass; dmarc=fail header.from=d05.departments.example')], TRUSTED, FROM)).toBe(false);
    expect(senderAuthenticated([ar('mx.sanctions.example; dkim=pass header.d=example')], TRUSTED, FROM)).toBe(false);
    expect(senderAuthenticated([ar('mx.sanctions.example; dmarc=pass header.from=attacker.example')], TRUSTED, FROM)).toBe(false);
    // SPF alone proves nothing about the From header.
    expect(senderAuthenticated([ar('mx.sanctions.example; spf=pass smtp.mailfrom=d05.departments.example')], TRUSTED, FROM)).toBe(false);
    expect(senderAuthenticated([ar('mx.sanctions.example; dkim=fail header.d=d05.departments.example; dmarc=fail header.from=d05.departments.example')], TRUSTED, FROM)).toBe(false);
    expect(senderAuthenticated([PASS], TRUSTED, null)).toBe(false);
  });

  it('a header naming the trusted relay that the sender wrote below the relay\'s Received header does not count', () => {
    const relayFail = ar('mx.sanctions.example; dkim=none; dmarc=fail header.from=d05.departments.example');
    expect(senderAuthenticated([relayFail, received('mx.sanctions.example'), PASS], TRUSTED, FROM)).toBe(false);
    expect(senderAuthenticated([received('mx.sanctions.example'), received('mail.attacker.example'), PASS], TRUSTED, FROM)).toBe(false);
    expect(senderAuthenticated([received('mx.sanctions.example'), relayFail, received('mail.attacker.example'), PASS], TRUSTED, FROM)).toBe(false);
  });
});
