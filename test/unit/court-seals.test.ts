import { createHash, createPrivateKey, createPublicKey, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCourtSeals } from '../../platform/court-seals.js';
import { verifyDocument } from '../../platform/signed-documents.js';

const notice = { requestId: 'r-1', caseNumber: '（2025）闽0203执1234号', action: 'query', debtor: { name: '张三' } };

/** The court's key derived here independently of the module under test. */
function expectedPublicKey(secret: string, courtCode: string): Buffer {
  const seed = Buffer.from(hkdfSync('sha256', secret, 'court-seal', courtCode, 32));
  const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
  return createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(12);
}

describe('court seals', () => {
  it('derive each court its Ed25519 key from the secret: the same for the same court and secret, different otherwise', () => {
    const seals = createCourtSeals('secret-one');
    const key = seals.keyFor('J350203');
    expect(key.alg).toBe('Ed25519');
    expect(Buffer.from(key.publicKey, 'base64')).toEqual(expectedPublicKey('secret-one', 'J350203'));
    expect(createCourtSeals('secret-one').keyFor('J350203')).toEqual(key);
    expect(seals.keyFor('J350206').publicKey).not.toBe(key.publicKey);
    expect(createCourtSeals('secret-two').keyFor('J350203').publicKey).not.toBe(key.publicKey);
  });

  it('name keys court:<court code>:<first 12 hex digits of the SHA-256 of the raw public key>', () => {
    const key = createCourtSeals('secret-one').keyFor('J350203');
    const fingerprint = createHash('sha256').update(Buffer.from(key.publicKey, 'base64')).digest('hex').slice(0, 12);
    expect(key.keyId).toBe(`court:J350203:${fingerprint}`);
    expect(key.keyId).toMatch(/^court:J350203:[0-9a-f]{12}$/);
  });

  it('sign notices that verify by the court key and by the seals, and nothing altered or misattributed', () => {
    const seals = createCourtSeals('secret-one');
    const signed = seals.sign('J350203', notice);
    expect(signed).toMatchObject({ ...notice, keyId: seals.keyFor('J350203').keyId });
    expect(verifyDocument(signed, seals.keyFor('J350203'))).toBe(true);
    expect(seals.verify(signed)).toBe(true);
    expect(seals.verify({ ...signed, action: 'freeze' })).toBe(false);
    expect(seals.verify({ ...signed, keyId: seals.keyFor('J350206').keyId })).toBe(false);
    expect(seals.verify({ ...signed, keyId: signed.keyId.replace('J350203', 'J350206') })).toBe(false);
    expect(seals.verify({ ...signed, keyId: 'bank:ICBC:1' })).toBe(false);
    expect(seals.verify({ ...signed, keyId: 42 })).toBe(false);
    const { keyId: _, ...withoutKeyId } = signed;
    expect(seals.verify(withoutKeyId)).toBe(false);
    expect(createCourtSeals('secret-two').verify(signed)).toBe(false);
  });

  it('keep verifying what a previous secret sealed, while signing with the current one', () => {
    const before = createCourtSeals('old-secret').sign('J350203', notice);
    const rotated = createCourtSeals('new-secret', ['old-secret']);
    expect(rotated.verify(before)).toBe(true);
    const after = rotated.sign('J350203', notice);
    expect(after.keyId).not.toBe(before.keyId);
    expect(after.keyId).toBe(createCourtSeals('new-secret').keyFor('J350203').keyId);
    expect(rotated.verify(after)).toBe(true);
    expect(createCourtSeals('new-secret').verify(before)).toBe(false);
  });

  it('publish the current and previous keys of each court', () => {
    const rotated = createCourtSeals('new-secret', ['old-secret', 'new-secret']);
    const published = rotated.publicKeys(['J350203', 'J350206']);
    expect(published.map(({ courtCode, current }) => [courtCode, current])).toEqual([
      ['J350203', true], ['J350203', false], ['J350206', true], ['J350206', false],
    ]);
    expect(published[0]).toEqual({ courtCode: 'J350203', ...createCourtSeals('new-secret').keyFor('J350203'), current: true });
    expect(published[1]).toEqual({ courtCode: 'J350203', ...createCourtSeals('old-secret').keyFor('J350203'), current: false });
    for (const key of published) expect(key).not.toHaveProperty('seed');
  });

  it('handle court codes holding a colon, and refuse an empty court code or secret', () => {
    const seals = createCourtSeals('secret-one');
    const signed = seals.sign('X:1', notice);
    expect(signed.keyId).toMatch(/^court:X:1:[0-9a-f]{12}$/);
    expect(createCourtSeals('secret-one').verify(signed)).toBe(true);
    expect(() => seals.keyFor('')).toThrow(/court code/);
    expect(() => createCourtSeals('')).toThrow(/secret/);
  });
});
