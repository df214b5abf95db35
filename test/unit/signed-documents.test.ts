import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import smCrypto from 'sm-crypto';
import { describe, expect, it } from 'vitest';
import {
  SIGNATURE_ALGORITHMS, documentSigner, generateSigningKey, publicKeyOf, publicKeyProblem, signDocument, signedContent, verifyDocument,
} from '../../platform/signed-documents.js';

const { sm2 } = smCrypto;
const base64OfHex = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
const hexOfBase64 = (base64: string) => Buffer.from(base64, 'base64').toString('hex');

const answer = {
  requestId: '6f1c2a10-3d8b-4c55-9a57-1b2c3d4e5f60',
  findings: [{ kind: 'deposit', account: '6222020200012345678', currency: 'CNY', amountYuan: 12345.67, description: '活期存款' }],
  answeredAt: '2025-03-01T10:00:00+08:00',
};

const ed25519 = generateSigningKey('Ed25519');
const sm2Key = generateSigningKey('SM2');
const keys = { Ed25519: ed25519, SM2: sm2Key };

describe('signedContent', () => {
  it('is the RFC 8785 canonical JSON without signature and keyId', () => {
    expect(signedContent({ b: 2, a: [1, 'x', { d: null, c: true }], keyId: 'k1', signature: 'c2ln' })).toBe('{"a":[1,"x",{"c":true,"d":null}],"b":2}');
    expect(signedContent({ amountYuan: 1.0, big: 1e21, small: 1e-7, text: '冻结\u2028' })).toBe('{"amountYuan":1,"big":1e+21,"small":1e-7,"text":"冻结\u2028"}');
  });

  it('does not depend on member order or whitespace', () => {
    const compact = JSON.parse('{"b":{"y":1,"x":2},"a":"存款"}');
    const spaced = JSON.parse('{\n  "a" : "存款",\n\t"b" : { "x" : 2 , "y" : 1 }\n}');
    expect(signedContent(compact)).toBe(signedContent(spaced));
  });
});

