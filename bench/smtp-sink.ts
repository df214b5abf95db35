import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  url: string;
  stop(): Promise<void>;
}

/**
 * A real SMTP server that keeps nothing and decodes only each message's
 * header block: the benchmark's receiving end. The mail catcher parses and
 * keeps every body, which at thousands of notices took a sixth of a core
 * from the machine the product is measured on.
 */
export async function startSmtpSink(onSubject: (subject: string) => void): Promise<SmtpSink> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const end = raw.indexOf('\r\n\r\n');
        simpleParser(end < 0 ? raw : raw.subarray(0, end + 4)).then((parsed) => {
          onSubject(parsed.subject ?? '');
          callback();
        }, callback);
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
