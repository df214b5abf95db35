import { isIP } from 'node:net';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';

export type MailTransport = Transporter;

/**
 * Relays whose traffic never leaves the machine or the compose network: the
 * loopback and the compose file's mail catcher. Only these may be spoken to
 * without TLS unless the URL says `?tls=off`.
 */
const LOCAL_RELAY_NAMES = new Set(['localhost', 'mailpit']);

export function isLocalRelay(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (LOCAL_RELAY_NAMES.has(host) || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/**
 * The nodemailer options of an SMTP_URL. A remote relay must offer STARTTLS
 * (`requireTLS`): otherwise anyone on the path could strip it and read every
 * notice, its one-click links and the relay's password. `?tls=off` is the
 * explicit opt-out for a plain relay the operator trusts.
 */
export function mailTransportOptions(smtpUrl: string): SMTPTransport.Options {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  const tlsOff = url.searchParams.get('tls') === 'off';
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || (secure ? 465 : 25)),
    secure,
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    ignoreTLS: tlsOff,
    requireTLS: !secure && !tlsOff && !isLocalRelay(url.hostname),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  };
}

/**
 * nodemailer over real SMTP. Pooled, so a fan-out of forty notices reuses a
 * few connections instead of opening forty.
 */
export function createMailTransport(smtpUrl: string): MailTransport {
  return nodemailer.createTransport({ ...mailTransportOptions(smtpUrl), pool: true, maxConnections: 5 });
}