describe('signDocument and verifyDocument', () => {
  it('exposes both algorithms', () => {
    expect(SIGNATURE_ALGORITHMS).toEqual(['Ed25519', 'SM2']);
  });

  for (const alg of SIGNATURE_ALGORITHMS) {
    describe(alg, () => {
      const key = keys[alg];
      const signed = signDocument(answer, { keyId: `bank:${alg}`, alg, privateKey: key.privateKey });

      it('round-trips, naming the key', () => {
        expect(signed).toMatchObject({ ...answer, keyId: `bank:${alg}` });
        expect(verifyDocument(signed, key)).toBe(true);
      });

      it('still verifies after re-serialization in another member order', () => {
        const reordered = JSON.parse(JSON.stringify({ signature: signed.signature, findings: signed.findings, keyId: signed.keyId, answeredAt: signed.answeredAt, requestId: signed.requestId }, null, 2));
        expect(verifyDocument(reordered, key)).toBe(true);
      });

      it('refuses a changed amount, an added member and a wrong key', () => {
        const changed = { ...signed, findings: [{ ...signed.findings[0]!, amountYuan: 12345.68 }] };
        expect(verifyDocument(changed, key)).toBe(false);
        expect(verifyDocument({ ...signed, extra: true }, key)).toBe(false);
        expect(verifyDocument(signed, generateSigningKey(alg))).toBe(false);
      });

      it('refuses, without throwing, truncated, non-base64, missing or mistyped signatures and malformed keys', () => {
        const bytes = Buffer.from(signed.signature, 'base64');
        expect(verifyDocument({ ...signed, signature: bytes.subarray(0, bytes.length - 1).toString('base64') }, key)).toBe(false);
        expect(verifyDocument({ ...signed, signature: signed.signature.slice(0, -4) }, key)).toBe(false);
        expect(verifyDocument({ ...signed, signature: `${signed.signature.slice(0, -2)}!!` }, key)).toBe(false);
        expect(verifyDocument({ ...signed, signature: ` ${signed.signature}` }, key)).toBe(false);
        expect(verifyDocument({ ...signed, signature: '' }, key)).toBe(false);
        expect(verifyDocument({ ...signed, signature: 42 }, key)).toBe(false);
        const { signature: _, ...unsigned } = signed;
        expect(verifyDocument(unsigned, key)).toBe(false);
        expect(verifyDocument(signed, { alg, publicKey: 'not a key' })).toBe(false);
        expect(verifyDocument(signed, { alg, publicKey: Buffer.alloc(7).toString('base64') })).toBe(false);
        expect(verifyDocument({ ...signed, amountYuan: Number.NaN }, key)).toBe(false);
        expect(verifyDocument(null as unknown as Record<string, unknown>, key)).toBe(false);
      });

      it('replaces an existing signature and keyId', () => {
        const again = signDocument(signed, { keyId: 'next', alg, privateKey: key.privateKey });
        expect(again.keyId).toBe('next');
        expect(verifyDocument(again, key)).toBe(true);
      });

      it('signs many documents with one key read once', () => {
        const signer = documentSigner({ keyId: 'batch', alg, privateKey: key.privateKey });
        const documents = [1, 2, 3].map((requestNumber) => signer({ requestNumber, caseNumber: '（2025）闽0203执1234号' }));
        for (const document of documents) expect(verifyDocument(document, key)).toBe(true);
        expect(verifyDocument({ ...documents[0]!, signature: documents[1]!.signature }, key)).toBe(false);
      });

      it('derives the public key it generated from the private key', () => {
        expect(publicKeyOf(alg, key.privateKey)).toBe(key.publicKey);
        expect(publicKeyProblem(alg, key.publicKey)).toBeNull();
      });
    });
  }

  it('refuses malformed private keys without quoting them', () => {
    const secret = 'c2VjcmV0LXNlZWQtdGhhdC1pcy10b28tc2hvcnQ=';
    expect(() => signDocument(answer, { keyId: 'k', alg: 'Ed25519', privateKey: secret })).toThrow(/32-byte seed/);
    expect(() => signDocument(answer, { keyId: 'k', alg: 'Ed25519', privateKey: secret })).not.toThrow(new RegExp(secret.slice(0, 12)));
    expect(() => signDocument(answer, { keyId: 'k', alg: 'SM2', privateKey: 'ab'.repeat(31) })).toThrow(/64 hex digits/);
    expect(() => signDocument(answer, { keyId: 'k', alg: 'SM2', privateKey: '0'.repeat(64) })).toThrow(/between 1 and n − 2/);
    expect(() => signDocument(answer, { keyId: 'k', alg: 'SM2', privateKey: 'f'.repeat(64) })).toThrow(/between 1 and n − 2/);
  });
});

