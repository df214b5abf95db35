// `npm run inbound`, the reply listener's production process, as a process of
// its own on a real database, Temporal and SMTP relay.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { MailCatcher } from '../../dev/mail-catcher.js';
import { createTestDatabase, type TestDatabase } from '../../db/test-database.js';
import { freePort, startService, stopService, tempDir, until, type ServiceProcess } from '../faults/harness.js';

let database: TestDatabase;
let relay: MailCatcher;
let logDir: string;
let service: ServiceProcess | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
  relay = await new MailCatcher().start();
  logDir = await tempDir('inbound-entry-');
});
afterAll(async () => {
  await stopService(service);
  await relay?.stop();
  await database?.drop();
});

function environment(extra: Record<string, string>): Record<string, string> {
  return {
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    SMTP_URL: relay.url,
    ACK_TOKEN_SECRET: randomBytes(24).toString('hex'),
    LOG_FORMAT: 'json',
    ...extra,
  };
}

/** The server's greeting and its answer to a recipient, or the connection error's code. */
function probe(host: string, port: number, recipient: string): Promise<{ greeting: string; rcpt: string } | { error: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.setEncoding('utf8');
    const lines: string[] = [];
    let text = '';
    socket.on('data', (chunk: string) => {
      text += chunk;
      let end;
      while ((end = text.indexOf('\r\n')) >= 0) {
        const line = text.slice(0, end);
        text = text.slice(end + 2);
        if (/^\d{3}-/.test(line)) continue;
        lines.push(line);
        if (lines.length === 1) socket.write('EHLO probe.example\r\n');
        else if (lines.length === 2) socket.write('MAIL FROM:<contact@d05.departments.example>\r\n');
        else if (lines.length === 3) socket.write(`RCPT TO:<${recipient}>\r\n`);
        else {
          socket.end('QUIT\r\n');
          resolve({ greeting: lines[0]!, rcpt: lines[3]! });
        }
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
  });
}

describe('npm run inbound', { timeout: 120_000 }, () => {
  it('receives replies on INBOUND_SMTP_HOST:INBOUND_SMTP_PORT, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    // A loopback address of its own: reachable only if the host setting was read.
    service = await startService('main/inbound.ts', environment({ INBOUND_SMTP_PORT: String(port), INBOUND_SMTP_HOST: '127.0.0.2' }), logDir, 'inbound');
    const answer = await until(
      async () => {
        if (!service!.running()) throw new Error(`inbound exited: ${await service!.output()}`);
        const result = await probe('127.0.0.2', port, 'someone@sanctions.example');
        return 'greeting' in result ? result : undefined;
      },
      'the inbound listener on 127.0.0.2',
      90_000,
      250,
    );
    expect(answer.greeting).toMatch(/^220 .*replies to task emails only/);
    // Only reply addresses are accepted: this is the reply listener, not an open relay.
    expect(answer.rcpt).toMatch(/^550 /);
    expect(await probe('127.0.0.1', port, 'someone@sanctions.example')).toEqual({ error: 'ECONNREFUSED' });

    const started = (await service.output())
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg?: string; host?: string; port?: number })
      .find((line) => line.msg === 'receiving replies');
    expect(started).toMatchObject({ host: '127.0.0.2', port });

    service.kill('SIGTERM');
    await service.exited;
    expect(await probe('127.0.0.2', port, 'someone@sanctions.example')).toEqual({ error: 'ECONNREFUSED' });
  });

  it('refuses to start without INBOUND_SMTP_PORT, naming it', async () => {
    const without = await startService('main/inbound.ts', environment({}), logDir, 'inbound-without-port');
    try {
      const { code } = await without.exited;
      expect(code).not.toBe(0);
      expect(await without.output()).toContain('INBOUND_SMTP_PORT');
    } finally {
      await stopService(without);
    }
  });
});
