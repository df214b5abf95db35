import { describe, expect, it } from 'vitest';
import { mailTransportOptions } from '../../mail/transport.js';

describe('outgoing SMTP options', () => {
  it('require STARTTLS from a remote relay', () => {
    for (const url of ['smtp://user:pass@relay.example.gov.cn:587', 'smtp://10.0.0.5:25', 'smtp://[2001:db8::1]:25', 'smtp://mailpit.example:1025']) {
      expect(mailTransportOptions(url), url).toMatchObject({ requireTLS: true, ignoreTLS: false, secure: false });
    }
  });

  it('leave TLS optional on the loopback and the compose network’s mailpit', () => {
    for (const url of ['smtp://localhost:2525', 'smtp://127.0.0.1:2525', 'smtp://127.5.0.1:25', 'smtp://[::1]:25', 'smtp://mailpit:1025']) {
      expect(mailTransportOptions(url), url).toMatchObject({ requireTLS: false });
    }
    expect(mailTransportOptions('smtp://[::1]:25').host).toBe('::1');
  });

  it('speak plain SMTP to any relay only when the URL says ?tls=off', () => {
    expect(mailTransportOptions('smtp://relay.internal:25?tls=off')).toMatchObject({ requireTLS: false, ignoreTLS: true });
  });

  it('use implicit TLS for smtps://', () => {
    expect(mailTransportOptions('smtps://user:p%40ss@relay.example.gov.cn')).toMatchObject({
      secure: true,
      port: 465,
      requireTLS: false,
      auth: { user: 'user', pass: 'p@ss' },
    });
  });
});
