// Outgoing mail to a relay that does not offer STARTTLS, over real SMTP.
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailCatcher } from '../../dev/mail-catcher.js';
import { createMailTransport } from '../../mail/transport.js';

// The catcher offers no STARTTLS. Reached through the machine's own name it is
// a relay like any other remote one, since the rule goes by the URL's host.
let relay: MailCatcher;
const remoteName = os.hostname();

beforeAll(async () => {
  relay = await new MailCatcher({ host: '0.0.0.0' }).start();
});
afterAll(async () => {
  await relay?.stop();
});

async function send(smtpUrl: string, subject: string) {
  const transport = createMailTransport(smtpUrl);
  try {
    return await transport.sendMail({ from: 'no-reply@sanctions.example', to: 'contact@d05.example', subject, text: 'x' });
  } finally {
    transport.close();
  }
}

describe('outgoing SMTP without STARTTLS', () => {
  it('is refused for a remote relay: nothing is sent in clear', async () => {
    await expect(send(`smtp://${remoteName}:${relay.port}`, 'downgraded')).rejects.toThrow(/STARTTLS/i);
    expect(relay.messages.filter((m) => m.subject === 'downgraded')).toHaveLength(0);
  });

  it('is allowed when the URL opts out with ?tls=off, and on the loopback', async () => {
    await send(`smtp://${remoteName}:${relay.port}?tls=off`, 'opted out');
    await send(`smtp://127.0.0.1:${relay.port}`, 'loopback');
    expect(relay.messages.map((m) => m.subject)).toEqual(expect.arrayContaining(['opted out', 'loopback']));
  });
});
