import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

/** A message as the catcher received it over SMTP. */
export interface CaughtMessage {
  id: string;
  receivedAt: Date;
  envelopeFrom: string | null;
  envelopeTo: string[];
  messageId: string | null;
  subject: string;
  headers: Record<string, string>;
  text: string;
  html: string | null;
  raw: string;
}

export interface MailCatcherOptions {
  port?: number;
  host?: string;
  /** Keep every message as an .eml file here, and read them back on start. */
  directory?: string;
}

/**
 * A real SMTP server that keeps what it receives: the built-in mail catcher
 * when no SMTP_URL is configured, and the receiving end of the tests.
 */
export class MailCatcher {
  readonly messages: CaughtMessage[] = [];
  private readonly events = new EventEmitter();
  private server: SMTPServer | null = null;
  private sequence = 0;
  port = 0;

  constructor(private readonly options: MailCatcherOptions = {}) {
    this.events.setMaxListeners(0);
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Starts listening; a restart after `stop()` listens on the same port again. */
  async start(): Promise<this> {
    if (this.options.directory) await this.loadDirectory(this.options.directory);
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      size: 10 * 1024 * 1024,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const envelope = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          };
          this.store(raw, envelope).then(() => callback(), callback);
        });
      },
    });
    this.server = server;
    // A client that drops mid-message makes the server emit 'error'; without a
    // listener that would end the process that also runs the API and worker.
    server.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port || (this.options.port ?? 0), this.options.host ?? '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Calls `listener` with every message received from now on; returns the unsubscribe function. */
  subscribe(listener: (message: CaughtMessage) => void): () => void {
    const onMessage = (message: CaughtMessage) => listener(message);
    this.events.on('received', onMessage);
    return () => this.events.off('received', onMessage);
  }

  /** Resolves with the matching messages once there are at least `count` of them. */
  async waitFor(
    predicate: (message: CaughtMessage) => boolean,
    count = 1,
    timeoutMs = 30_000,
  ): Promise<CaughtMessage[]> {
    const matching = () => this.messages.filter(predicate);
    if (matching().length >= count) return matching();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.events.off('message', check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${count} messages; have ${matching().length}`));
      }, timeoutMs);
      const check = () => {
        if (matching().length < count) return;
        clearTimeout(timer);
        this.events.off('message', check);
        resolve(matching());
      };
      this.events.on('message', check);
    });
  }

  private async store(raw: string, envelope: { from: string | null; to: string[] }): Promise<void> {
    const id = `${Date.now()}-${String(++this.sequence).padStart(6, '0')}`;
    if (this.options.directory) {
      const meta = `X-Envelope-From: ${envelope.from ?? ''}\r\nX-Envelope-To: ${envelope.to.join(', ')}\r\n`;
      await writeFile(join(this.options.directory, `${id}.eml`), meta + raw);
    }
    const message = await parseMessage(id, raw, envelope, new Date());
    this.messages.push(message);
    this.events.emit('message');
    this.events.emit('received', message);
  }

  private async loadDirectory(directory: string): Promise<void> {
    await mkdir(directory, { recursive: true });
    const files = (await readdir(directory)).filter((file) => file.endsWith('.eml')).sort();
    for (const file of files) {
      const raw = await readFile(join(directory, file), 'utf8');
      const parsed = await simpleParser(raw);
      const envelopeFrom = headerText(parsed.headers.get('x-envelope-from')) || null;
      const envelopeTo = headerText(parsed.headers.get('x-envelope-to')).split(',').map((s) => s.trim()).filter(Boolean);
      const receivedAt = new Date(Number(file.split('-')[0]));
      this.messages.push(await parseMessage(file.replace(/\.eml$/, ''), raw, { from: envelopeFrom, to: envelopeTo }, receivedAt));
    }
  }
}

function headerText(value: unknown): string {
  if (value == null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && 'text' in (value as object)) return String((value as { text: unknown }).text);
  if (typeof value === 'object' && 'value' in (value as object)) return String((value as { value: unknown }).value);
  return String(value);
}

async function parseMessage(
  id: string,
  raw: string,
  envelope: { from: string | null; to: string[] },
  receivedAt: Date,
): Promise<CaughtMessage> {
  const parsed = await simpleParser(raw);
  const headers: Record<string, string> = {};
  for (const [name, value] of parsed.headers) headers[name] = headerText(value);
  return {
    id,
    receivedAt,
    envelopeFrom: envelope.from,
    envelopeTo: envelope.to,
    messageId: parsed.messageId ?? null,
    subject: parsed.subject ?? '',
    headers,
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : null,
    raw,
  };
}
