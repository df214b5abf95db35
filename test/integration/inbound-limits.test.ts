// The reply listener's limits, over real SMTP from raw sockets: a sender
// cannot make it hold a large message, open many connections, or send
// without pause.
import { connect, type Socket } from 'node:net';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../support/wait.js';
import { startInboundMailServer, type InboundLimits, type RunningInboundMailServer } from '../../mail/inbound/server.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** A line-oriented SMTP client: each call waits for the server's complete answer. */
class RawSmtp {
  private buffered = '';
  private waiting: ((reply: string) => void) | null = null;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      this.buffered += text;
      this.deliver();
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {});
  }

  static async open(port: number): Promise<{ client: RawSmtp; greeting: string }> {
    const socket = connect(port, '127.0.0.1');
    const client = new RawSmtp(socket);
    return { client, greeting: await client.reply() };
  }

  private deliver() {
    // A complete answer ends with a line "NNN text" (no dash after the code).
    const match = /(^|\r\n)\d{3} [^\r\n]*\r\n/.exec(this.buffered);
    if (!match || !this.waiting) return;
    const end = match.index + match[0].length;
    const reply = this.buffered.slice(0, end);
    this.buffered = this.buffered.slice(end);
    const resolve = this.waiting;
    this.waiting = null;
    resolve(reply.trim());
  }

  reply(): Promise<string> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.deliver();
    });
  }

  async command(line: string): Promise<string> {
    this.socket.write(`${line}\r\n`);
    return this.reply();
  }

  /** Writes `bytes` of message body in lines, waiting for the socket to drain; `beforeDot` runs before the final dot. */
  async body(bytes: number, beforeDot?: () => Promise<void>): Promise<string> {
    const line = `${'x'.repeat(998)}\r\n`;
    const chunk = line.repeat(64);
    this.socket.write('From: contact@d05.departments.example\r\nSubject: big\r\n\r\n');
    for (let sent = 0; sent < bytes; sent += chunk.length) {
      if (!this.socket.write(chunk)) await new Promise((resolve) => this.socket.once('drain', resolve));
    }
    await beforeDot?.();
    this.socket.write('.\r\n');
    return this.reply();
  }

  end() {
    this.socket.destroy();
  }
}

let server: RunningInboundMailServer | undefined;
let handled = 0;
const clients: RawSmtp[] = [];

async function start(limits: Partial<InboundLimits> = {}) {
  handled = 0;
  server = await startInboundMailServer({ port: 0, limits, handle: async () => void handled++ });
  return server.port;
}

async function open(port: number) {
  const opened = await RawSmtp.open(port);
  clients.push(opened.client);
  return opened;
}

/** One transaction up to DATA's 354. */
async function begin(client: RawSmtp, sender = 'contact@d05.departments.example') {
  expect(await client.command('EHLO d05.departments.example')).toMatch(/^250/m);
  const mailFrom = await client.command(`MAIL FROM:<${sender}>`);
  if (!mailFrom.startsWith('250')) return mailFrom;
  expect(await client.command('RCPT TO:<reply+0123456789abcdef0123456789abcdef.0000.AAAAAAAAAAAAAAAA@sanctions.example>')).toMatch(/^250/);
  expect(await client.command('DATA')).toMatch(/^354/);
  return mailFrom;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.end();
  await server?.stop();
  server = undefined;
});

describe('inbound SMTP limits', () => {
  it('answers 552 to a 20 MB message without holding it in memory, and never hands it on', { timeout: 60_000 }, async () => {
    const port = await start();
    const { client } = await open(port);
    await begin(client);

    collectGarbage();
    const baseline = process.memoryUsage().arrayBuffers;
    let held = 0;
    const answer = await client.body(20 * 1024 * 1024, async () => {
      // All of it sent, the dot not yet: what stays referenced after collections
      // is what the server keeps of the message. The least of a few samples, so
      // that data still in flight on a busy machine is not counted as kept.
      held = Infinity;
      for (let sample = 0; sample < 10; sample++) {
        await sleep(200);
        collectGarbage();
        held = Math.min(held, process.memoryUsage().arrayBuffers - baseline);
      }
    });

    expect(answer).toMatch(/^552 /);
    expect(handled).toBe(0);
    console.log(`[inbound-limits] 20 MB message: buffers held before its end ${(held / 1024 / 1024).toFixed(1)} MB`);
    expect(held).toBeLessThan(4 * 1024 * 1024);
    // The connection stays usable: a small message after the refused one is received.
    expect(await client.command('MAIL FROM:<contact@d05.departments.example>')).toMatch(/^250/);
  });

  it('still receives a message within the limit', async () => {
    const port = await start();
    const { client } = await open(port);
    await begin(client);
    expect(await client.body(100 * 1024)).toMatch(/^250/);
    expect(handled).toBe(1);
  });

  it('refuses the connection after maxClients with 421', async () => {
    const port = await start({ maxClients: 3 });
    for (let i = 0; i < 3; i++) expect((await open(port)).greeting).toMatch(/^220/);
    const { client, greeting } = await open(port);
    expect(greeting).toMatch(/^421 /);
    await client.closed;
  });

  it('limits connections by default', async () => {
    const port = await start();
    const greetings = [];
    for (let i = 0; i < 25; i++) greetings.push((await open(port)).greeting);
    expect(greetings.filter((greeting) => greeting.startsWith('421')).length).toBeGreaterThan(0);
  });

  it('answers 450 to a sender over its rate, and lets another sender through', async () => {
    const port = await start({ messagesPerSenderPerMinute: 3 });
    const { client } = await open(port);
    expect(await client.command('EHLO d05.departments.example')).toMatch(/^250/);
    const answers = [];
    for (let i = 0; i < 4; i++) {
      answers.push(await client.command('MAIL FROM:<contact@d05.departments.example>'));
      await client.command('RSET');
    }
    expect(answers.slice(0, 3)).toEqual([expect.stringMatching(/^250/), expect.stringMatching(/^250/), expect.stringMatching(/^250/)]);
    expect(answers[3]).toMatch(/^450 /);
    expect(await client.command('MAIL FROM:<contact@d06.departments.example>')).toMatch(/^250/);
  });

  it('answers 450 to a remote address over its rate, whatever the sender', async () => {
    const port = await start({ messagesPerAddressPerMinute: 2 });
    const { client } = await open(port);
    expect(await client.command('EHLO relay.example')).toMatch(/^250/);
    const answers = [];
    for (const department of ['d01', 'd02', 'd03']) {
      answers.push(await client.command(`MAIL FROM:<contact@${department}.departments.example>`));
      await client.command('RSET');
    }
    expect(answers[0]).toMatch(/^250/);
    expect(answers[1]).toMatch(/^250/);
    expect(answers[2]).toMatch(/^450 /);
  });
});
