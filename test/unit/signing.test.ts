import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKeyring, keyIdOf } from '../../platform/signing.js';
import { createLinkToken, createReplyLocalPart, readLinkToken, readReplyLocalPart } from '../../platform/signed-tokens.js';

const taskId = '2f1e4c1a-0b7e-4a55-9d7e-0c1a2b3c4d5e';
const claims = { taskId, action: 'acknowledge' as const, expiresAt: 2_000_000_000 };

describe('one keyring signs every value, naming its key', () => {
  it('a rotated secret keeps what it signed valid while it is listed as previous, and only then', () => {
    const before = createKeyring('old-secret');
    const link = createLinkToken(before, claims);
    const reply = createReplyLocalPart(before, taskId);
    expect(link.split('.')[1]).toBe(keyIdOf('old-secret'));

    const rotated = createKeyring('new-secret', ['old-secret']);
    expect(readLinkToken(rotated, link)).toMatchObject(claims);
    expect(readReplyLocalPart(rotated, reply)).toBe(taskId);
    expect(createLinkToken(rotated, claims).split('.')[1]).toBe(keyIdOf('new-secret'));

    const forgotten = createKeyring('new-secret');
    expect(readLinkToken(forgotten, link)).toBeNull();
    expect(readReplyLocalPart(forgotten, reply)).toBeNull();
  });

  it('reads links and reply addresses mailed before signatures named their key', () => {
    const mac = (data: string) => createHmac('sha256', 'secret').update(data).digest('base64url');
    const payload = Buffer.from(JSON.stringify([taskId, 'complete', claims.expiresAt, 'n0nce'])).toString('base64url');
    const keyring = createKeyring('secret');
    expect(readLinkToken(keyring, `${payload}.${mac(`link.${payload}`)}`)).toEqual({ taskId, action: 'complete', expiresAt: claims.expiresAt, nonce: 'n0nce' });
    const hex = taskId.replaceAll('-', '');
    expect(readReplyLocalPart(keyring, `reply+${hex}.${mac(`reply.${hex}`).slice(0, 16)}`)).toBe(taskId);
  });

  it('never accepts a value signed for one purpose as another, a shortened mac, or an unknown key id', () => {
    const keyring = createKeyring('secret');
    const { keyId, mac } = keyring.sign('link', 'payload');
    expect(keyring.verify('link', 'payload', mac, keyId)).toBe(true);
    expect(keyring.verify('session', 'payload', mac, keyId)).toBe(false);
    expect(keyring.verify('link', 'payload', mac.slice(0, 40), keyId)).toBe(false);
    expect(keyring.verify('link', 'payload', mac, 'ffff' === keyId ? '0000' : 'ffff')).toBe(false);
  });

  it('a reply address fits a mailbox name (64 characters)', () => {
    expect(createReplyLocalPart(createKeyring('secret'), taskId).length).toBeLessThanOrEqual(64);
  });
});
