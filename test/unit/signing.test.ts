import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKeyring, keyIdOf } from '../../platform/signing.js';
import { createLinkToken, createReplyLocalPart, readLinkToken, readReplyLocalPart } from '../../platform/signed-tokens.js';
import { newSession, openSession, sealSession } from '../../dashboard/session-token.js';
import { csrfToken, csrfTokenMatches } from '../../dashboard/csrf.js';

const taskId = '2f1e4c1a-0b7e-4a55-9d7e-0c1a2b3c4d5e';
const claims = { taskId, action: 'acknowledge' as const, expiresAt: 2_000_000_000 };

describe('one keyring signs every value, naming its key', () => {
  it('a rotated secret keeps what it signed valid while it is listed as previous, and only then', () => {
    const before = createKeyring('old-secret');
    const link = createLinkToken(before, claims);
    const reply = createReplyLocalPart(before, { taskId, expiresAt: claims.expiresAt });
    expect(link.split('.')[1]).toBe(keyIdOf('old-secret'));

    const rotated = createKeyring('new-secret', ['old-secret']);
    expect(readLinkToken(rotated, link)).toMatchObject(claims);
    expect(readReplyLocalPart(rotated, reply)).toMatchObject({ taskId });
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
    // With no expiry and acknowledgment only: the reply handler gives them a cut-off.
    expect(readReplyLocalPart(keyring, `reply+${hex}.${mac(`reply.${hex}`).slice(0, 16)}`)).toEqual({ taskId, grant: 'acknowledge', expiresAt: null });
    const { keyId, mac: keyed } = keyring.sign('reply', hex);
    expect(readReplyLocalPart(keyring, `reply+${hex}.${keyId}.${keyed.slice(0, 16)}`)).toEqual({ taskId, grant: 'acknowledge', expiresAt: null });
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
    expect(createReplyLocalPart(createKeyring('secret'), { taskId, expiresAt: claims.expiresAt }).length).toBeLessThanOrEqual(64);
    // Expiries up to the year 2150 keep the same length.
    expect(createReplyLocalPart(createKeyring('secret'), { taskId: 'ffffffff-ffff-ffff-ffff-ffffffffffff', expiresAt: 5_680_281_600 }).length).toBeLessThanOrEqual(64);
  });

  it('a reply address names its task, its key, what it grants and when it expires; changing any of them breaks the signature', () => {
    const keyring = createKeyring('secret');
    const address = createReplyLocalPart(keyring, { taskId, expiresAt: 1_800_000_000 });
    expect(address).toMatch(new RegExp(`^reply\\+[0-9a-v]{26}\\.a[0-9a-z]{4}\\.${keyIdOf('secret')}\\.[A-Za-z0-9_-]{16}$`));
    const read = readReplyLocalPart(keyring, address)!;
    expect(read).toMatchObject({ taskId, grant: 'acknowledge' });
    // Rounded up to the hour: never earlier than asked.
    expect(read.expiresAt).toBeGreaterThanOrEqual(1_800_000_000);
    expect(read.expiresAt! - 1_800_000_000).toBeLessThan(3600);

    const [task, grantAndExpiry, keyId, mac] = address.slice('reply+'.length).split('.') as [string, string, string, string];
    const later = `${grantAndExpiry[0]}${(parseInt(grantAndExpiry.slice(1), 36) + 24 * 365).toString(36)}`;
    const otherTask = `${task.slice(0, -1)}${task.endsWith('0') ? '1' : '0'}`;
    for (const forged of [`reply+${task}.${later}.${keyId}.${mac}`, `reply+${otherTask}.${grantAndExpiry}.${keyId}.${mac}`, `reply+${task}.c${grantAndExpiry.slice(1)}.${keyId}.${mac}`]) {
      expect(readReplyLocalPart(keyring, forged)).toBeNull();
    }
    // The task id alone, signed as the earlier addresses were, does not stand for a new one.
    expect(readReplyLocalPart(keyring, `reply+${task}.${keyId}.${keyring.sign('reply', task).mac.slice(0, 16)}`)).toBeNull();
  });
});

/** HMAC as the keyring made it before keys were derived: the master secret itself, named by its old key id. */
const underivedMac = (secret: string, purpose: string, payload: string) => createHmac('sha256', secret).update(`${purpose}.${payload}`).digest('base64url');
const underivedKeyId = (secret: string) => createHash('sha256').update(`jsc-signing-key-id\n${secret}`).digest('hex').slice(0, 4);
/** The HKDF-SHA256 key the keyring derives for one purpose. */
const derivedKey = (secret: string, purpose: string) => Buffer.from(hkdfSync('sha256', secret, 'jsc-signing', `jsc-signing/${purpose}`, 32));

