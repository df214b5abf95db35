import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
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
  limits?: Partial<InboundLimits>;
}

/**
 * What one listener accepts, so that a few senders cannot exhaust the memory
 * of the process (under `npm start` it also runs the API and the worker).
 */
export interface InboundLimits {
  /** Bytes of one message; a larger one is answered 552 and never held in memory. */
  messageBytes: number;
  /** Connections at once; one more is answered 421. */
  maxClients: number;
  /** Messages begun (MAIL FROM) per minute by one envelope sender; more are answered 450. */
  messagesPerSenderPerMinute: number;
  /** Messages begun per minute from one remote address (a relay forwards for many senders); more are answered 450. */
  messagesPerAddressPerMinute: number;
}

export interface RunningInboundMailServer {
  port: number;
  /** Resolves when the listener has closed, whether stopped or not. */
  closed: Promise<void>;
  stop(): Promise<void>;
}

export const INBOUND_SIZE_LIMIT = 1024 * 1024;

export const defaultInboundLimits: InboundLimits = {
  messageBytes: INBOUND_SIZE_LIMIT,
  maxClients: 20,
  messagesPerSenderPerMinute: 10,
  messagesPerAddressPerMinute: 60,
};

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

/**
 * The message, or null once it grew past `limit`: from then on the rest is
 * read and dropped (the client must finish DATA to hear the 552), so memory
 * never holds more than the limit.
 */
function readWithin(stream: Readable & { sizeExceeded?: boolean }, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] | null = [];
    let bytes = 0;
    stream.on('data', (chunk: Buffer) => {
      if (chunks === null) return;
      bytes += chunk.length;
      if (bytes > limit || stream.sizeExceeded) chunks = null;
      else chunks.push(chunk);
    });
    stream.once('end', () => resolve(chunks === null || stream.sizeExceeded ? null : Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

/** Counts one message against `key`; false once its minute's allowance is spent. */
async function withinRate(limiter: RateLimiterMemory, key: string): Promise<boolean> {
  try {
    await limiter.consume(key);
    return true;
  } catch (error) {
    if (error instanceof RateLimiterRes) return false;
    throw error;
  }
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
    trace: parsed.headerLines
      .filter(({ key }) => key === 'received' || key === 'authentication-results')
      .map(({ key, line }) => ({ name: key, value: line.slice(line.indexOf(':') + 1).trim() })),
  };
}

export async function startInboundMailServer(options: InboundMailServerOptions): Promise<RunningInboundMailServer> {
  const { handle, log } = options;
  const limits = { ...defaultInboundLimits, ...options.limits };
  const perSender = new RateLimiterMemory({ points: limits.messagesPerSenderPerMinute, duration: 60 });
  const perAddress = new RateLimiterMemory({ points: limits.messagesPerAddressPerMinute, duration: 60 });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: limits.messageBytes,
    maxClients: limits.maxClients,
    banner: 'replies to task emails only',
    onMailFrom(address, session, callback) {
      const sender = address.address.toLowerCase();
      Promise.all([withinRate(perAddress, session.remoteAddress), withinRate(perSender, sender)])
        .then(([addressOk, senderOk]) => {
          if (addressOk && senderOk) return callback();
          log?.warn({ remoteAddress: session.remoteAddress, sender, session: session.id }, 'inbound reply refused: too many messages');
          callback(smtpError(450, 'Too many messages, try again later'));
        })
        .catch(() => callback(smtpError(451, 'Temporary failure, please deliver again later')));
    },
    onRcptTo(address, _session, callback) {
      const localPart = address.address.slice(0, address.address.lastIndexOf('@'));
      if (!localPart.toLowerCase().startsWith('reply+')) return callback(smtpError(550, 'No such mailbox: only replies to task emails are accepted here'));
      callback();
    },
    onData(stream, session, callback) {
      readWithin(stream, limits.messageBytes)
        .then(async (raw) => {
          if (raw === null) return callback(smtpError(552, 'Message too large'));
          // Another delivery of the same message holds it: this one is asked to come again.
          if ((await handle(toReply(await simpleParser(raw), session))) === 'in-progress') return callback(smtpError(451, 'Being handled, please deliver again later'));
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
  const closed = new Promise<void>((resolve) => server.server.once('close', () => resolve()));
  return {
    port: (server.server.address() as AddressInfo).port,
    closed,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
