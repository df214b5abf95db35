import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import type { Logger } from 'pino';
import type { InboundReply } from '../../app/replies.js';

/**
 * The SMTP endpoint that receives replies to task emails. It accepts only
 * reply addresses, and says 250 only after the handler has recorded the
 * reply: a sender that hears 451, or nothing, delivers again.
 */
export interface InboundMailServerOptions {
  port: number;
  host?: string;
  handle: (reply: InboundReply) => Promise<unknown>;
  log?: Logger;
}

export interface RunningInboundMailServer {
  port: number;
  stop(): Promise<void>;
}

export const INBOUND_SIZE_LIMIT = 1024 * 1024;

const smtpError = (responseCode: number, message: string) => Object.assign(new Error(message), { responseCode });

function headerText(value: unknown): string {
  if (value == null) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(headerText).join(' ');
  if (value instanceof Date) return value.toUTCString();
  if (typeof value === 'object' && 'value' in value && typeof value.value === 'string') return value.value;
  if (typeof value === 'object' && 'text' in value) return String(value.text);
  return String(value);
}

function firstAddress(from: AddressObject | undefined): string | null {
  return from?.value.find((mailbox) => mailbox.address)?.address ?? null;
}

function readAll(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

function toReply(parsed: ParsedMail, session: SMTPServerSession): InboundReply {
  const headers: Record<string, string> = {};
  for (const [name, value] of parsed.headers) headers[name.toLowerCase()] = headerText(value);
  const references = parsed.references === undefined ? [] : Array.isArray(parsed.references) ? parsed.references : [parsed.references];
  return {
    envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
    recipients: session.envelope.rcptTo.map((rcpt) => rcpt.address),
    from: firstAddress(parsed.from),
    messageId: parsed.messageId ?? null,
    references,
    subject: parsed.subject,
    headers,
    text: parsed.text,
    html: typeof parsed.html === 'string' ? parsed.html : null,
  };
}

export async function startInboundMailServer(options: InboundMailServerOptions): Promise<RunningInboundMailServer> {
  const { handle, log } = options;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: INBOUND_SIZE_LIMIT,
    banner: 'replies to task emails only',
    onRcptTo(address, _session, callback) {
      const localPart = address.address.slice(0, address.address.lastIndexOf('@'));
      if (!localPart.toLowerCase().startsWith('reply+')) return callback(smtpError(550, 'No such mailbox: only replies to task emails are accepted here'));
      callback();
    },
    onData(stream, session, callback) {
      readAll(stream)
        .then(async (raw) => {
          // smtp-server answers 552 itself; the oversized message is not read.
          if (stream.sizeExceeded) return callback(smtpError(552, 'Message too large'));
          await handle(toReply(await simpleParser(raw), session));
          callback();
        })
        .catch((error: unknown) => {
          log?.error({ err: error, session: session.id }, 'inbound reply not recorded');
          callback(smtpError(451, 'Temporary failure, please deliver again later'));
        });
    },
  });
  server.on('error', (error) => log?.warn({ err: error }, 'inbound SMTP connection error'));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