describe('one key per purpose, derived from the secret', () => {
  const now = Date.now();

  it('signs each purpose with its own key: a MAC made with the link key, or with the secret itself, opens no session', () => {
    const keyring = createKeyring('secret');
    const genuine = sealSession(keyring, newSession('api-key-1', now));
    const [payload, keyId] = genuine.split('.') as [string, string, string];
    expect(openSession(keyring, genuine, now)).toMatchObject({ keyId: 'api-key-1' });

    const withLinkKey = createHmac('sha256', derivedKey('secret', 'link')).update(`session.${payload}`).digest('base64url');
    expect(openSession(keyring, `${payload}.${keyId}.${withLinkKey}`, now)).toBeNull();
    expect(openSession(keyring, `${payload}.${underivedKeyId('secret')}.${underivedMac('secret', 'session', payload)}`, now)).toBeNull();
    expect(openSession(keyring, `${payload}.${keyId}.${underivedMac('secret', 'session', payload)}`, now)).toBeNull();
    expect(csrfTokenMatches(keyring, 'nonce', `${underivedKeyId('secret')}.${underivedMac('secret', 'csrf', 'nonce')}`)).toBe(false);
  });

  it('signs with HKDF keys: the link key signs links and nothing else', () => {
    const keyring = createKeyring('secret');
    const { keyId, mac } = keyring.sign('link', 'payload');
    expect(mac).toBe(createHmac('sha256', derivedKey('secret', 'link')).update('link.payload').digest('base64url'));
    expect(keyId).toBe(keyIdOf('secret'));
    expect(keyring.sign('session', 'payload').mac).not.toBe(createHmac('sha256', derivedKey('secret', 'link')).update('session.payload').digest('base64url'));
  });

  it('still reads links and reply addresses signed with the secret itself, under its earlier key id, also once it is a previous secret', () => {
    const payload = Buffer.from(JSON.stringify([taskId, 'acknowledge', claims.expiresAt, 'n0nce'])).toString('base64url');
    const link = `${payload}.${underivedKeyId('old-secret')}.${underivedMac('old-secret', 'link', payload)}`;
    const hex = taskId.replaceAll('-', '');
    const replyMac = underivedMac('old-secret', 'reply', hex).slice(0, 16);
    for (const keyring of [createKeyring('old-secret'), createKeyring('new-secret', ['old-secret'])]) {
      expect(readLinkToken(keyring, link)).toMatchObject({ taskId, action: 'acknowledge' });
      expect(keyring.verify('reply', hex, replyMac, underivedKeyId('old-secret'), 16)).toBe(true);
    }
    expect(readLinkToken(createKeyring('new-secret'), link)).toBeNull();
    expect(createKeyring('new-secret').verify('reply', hex, replyMac, underivedKeyId('old-secret'), 16)).toBe(false);
  });

  it('rotates every purpose by key id: what the previous secret signed verifies while it is listed, and only then', () => {
    const before = createKeyring('old-secret');
    const signed = {
      link: createLinkToken(before, claims),
      reply: before.sign('reply', taskId),
      session: sealSession(before, newSession('api-key-1', now)),
      csrf: csrfToken(before, 'nonce'),
    };
    const rotated = createKeyring('new-secret', ['old-secret']);
    expect(readLinkToken(rotated, signed.link)).toMatchObject(claims);
    expect(rotated.verify('reply', taskId, signed.reply.mac, signed.reply.keyId)).toBe(true);
    expect(openSession(rotated, signed.session, now)).toMatchObject({ keyId: 'api-key-1' });
    expect(csrfTokenMatches(rotated, 'nonce', signed.csrf)).toBe(true);
    for (const purpose of ['link', 'reply', 'session', 'csrf', 'subject'] as const) expect(rotated.sign(purpose, 'x').keyId).toBe(keyIdOf('new-secret'));

    const forgotten = createKeyring('new-secret');
    expect(readLinkToken(forgotten, signed.link)).toBeNull();
    expect(forgotten.verify('reply', taskId, signed.reply.mac, signed.reply.keyId)).toBe(false);
    expect(openSession(forgotten, signed.session, now)).toBeNull();
    expect(csrfTokenMatches(forgotten, 'nonce', signed.csrf)).toBe(false);
  });

  it('signs sessions and CSRF tokens with SESSION_SECRET when one is configured, links still with the token secret', () => {
    const withSessionSecret = createKeyring('secret', [], { session: 'session-secret' });
    const session = sealSession(withSessionSecret, newSession('api-key-1', now));
    expect(session.split('.')[1]).toBe(keyIdOf('session-secret'));
    expect(openSession(withSessionSecret, session, now)).not.toBeNull();
    expect(openSession(createKeyring('secret'), session, now)).toBeNull();
    expect(openSession(withSessionSecret, sealSession(createKeyring('secret'), newSession('api-key-1', now)), now)).toBeNull();
    expect(csrfTokenMatches(withSessionSecret, 'nonce', csrfToken(createKeyring('secret'), 'nonce'))).toBe(false);
    expect(readLinkToken(withSessionSecret, createLinkToken(createKeyring('secret'), claims))).toMatchObject(claims);
  });
});