describe('Ed25519 against RFC 8032', () => {
  // RFC 8032 §7.1, TEST 1: the empty message.
  const seedHex = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
  const publicKeyHex = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
  const signatureHex = 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
  const privateKey = createPrivateKey({ key: Buffer.from(`302e020100300506032b657004220420${seedHex}`, 'hex'), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey({ key: Buffer.from(`302a300506032b6570032100${publicKeyHex}`, 'hex'), format: 'der', type: 'spki' });

  it('derives the vector public key from its seed and reproduces its signature of the empty message', () => {
    expect(publicKeyOf('Ed25519', base64OfHex(seedHex))).toBe(base64OfHex(publicKeyHex));
    expect(nodeSign(null, Buffer.alloc(0), privateKey).toString('hex')).toBe(signatureHex);
    expect(nodeVerify(null, Buffer.alloc(0), publicKey, Buffer.from(signatureHex, 'hex'))).toBe(true);
  });

  it('signs documents with the vector key exactly as node signs their canonical content', () => {
    const signed = signDocument(answer, { keyId: 'rfc8032-test-1', alg: 'Ed25519', privateKey: base64OfHex(seedHex) });
    const expected = nodeSign(null, Buffer.from(signedContent(answer), 'utf8'), privateKey).toString('base64');
    expect(signed.signature).toBe(expected);
    expect(nodeVerify(null, Buffer.from(signedContent(signed), 'utf8'), publicKey, Buffer.from(signed.signature, 'base64'))).toBe(true);
    expect(verifyDocument(signed, { alg: 'Ed25519', publicKey: base64OfHex(publicKeyHex) })).toBe(true);
  });
});

describe('SM2 interoperability', () => {
  const privateKeyHex = sm2Key.privateKey;
  const publicKeyHex = hexOfBase64(sm2Key.publicKey);
  const content = signedContent(answer);

  it('accepts a DER signature sm-crypto made directly over the canonical JSON', () => {
    const derHex = sm2.doSignature(content, privateKeyHex, { hash: true, der: true });
    expect(verifyDocument({ ...answer, keyId: 'k', signature: base64OfHex(derHex) }, sm2Key)).toBe(true);
  });

  it('accepts the raw 64-byte r‖s encoding', () => {
    const rawHex = sm2.doSignature(content, privateKeyHex, { hash: true, der: false });
    expect(rawHex).toHaveLength(128);
    expect(verifyDocument({ ...answer, keyId: 'k', signature: base64OfHex(rawHex) }, sm2Key)).toBe(true);
    expect(verifyDocument({ ...answer, keyId: 'k', signature: base64OfHex(rawHex.slice(0, 126)) }, sm2Key)).toBe(false);
  });

  it('signs DER that sm-crypto verifies with the default user id', () => {
    const signed = signDocument(answer, { keyId: 'k', alg: 'SM2', privateKey: privateKeyHex });
    const derHex = hexOfBase64(signed.signature);
    expect(derHex.startsWith('30')).toBe(true);
    expect(sm2.doVerifySignature(content, derHex, publicKeyHex, { hash: true, der: true, userId: '1234567812345678' })).toBe(true);
    expect(sm2.doVerifySignature(content, derHex, publicKeyHex, { hash: true, der: true, userId: 'another-signer' })).toBe(false);
  });

  it('refuses a signature made over the message without the SM3 Z-value hash', () => {
    const unhashed = sm2.doSignature(content, privateKeyHex, { hash: false, der: true });
    expect(verifyDocument({ ...answer, keyId: 'k', signature: base64OfHex(unhashed) }, sm2Key)).toBe(false);
  });
});

describe('publicKeyProblem', () => {
  it('takes a raw 32-byte Ed25519 key', () => {
    expect(publicKeyProblem('Ed25519', ed25519.publicKey)).toBeNull();
    expect(publicKeyProblem('Ed25519', Buffer.alloc(31, 1).toString('base64'))).toMatch(/32 bytes, this one 31/);
    expect(publicKeyProblem('Ed25519', 'not base64')).toMatch(/base64/);
    expect(publicKeyProblem('Ed25519', Buffer.from(ed25519.publicKey, 'base64').toString('base64url').replace(/=+$/, '') + '_')).toMatch(/base64/);
  });

  it('takes an uncompressed SM2 point on the curve', () => {
    expect(publicKeyProblem('SM2', sm2Key.publicKey)).toBeNull();
    const point = Buffer.from(sm2Key.publicKey, 'base64');
    const offCurve = Buffer.from(point);
    offCurve[64] = offCurve[64]! ^ 1;
    expect(publicKeyProblem('SM2', offCurve.toString('base64'))).toMatch(/not a point on the SM2 curve/);
    const compressed = Buffer.concat([Buffer.from([0x02 | (point[64]! & 1)]), point.subarray(1, 33)]);
    expect(publicKeyProblem('SM2', compressed.toString('base64'))).toMatch(/65-byte uncompressed point.*33 bytes/);
    expect(publicKeyProblem('SM2', Buffer.concat([Buffer.from([0x05]), point.subarray(1)]).toString('base64'))).toMatch(/starting with 0x05/);
    expect(publicKeyProblem('SM2', ed25519.publicKey)).toMatch(/65-byte/);
  });
});

describe('generateSigningKey', () => {
  it('returns keys in the formats the documents use', () => {
    expect(Buffer.from(ed25519.privateKey, 'base64')).toHaveLength(32);
    expect(Buffer.from(ed25519.publicKey, 'base64')).toHaveLength(32);
    expect(sm2Key.privateKey).toMatch(/^[0-9a-f]{64}$/);
    expect(Buffer.from(sm2Key.publicKey, 'base64')).toHaveLength(65);
    expect(Buffer.from(sm2Key.publicKey, 'base64')[0]).toBe(0x04);
    expect(generateSigningKey('SM2').privateKey).not.toBe(sm2Key.privateKey);
    expect(generateSigningKey('Ed25519').privateKey).not.toBe(ed25519.privateKey);
  });
});
